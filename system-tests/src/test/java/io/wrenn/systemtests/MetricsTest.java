package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennClient.Response;
import io.wrenn.testkit.WrennFixture;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Metrics end to end with real VMs: a sandbox burning CPU and filling memory shows it in its
 * series, an idle one shows near zero, team stats follow the sandboxes (the paused formula
 * included), series outlive pause and destroy, bad ranges are 400, and a real Prometheus
 * (Debian's package, on loopback) scrapes both the control plane and the host agent.
 */
@Tag("vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsTest {
    private static final Duration SLOW = Duration.ofMinutes(3);

    private WrennFixture wrenn;
    private WrennClient api;
    private String busy;
    private String idle;

    @BeforeAll
    void start() {
        wrenn = WrennFixture.start();
        api = wrenn.client();
        busy = api.createSandbox(Map.of("template", "minimal")).get("id").asString();
        ok(api.post("/v1/snapshots", Map.of("sandbox_id", busy, "name", "metrics-snap")), 201);
        idle = api.createSandbox(Map.of("template", "metrics-snap")).get("id").asString();
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    private static JsonNode ok(Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return status == 204 ? null : response.json();
    }

    private JsonNode series(String sandbox, String query) {
        return ok(api.get("/v1/sandboxes/" + sandbox + "/metrics?" + query), 200);
    }

    private static List<JsonNode> measured(JsonNode series) {
        List<JsonNode> points = new ArrayList<>();
        series.get("points").forEach(p -> {
            if (!p.get("cpu_pct").isNull()) {
                points.add(p);
            }
        });
        return points;
    }

    @Test
    @Order(1)
    void aBusySandboxShowsItsCpuAndMemoryAndAnIdleOneNearZero() {
        JsonNode run = api.exec(busy, Map.of("cmd", "sh", "args", List.of("-c",
                "mkdir -p /mnt/fill && mount -t tmpfs -o size=200m tmpfs /mnt/fill"
                        + " && dd if=/dev/zero of=/mnt/fill/f bs=1M count=120 2>/dev/null"
                        + " && (setsid sh -c 'end=$(($(date +%s)+120)); while [ $(date +%s) -lt $end ]; do :; done'"
                        + " >/dev/null 2>&1 &)"),
                "user", "root"));
        assertThat(run.get("exit_code").asInt()).as(run.toString()).isZero();

        // CPU % is the share of wall time QEMU got: on a loaded machine a busy loop gets far less
        // than a core, so the busy sandbox is compared with the idle one, not with 100.
        await().atMost(SLOW).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonNode series = series(busy, "range=5m");
            assertThat(series.get("step_seconds").asInt()).isEqualTo(5);
            List<JsonNode> points = measured(series);
            assertThat(points).anySatisfy(p -> assertThat(p.get("mem_used_bytes").asLong()).isGreaterThan(120L << 20));
            List<JsonNode> quiet = measured(series(idle, "range=5m"));
            assertThat(quiet).hasSizeGreaterThanOrEqualTo(3);
            double idlePeak = quiet.subList(quiet.size() - 3, quiet.size()).stream()
                    .mapToDouble(p -> p.get("cpu_pct").asDouble()).max().orElseThrow();
            double busyPeak = points.stream().mapToDouble(p -> p.get("cpu_pct_max").asDouble()).max().orElseThrow();
            assertThat(busyPeak).isGreaterThan(10).isGreaterThan(4 * idlePeak);
            assertThat(quiet.getLast().get("mem_total_bytes").asLong()).isPositive();
        });
    }

    @Test
    @Order(2)
    void everyStepOfTheRangeIsThereWithGapsAsNulls() {
        JsonNode series = series(idle, "range=10m");
        JsonNode points = series.get("points");
        assertThat(points.size()).isBetween(120, 121);
        long previous = -1;
        for (JsonNode p : points) {
            long ts = p.get("timestamp").asLong();
            assertThat(ts % 5).isZero();
            if (previous >= 0) {
                assertThat(ts - previous).isEqualTo(5);
            }
            previous = ts;
        }
        // Before the sandbox existed: nulls, not zeros.
        assertThat(points.get(0).get("cpu_pct").isNull()).isTrue();
    }

    @Test
    @Order(3)
    void badRangesAre400AndTheFutureHasNoPoints() {
        for (String query : List.of("range=3m", "range=", "range=1h&start=1", "start=abc", "start=200&end=100",
                "start=1&end=99999999", "range=1h&range=5m")) {
            Response response = api.get("/v1/sandboxes/" + busy + "/metrics?" + query);
            assertThat(response.status()).as(query).isEqualTo(400);
            assertThat(response.json().get("code").asString()).isEqualTo("invalid_request");
        }
        assertThat(api.get("/v1/sandboxes/stats?range=2h").status()).isEqualTo(400);
        long now = Instant.now().getEpochSecond();
        JsonNode future = ok(api.get("/e2b/sandboxes/" + busy + "/metrics?start=" + (now + 600) + "&end=" + (now + 1200)), 200);
        assertThat(future.size()).isZero();
        assertThat(api.get("/e2b/sandboxes/" + busy + "/metrics?start=200&end=100").status()).isEqualTo(400);
        assertThat(ok(api.get("/e2b/sandboxes/" + busy + "/metrics?start=0"), 200).size()).isPositive();
        JsonNode e2b = ok(api.get("/e2b/sandboxes/" + busy + "/metrics"), 200);
        assertThat(e2b.size()).isPositive();
        assertThat(e2b.get(0).has("cpuUsedPct")).isTrue();
        assertThat(e2b.get(e2b.size() - 1).get("timestampUnix").asLong()).isLessThanOrEqualTo(Instant.now().getEpochSecond());
        JsonNode latest = ok(api.get("/e2b/sandboxes/metrics?sandbox_ids=" + busy + ",sb-nothing"), 200).get("sandboxes");
        assertThat(latest.has(busy)).isTrue();
        assertThat(latest.size()).isEqualTo(1);
        assertThat(api.get("/e2b/sandboxes/metrics").status()).isEqualTo(400);
        // Another team sees neither the series nor that the sandbox exists.
        WrennClient other = api.withKey(wrenn.createTeamWithKey("other"));
        assertThat(other.get("/v1/sandboxes/" + busy + "/metrics").status()).isEqualTo(404);
        assertThat(other.get("/e2b/sandboxes/" + busy + "/metrics").status()).isEqualTo(404);
        assertThat(ok(other.get("/e2b/sandboxes/metrics?sandbox_ids=" + busy), 200).get("sandboxes").size()).isZero();
    }

    @Test
    @Order(4)
    void statsFollowTheSandboxesWithPausedOnesAtHalfTheirMemory() {
        JsonNode busyRow = ok(api.get("/v1/sandboxes/" + busy), 200);
        JsonNode idleRow = ok(api.get("/v1/sandboxes/" + idle), 200);
        int vcpus = busyRow.get("vcpus").asInt() + idleRow.get("vcpus").asInt();
        JsonNode current = ok(api.get("/v1/sandboxes/stats?range=5m"), 200).get("current");
        assertThat(current.get("running").asInt()).isEqualTo(2);
        assertThat(current.get("vcpus_reserved").asInt()).isEqualTo(vcpus);
        assertThat(current.get("memory_mb_reserved").asInt())
                .isEqualTo(busyRow.get("memory_mb").asInt() + idleRow.get("memory_mb").asInt());

        ok(api.post("/v1/sandboxes/" + idle + "/pause", Map.of()), 200);
        int expectedMemory = busyRow.get("memory_mb").asInt() + (idleRow.get("memory_mb").asInt() + 1) / 2;
        JsonNode stats = ok(api.get("/v1/sandboxes/stats?range=5m"), 200);
        assertThat(stats.get("current").get("running").asInt()).isEqualTo(1);
        assertThat(stats.get("current").get("paused").asInt()).isEqualTo(1);
        assertThat(stats.get("current").get("vcpus_reserved").asInt()).isEqualTo(busyRow.get("vcpus").asInt());
        assertThat(stats.get("current").get("memory_mb_reserved").asInt()).isEqualTo(expectedMemory);
        // The sampled series reaches the same figures within a few sampling periods.
        await().atMost(SLOW).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonNode points = ok(api.get("/v1/sandboxes/stats?range=5m"), 200).get("points");
            assertThat(points.size()).isBetween(30, 31);
            assertThat(points).anySatisfy(p -> {
                assertThat(p.get("paused").asInt()).isEqualTo(1);
                assertThat(p.get("running").asInt()).isEqualTo(1);
                assertThat(p.get("memory_mb_reserved").asInt()).isEqualTo(expectedMemory);
            });
        });
        JsonNode admin = ok(admin().get("/v1/admin/stats?range=1h"), 200);
        assertThat(admin.get("current").get("paused").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(admin.get("hosts")).anySatisfy(h -> {
            assertThat(h.get("cpu_count").asInt()).isPositive();
            assertThat(h.get("current").get("running").asInt()).isGreaterThanOrEqualTo(1);
        });
        assertThat(api.get("/v1/admin/stats").status()).isEqualTo(403);
    }

    @Test
    @Order(5)
    void seriesOutlivePauseAndDestroy() {
        assertThat(measured(series(idle, "range=10m"))).isNotEmpty();
        ok(api.delete("/v1/sandboxes/" + idle), 204);
        JsonNode after = series(idle, "range=10m");
        assertThat(measured(after)).isNotEmpty();
    }

    @Test
    @Order(6)
    void prometheusScrapesTheControlPlaneAndTheHostAgent() throws Exception {
        String token = wrenn.wrenn().metricsToken();
        HttpClient http = HttpClient.newHttpClient();
        URI cpMetrics = URI.create("http://127.0.0.1:" + wrenn.apiPort() + "/metrics");
        assertThat(http.send(HttpRequest.newBuilder(cpMetrics).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        // A team's API key does not open it: only the operator's token does.
        assertThat(http.send(HttpRequest.newBuilder(cpMetrics).header("X-API-Key", wrenn.wrenn().apiKey()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        String text = http.send(HttpRequest.newBuilder(cpMetrics).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(text).contains("wrenn_sandboxes{state=\"running\"}").doesNotContain(busy).doesNotContain(idle);

        Path dir = Files.createTempDirectory("wrenn-prometheus-");
        Path tokenFile = Files.writeString(dir.resolve("token"), token);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: control-plane
                    authorization: {credentials_file: %s}
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                  - job_name: host-agent
                    authorization: {credentials_file: %s}
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(tokenFile, wrenn.apiPort(), tokenFile, wrenn.wrenn().agent().metrics().port()));
        Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            await().atMost(SLOW).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(query(http, port, "wrenn_sandboxes{state=\"running\"}")).isEqualTo(1);
                assertThat(query(http, port, "wrenn_agent_sandboxes{state=\"running\"}")).isEqualTo(1);
                assertThat(query(http, port, "sum(wrenn_sandbox_creates_total{outcome=\"ok\"})")).isGreaterThanOrEqualTo(2);
                assertThat(query(http, port, "sum(wrenn_agent_operation_seconds_count{operation=\"pause\"})")).isGreaterThanOrEqualTo(1);
                assertThat(query(http, port, "sum(wrenn_agent_accelerator)")).isEqualTo(1);
                assertThat(query(http, port, "max(wrenn_host_cpus)")).isPositive();
                assertThat(query(http, port, "wrenn_build_queue_depth")).isZero();
            });
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor();
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The value of an instant query on the Prometheus at {@code port} (-1 when it has none yet). */
    private static double query(HttpClient http, int port, String promql) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return -1;
        }
        JsonNode result = JsonMapper.builder().build().readTree(response.body()).path("data").path("result");
        return result.isEmpty() ? -1 : result.get(0).path("value").get(1).asDouble();
    }

    private WrennClient admin() {
        Response login = api.withKey(null).post("/v1/auth/login",
                Map.of("email", wrenn.wrenn().adminEmail(), "password", wrenn.wrenn().adminPassword()));
        return api.withToken(ok(login, 200).get("token").asString());
    }
}
