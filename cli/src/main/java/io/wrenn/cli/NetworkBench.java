package io.wrenn.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * `wrenn bench`'s inbound rows: HTTP requests per second to a server in a sandbox, through the
 * traffic path (control plane → host agent's traffic listener → the port) against the same
 * requests sent straight to the sandbox namespace's address (the floor), sequential and
 * concurrent. The server is busybox's httpd, or Python's when the image has no httpd applet.
 */
final class NetworkBench {

    static final int PORT = 8000;
    /** Started in the guest: a static page on {@link #PORT}, whichever server the image has. */
    static final String SERVER = "mkdir -p /tmp/www && echo bench > /tmp/www/index.html && "
            + "(busybox httpd -p " + PORT + " -h /tmp/www 2>/dev/null || "
            + "(setsid python3 -m http.server " + PORT + " -d /tmp/www </dev/null >/dev/null 2>&1 &))";
    private static final int CONCURRENCY = 8;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final int requests;

    NetworkBench(int requests) {
        this.requests = requests;
    }

    /** Rates of both paths, as lines for the report; waits first until both answer. */
    List<String> run(String baseUrl, String apiKey, String sandboxId, String namespaceAddress) throws Exception {
        HttpRequest viaWrenn = HttpRequest.newBuilder(URI.create(baseUrl + "/e2b/sandbox/index.html"))
                .header("E2b-Sandbox-Id", sandboxId).header("E2b-Sandbox-Port", Integer.toString(PORT))
                .header("X-API-Key", apiKey).build();
        HttpRequest direct = HttpRequest.newBuilder(URI.create("http://" + namespaceAddress + ":" + PORT + "/index.html")).build();
        awaitAnswer(viaWrenn);
        awaitAnswer(direct);
        double viaSequential = rate(viaWrenn, 1);
        double directSequential = rate(direct, 1);
        double viaConcurrent = rate(viaWrenn, CONCURRENCY);
        double directConcurrent = rate(direct, CONCURRENCY);
        List<String> lines = new ArrayList<>();
        lines.add("| HTTP GET through the inbound path, sequential (req/s) | %.0f | straight to the namespace: %.0f | %.2f× |"
                .formatted(viaSequential, directSequential, viaSequential / directSequential));
        lines.add("| HTTP GET through the inbound path, %d concurrent (req/s) | %.0f | straight to the namespace: %.0f | %.2f× |"
                .formatted(CONCURRENCY, viaConcurrent, directConcurrent, viaConcurrent / directConcurrent));
        return lines;
    }

    private void awaitAnswer(HttpRequest request) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the bench server in the sandbox did not answer " + request.uri());
            }
            Thread.sleep(300);
        }
    }

    /** Requests per second for {@link #requests} GETs spread over {@code workers}, each a 200. */
    private double rate(HttpRequest request, int workers) throws Exception {
        AtomicInteger left = new AtomicInteger(requests);
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                done.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        int status = http.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
                        if (status != 200) {
                            throw new IllegalStateException(request.uri() + " answered " + status);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        return requests / ((System.nanoTime() - t0) / 1e9);
    }
}
