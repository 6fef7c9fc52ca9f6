package io.wrenn.hostagent.net;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The few parts of DNS messages (RFC 1035) the {@link DomainGate} needs: the question of a
 * guest's query, an NXDOMAIN answer to it, the A records of an upstream answer, and an A query of
 * its own. Everything a guest sends is hostile input: every read is bounds-checked and a message
 * that does not parse is an {@link IllegalArgumentException}.
 */
final class DnsMessage {

    static final int TYPE_A = 1;
    private static final int HEADER = 12;

    private DnsMessage() {
    }

    /** The question of a query: its name (lower-case, no trailing dot), type and where it ends. */
    record Question(String name, int type, int end) {
    }

    /** An IPv4 address in an answer and its time to live in seconds. */
    record Address(String address, long ttlSeconds) {
    }

    /** The first question of a standard query with exactly one question. */
    static Question question(byte[] message, int length) {
        if (length < HEADER + 5 || (message[2] & 0x80) != 0 || ((message[2] >> 3) & 0x0f) != 0 || u16(message, 4, length) != 1) {
            throw new IllegalArgumentException("not a standard query with one question");
        }
        StringBuilder name = new StringBuilder();
        int at = readName(message, length, HEADER, name, 0);
        int type = u16(message, at, length);
        u16(message, at + 2, length);
        return new Question(name.toString().toLowerCase(Locale.ROOT), type, at + 4);
    }

    /** NXDOMAIN for a query: its id, its question, recursion flags as asked, no records. */
    static byte[] nxdomain(byte[] query, Question question) {
        byte[] out = new byte[question.end()];
        System.arraycopy(query, 0, out, 0, question.end());
        out[2] = (byte) (0x80 | (query[2] & 0x01)); // response, opcode 0, RD copied
        out[3] = (byte) 0x83; // recursion available, NXDOMAIN
        out[6] = out[7] = out[8] = out[9] = out[10] = out[11] = 0;
        return out;
    }

    /** The A records of every answer record (the name's and its aliases': all are the name's answer). */
    static List<Address> addresses(byte[] message, int length) {
        if (length < HEADER) {
            throw new IllegalArgumentException("short message");
        }
        int questions = u16(message, 4, length);
        int answers = u16(message, 6, length);
        int at = HEADER;
        for (int i = 0; i < questions; i++) {
            at = readName(message, length, at, null, 0) + 4;
        }
        List<Address> out = new ArrayList<>();
        for (int i = 0; i < answers; i++) {
            at = readName(message, length, at, null, 0);
            int type = u16(message, at, length);
            int klass = u16(message, at + 2, length);
            long ttl = u16(message, at + 4, length) * 65536L + u16(message, at + 6, length);
            int size = u16(message, at + 8, length);
            int data = at + 10;
            if (data + size > length) {
                throw new IllegalArgumentException("record beyond the message");
            }
            if (type == TYPE_A && klass == 1 && size == 4) {
                out.add(new Address((message[data] & 0xff) + "." + (message[data + 1] & 0xff) + "."
                        + (message[data + 2] & 0xff) + "." + (message[data + 3] & 0xff), ttl));
            }
            at = data + size;
        }
        return out;
    }

    /** A recursive query for the A records of {@code name}. */
    static byte[] queryA(int id, String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(id >> 8);
        out.write(id);
        out.writeBytes(new byte[] {0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
        out.writeBytes(new byte[] {0, 0, TYPE_A, 0, 1});
        return out.toByteArray();
    }

    /** The id of a message. */
    static int id(byte[] message, int length) {
        return u16(message, 0, length);
    }

    /** Whether a message answers without error (rcode 0). */
    static boolean isAnswer(byte[] message, int length) {
        return length >= HEADER && (message[2] & 0x80) != 0 && (message[3] & 0x0f) == 0;
    }

    /**
     * Reads a name from {@code at}, following compression pointers (at most 16, so a loop of
     * pointers ends), appending it to {@code name} when given; returns where the name ends in
     * the message (after the first pointer, when there is one).
     */
    private static int readName(byte[] message, int length, int at, StringBuilder name, int depth) {
        int pos = at;
        while (true) {
            if (pos >= length) {
                throw new IllegalArgumentException("name beyond the message");
            }
            int len = message[pos] & 0xff;
            if (len == 0) {
                return pos + 1;
            }
            if ((len & 0xc0) == 0xc0) {
                if (depth > 16 || pos + 1 >= length) {
                    throw new IllegalArgumentException("bad compression pointer");
                }
                int target = ((len & 0x3f) << 8) | (message[pos + 1] & 0xff);
                readName(message, length, target, name, depth + 1);
                return pos + 2;
            }
            if ((len & 0xc0) != 0 || pos + 1 + len > length) {
                throw new IllegalArgumentException("bad label");
            }
            if (name != null) {
                if (!name.isEmpty()) {
                    name.append('.');
                }
                name.append(new String(message, pos + 1, len, StandardCharsets.ISO_8859_1));
                if (name.length() > 255) {
                    throw new IllegalArgumentException("name too long");
                }
            }
            pos += 1 + len;
        }
    }

    private static int u16(byte[] message, int at, int length) {
        if (at + 1 >= length) {
            throw new IllegalArgumentException("short message");
        }
        return ((message[at] & 0xff) << 8) | (message[at + 1] & 0xff);
    }
}
