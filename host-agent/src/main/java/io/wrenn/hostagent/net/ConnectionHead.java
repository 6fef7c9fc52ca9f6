package io.wrenn.hostagent.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * The name a guest's connection asks for, read from its first bytes: the server name (SNI) of a
 * TLS ClientHello, or the Host header of an HTTP request. The bytes read are kept, to be sent on
 * unchanged when the connection is let through. Guest input: lengths are checked, and a head that
 * is too long, malformed or names nothing gives no name.
 */
record ConnectionHead(byte[] bytes, Optional<String> name) {

    /** The most a head may take; a ClientHello or request head is far smaller. */
    static final int MAX = 16 * 1024;

    /** Reads a TLS record holding a ClientHello and its server name. */
    static ConnectionHead readTls(InputStream in) throws IOException {
        byte[] header = in.readNBytes(5);
        if (header.length < 5 || header[0] != 0x16) {
            return new ConnectionHead(header, Optional.empty());
        }
        int length = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
        byte[] body = in.readNBytes(Math.min(length, MAX));
        byte[] all = new byte[5 + body.length];
        System.arraycopy(header, 0, all, 0, 5);
        System.arraycopy(body, 0, all, 5, body.length);
        Optional<String> name;
        try {
            name = body.length == length ? serverName(body) : Optional.empty();
        } catch (IndexOutOfBoundsException e) {
            name = Optional.empty();
        }
        return new ConnectionHead(all, name.filter(ConnectionHead::isHostName));
    }

    /** The host_name of the server_name extension of a ClientHello handshake message. */
    static Optional<String> serverName(byte[] hs) {
        if (hs[0] != 0x01) {
            return Optional.empty();
        }
        int at = 4 + 2 + 32; // handshake header, version, random
        at += 1 + (hs[at] & 0xff); // session id
        at += 2 + u16(hs, at); // cipher suites
        at += 1 + (hs[at] & 0xff); // compression methods
        int end = at + 2 + u16(hs, at);
        at += 2;
        while (at + 4 <= end) {
            int type = u16(hs, at);
            int size = u16(hs, at + 2);
            int data = at + 4;
            if (type == 0) {
                int list = data + 2;
                int listEnd = list + u16(hs, data);
                while (list + 3 <= listEnd) {
                    int nameType = hs[list] & 0xff;
                    int nameLength = u16(hs, list + 1);
                    if (nameType == 0) {
                        String name = new String(hs, list + 3, nameLength, StandardCharsets.US_ASCII);
                        return Optional.of(name.toLowerCase(Locale.ROOT));
                    }
                    list += 3 + nameLength;
                }
                return Optional.empty();
            }
            at = data + size;
        }
        return Optional.empty();
    }

    /** Reads an HTTP request head (up to the blank line) and its Host header, port left off. */
    static ConnectionHead readHttp(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        boolean complete = false;
        while (head.size() < MAX) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            last4 = (last4 << 8) | b;
            if (last4 == 0x0d0a0d0a) {
                complete = true;
                break;
            }
        }
        byte[] bytes = head.toByteArray();
        if (!complete) {
            return new ConnectionHead(bytes, Optional.empty());
        }
        String name = null;
        for (String line : new String(bytes, StandardCharsets.ISO_8859_1).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("host")) {
                if (name != null) {
                    return new ConnectionHead(bytes, Optional.empty()); // two Host headers: ambiguous, no name
                }
                name = line.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            }
        }
        if (name != null) {
            int port = name.lastIndexOf(':');
            if (port > 0 && name.substring(port + 1).chars().allMatch(Character::isDigit)) {
                name = name.substring(0, port);
            }
        }
        return new ConnectionHead(bytes, Optional.ofNullable(name).filter(ConnectionHead::isHostName));
    }

    private static boolean isHostName(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return io.wrenn.hostagent.protocol.DomainRule.isName(n);
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }
}
