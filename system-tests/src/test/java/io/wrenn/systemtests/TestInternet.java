package io.wrenn.systemtests;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace standing for the internet, so egress tests never send a packet off this
 * machine: the host reaches it through a veth ({@link #uplink()}, given to Wrenn as its egress
 * uplink), and it holds test hosts at a public-looking address that policies allow
 * ({@link #allowed()}), another they deny ({@link #blocked()}), a private-range address
 * ({@link #privateAddress()}), the cloud metadata address, and a DNS resolver ({@link #resolver()})
 * for the names {@code allowed.test.wrenn} and {@code blocked.test.wrenn}. Host routes send those
 * addresses into it, so a rule that fails shows up here ({@link #hits(String)}), never on the
 * network. Addresses are drawn per instance so that concurrent test runs on one machine do not meet.
 */
final class TestInternet implements AutoCloseable {

    static final String METADATA = "169.254.169.254";

    private final int k = ThreadLocalRandom.current().nextInt(16);
    private final String namespace = "wtnet" + k + "-" + ProcessHandle.current().pid();
    private final String uplink = "wtiup" + k + "p" + (ProcessHandle.current().pid() % 1000);
    private final String hostEnd = "198.51.100." + (4 * k + 1);
    private final String namespaceEnd = "198.51.100." + (4 * k + 2);
    private final String publicBlock = "203.0.113." + (16 * k) + "/28";
    private final String privateAddress = "172.31." + (200 + k) + ".10";
    private final int metric = 700 + (int) (ProcessHandle.current().pid() % 1000);
    private final Path log;
    private final List<List<String>> undo = new ArrayList<>();
    private Process servers;

    private TestInternet() throws IOException {
        log = Files.createTempFile("wrenn-test-internet-", ".log");
    }

    static TestInternet start() {
        try {
            TestInternet internet = new TestInternet();
            internet.build();
            return internet;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String uplink() {
        return uplink;
    }

    String allowed() {
        return "203.0.113." + (16 * k + 1);
    }

    String blocked() {
        return "203.0.113." + (16 * k + 2);
    }

    String resolver() {
        return "203.0.113." + (16 * k + 3);
    }

    String privateAddress() {
        return privateAddress;
    }

    /** Requests that reached the test host at {@code address}. */
    long hits(String address) {
        return count("HIT " + address);
    }

    /** Requests that reached the test host at {@code address} on port 8080. */
    long hits8080(String address) {
        return count("HIT8080 " + address);
    }

    /** Connections that reached port 443 of the test host at {@code address}. */
    long tlsHits(String address) {
        return count("TLS " + address);
    }

    private long count(String line) {
        try {
            return Files.readAllLines(log).stream().filter(l -> l.equals(line)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void build() throws IOException {
        run("ip", "netns", "add", namespace);
        undo.add(List.of("ip", "netns", "del", namespace));
        run("ip", "link", "add", uplink, "type", "veth", "peer", "name", "eth0", "netns", namespace);
        undo.add(List.of("ip", "link", "del", uplink));
        run("ip", "addr", "add", hostEnd + "/30", "dev", uplink);
        run("ip", "link", "set", uplink, "up");
        List<String> inside = List.of("link set lo up", "addr add " + namespaceEnd + "/30 dev eth0", "link set eth0 up",
                "addr add " + allowed() + "/32 dev lo", "addr add " + blocked() + "/32 dev lo",
                "addr add " + resolver() + "/32 dev lo", "addr add " + privateAddress + "/32 dev lo",
                "addr add " + METADATA + "/32 dev lo", "route add default via " + hostEnd);
        for (String line : inside) {
            run(("ip -n " + namespace + " " + line).split(" "));
        }
        for (String prefix : List.of(publicBlock, privateAddress + "/32", METADATA + "/32")) {
            run("ip", "route", "add", prefix, "via", namespaceEnd, "dev", uplink, "metric", String.valueOf(metric));
            undo.add(List.of("ip", "route", "del", prefix, "via", namespaceEnd, "dev", uplink, "metric", String.valueOf(metric)));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        servers = new ProcessBuilder("ip", "netns", "exec", namespace, java, "-cp", System.getProperty("java.class.path"),
                TestInternetHost.class.getName(), resolver(), "allowed.test.wrenn=" + allowed(),
                "blocked.test.wrenn=" + blocked())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("READY") || !servers.isAlive());
        if (!servers.isAlive()) {
            throw new IllegalStateException("the test internet's servers did not start: " + Files.readString(log));
        }
    }

    private static void run(String... argv) throws IOException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", argv) + ": " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (servers != null) {
            servers.destroyForcibly();
            try {
                servers.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (List<String> step : undo.reversed()) {
            try {
                new ProcessBuilder(step).redirectErrorStream(true).start().waitFor();
            } catch (IOException | InterruptedException e) {
                // best effort: the next step may still succeed
            }
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a temporary file
        }
    }
}
