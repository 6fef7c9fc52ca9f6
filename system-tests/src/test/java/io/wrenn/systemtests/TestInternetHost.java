package io.wrenn.systemtests;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The servers of {@link TestInternet}, run inside its namespace: HTTP on port 80 of every address
 * there (and 8080), answering with the address it was reached at, a listener on port 443 that
 * records each connection ({@code TLS <address>}), and a DNS server on the resolver address
 * answering A queries from a fixed table. Every request is printed ({@code HIT <address>}), so a
 * test sees what reached "the internet" and what did not.
 *
 * <p>Arguments: the resolver's address, then {@code name=address} entries.
 */
public final class TestInternetHost {

    private TestInternetHost() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, byte[]> names = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] entry = args[i].split("=", 2);
            names.put(entry[0].toLowerCase(Locale.ROOT), InetAddress.getByName(entry[1]).getAddress());
        }
        HttpServer http = HttpServer.create(new InetSocketAddress(80), 64);
        http.createContext("/", exchange -> {
            String reached = exchange.getLocalAddress().getAddress().getHostAddress();
            log("HIT " + reached);
            byte[] body = reached.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        // A second port, for rules that hold on every port, not only 80 and 443.
        HttpServer other = HttpServer.create(new InetSocketAddress(8080), 64);
        other.createContext("/", exchange -> {
            String reached = exchange.getLocalAddress().getAddress().getHostAddress();
            log("HIT8080 " + reached);
            byte[] body = reached.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        other.start();
        // Port 443 only records who connected (a TLS client's hello is enough to know it got here).
        java.net.ServerSocket tls = new java.net.ServerSocket(443, 64);
        Thread.ofVirtual().start(() -> {
            while (true) {
                try (java.net.Socket client = tls.accept()) {
                    log("TLS " + client.getLocalAddress().getHostAddress());
                } catch (IOException e) {
                    log("TLS-ERROR " + e);
                }
            }
        });
        DatagramSocket dns = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(args[0]), 53));
        log("READY");
        byte[] buffer = new byte[512];
        while (true) {
            DatagramPacket query = new DatagramPacket(buffer, buffer.length);
            dns.receive(query);
            try {
                byte[] answer = answer(query.getData(), query.getLength(), names);
                dns.send(new DatagramPacket(answer, answer.length, query.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                log("BAD-QUERY " + e);
            }
        }
    }

    /** One question in, the same question and (for a known name asked as A) one answer out. */
    static byte[] answer(byte[] q, int length, Map<String, byte[]> names) throws IOException {
        int at = 12;
        StringBuilder name = new StringBuilder();
        while (q[at] != 0) {
            int label = q[at] & 0xff;
            name.append(name.isEmpty() ? "" : ".").append(new String(q, at + 1, label, StandardCharsets.US_ASCII));
            at += label + 1;
        }
        int type = ((q[at + 1] & 0xff) << 8) | (q[at + 2] & 0xff);
        int questionEnd = at + 5;
        byte[] address = names.get(name.toString().toLowerCase(Locale.ROOT));
        log("DNS " + name + " type " + type);
        boolean answers = address != null && type == 1;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(q, 0, 2); // id
        out.writeShort(address == null ? 0x8183 : 0x8180); // response, recursion; NXDOMAIN for unknown names
        out.writeShort(1);
        out.writeShort(answers ? 1 : 0);
        out.writeShort(0);
        out.writeShort(0);
        out.write(q, 12, questionEnd - 12);
        if (answers) {
            out.writeShort(0xc00c); // the name in the question
            out.writeShort(1);
            out.writeShort(1);
            out.writeInt(60);
            out.writeShort(4);
            out.write(address);
        }
        return bytes.toByteArray();
    }

    private static synchronized void log(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
