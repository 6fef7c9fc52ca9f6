package io.wrenn.hostagent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.HostAgentServer;
import io.wrenn.hostagent.protocol.DestroySandboxRequest;
import io.wrenn.hostagent.protocol.ExecRequest;
import io.wrenn.hostagent.protocol.GetHostInfoRequest;
import io.wrenn.hostagent.protocol.MetricSample;
import io.wrenn.hostagent.protocol.ReadMetricsRequest;
import io.wrenn.hostagent.protocol.ReadMetricsResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The host agent's sampler against real VMs: a sandbox burning CPU and filling memory shows it
 * in its samples, an idle one shows near zero, samples of a destroyed sandbox can still be read,
 * and the agent's Prometheus endpoint answers only its token. The boot deadline is long: this
 * test is about sampling, not about boots on a busy machine.
 */
@Tag("vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SandboxMetricsTest {

    private static final String TOKEN = "metrics-token-" + UUID.randomUUID();

    private AgentFixture agent;
    private final String busy = UUID.randomUUID().toString();
    private final String idle = UUID.randomUUID().toString();
    private final List<MetricSample> seen = new ArrayList<>();
    private String epoch = "";
    private long after;

    @BeforeAll
    void start() throws Exception {
        AgentFixture.assumeVmsPossible();
        agent = new AgentFixture(Files.createTempDirectory("wrenn-metrics-it-"));
        HostAgentConfig config = agent.config(HostAgentConfig.ShutdownPolicy.DESTROY_VMS).withBoot(Duration.ofSeconds(120), 2);
        agent.start(new HostAgentServer(config).exposeMetrics(0, TOKEN));
        agent.stub.withDeadlineAfter(5, TimeUnit.MINUTES).createSandbox(AgentFixture.minimal(busy).build());
        agent.stub.withDeadlineAfter(5, TimeUnit.MINUTES).createSandbox(AgentFixture.minimal(idle).build());
    }

    @AfterAll
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
            try (var paths = java.nio.file.Files.walk(agent.home)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Everything the agent sampled since the last read. */
    private synchronized List<MetricSample> drain() {
        ReadMetricsResponse response;
        do {
            response = agent.stub.readMetrics(ReadMetricsRequest.newBuilder().setEpoch(epoch).setAfterSequence(after).build());
            epoch = response.getEpoch();
            if (response.getSamplesCount() > 0) {
                after = response.getSamples(response.getSamplesCount() - 1).getSequence();
            }
            seen.addAll(response.getSamplesList());
        } while (response.getMore());
        return seen;
    }

    private List<MetricSample> of(String sandbox) {
        return drain().stream().filter(s -> s.getSandboxId().equals(sandbox)).toList();
    }

    @Test
    void busyShowsCpuAndMemoryIdleShowsNearZeroAndADestroyedSandboxsSamplesRemain() throws Exception {
        var run = agent.exec(ExecRequest.newBuilder().setSandboxId(busy).setCmd("sh").setUser("root").addArgs("-c")
                .addArgs("mkdir -p /mnt/fill && mount -t tmpfs -o size=200m tmpfs /mnt/fill"
                        + " && dd if=/dev/zero of=/mnt/fill/f bs=1M count=120 2>/dev/null"
                        + " && (setsid sh -c 'end=$(($(date +%s)+90)); while [ $(date +%s) -lt $end ]; do :; done'"
                        + " >/dev/null 2>&1 &)").build());
        assertThat(run.exited().getExitCode()).as(run.stderr()).isZero();

        // CPU % is the share of wall time QEMU got: on a loaded machine a busy loop gets far less
        // than a core, so the busy sandbox is compared with the idle one, not with 100.
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(of(busy)).anySatisfy(s -> assertThat(s.getMemUsedBytes()).isGreaterThan(120L << 20));
            List<MetricSample> quiet = of(idle);
            assertThat(quiet).hasSizeGreaterThanOrEqualTo(3);
            double idlePeak = quiet.subList(quiet.size() - 3, quiet.size()).stream().mapToDouble(MetricSample::getCpuPct).max().orElseThrow();
            double busyPeak = of(busy).stream().mapToDouble(MetricSample::getCpuPct).max().orElseThrow();
            assertThat(busyPeak).isGreaterThan(10).isGreaterThan(4 * idlePeak);
            assertThat(quiet.getLast().getMemUsedBytes()).isPositive();
            assertThat(quiet.getLast().getMemTotalBytes()).isBetween(100L << 20, 256L << 20);
            assertThat(quiet.getLast().getDiskTotalBytes()).isPositive();
        });
        // Bytes through the sandbox's network are counted: the exec above went over it.
        assertThat(of(busy).stream().mapToLong(s -> s.getNetRxBytes() + s.getNetTxBytes()).sum()).isPositive();

        int before = of(idle).size();
        agent.stub.destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(idle).build());
        // A reader from an earlier epoch (a restarted control plane) still gets the samples taken before the destroy.
        ReadMetricsResponse fresh = agent.stub.readMetrics(ReadMetricsRequest.newBuilder().setLimit(5000).build());
        assertThat(fresh.getSamplesList().stream().filter(s -> s.getSandboxId().equals(idle)).count()).isGreaterThanOrEqualTo(before);
    }

    @Test
    void thePrometheusEndpointAnswersOnlyItsToken() throws Exception {
        int port = agent.stub.getHostInfo(GetHostInfoRequest.getDefaultInstance()).getMetricsPort();
        assertThat(port).isEqualTo(agent.server.metrics().port()).isPositive();
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + port + "/metrics");
        assertThat(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        assertThat(http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + AgentFixture.SECRET).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("wrenn_agent_sandboxes{state=\"running\"}", "wrenn_agent_accelerator{accelerator=\"tcg\"} 1",
                "wrenn_agent_operation_seconds_count{operation=\"create_cold\",outcome=\"ok\"}", "wrenn_agent_sampler_cpu_seconds_total");
        assertThat(ok.body()).doesNotContain(busy);
    }
}
