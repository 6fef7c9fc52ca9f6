package io.wrenn.controlplane.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-host budgets and the bounded queue of starts, against a fake host of a chosen size. */
class AdmissionTest {

    TestControlPlane wrenn;

    @AfterEach
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    private Http.Response create(int memoryMb) {
        return wrenn.http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"memory_mb\":" + memoryMb + "}");
    }

    @Test
    void aCreateAskingMoreMemoryThanTheHostHasIsRefusedAndCreatesNothing() {
        wrenn = new TestControlPlane();
        wrenn.agent.memoryMb = 4096; // a budget of 3072 MiB after the host's own 1024
        Http.Response refused = create(4096);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
        assertThat(refused.code()).isEqualTo("capacity_exceeded");
        assertThat(refused.header("Retry-After")).isNotBlank();
        assertThat(wrenn.agent.creates).isEmpty();
        assertThat(wrenn.http.get("/v1/sandboxes").json().get("sandboxes")).isEmpty();

        // The E2B facade refuses in its own shape (the status as a number), with the same header.
        wrenn.agent.memoryMb = 1024; // nothing left once the host's own share is taken
        Http.Response e2b = wrenn.http.post("/e2b/sandboxes", "{\"templateID\":\"minimal\"}");
        assertThat(e2b.status()).as(e2b.toString()).isEqualTo(503);
        assertThat(e2b.json().get("code").intValue()).isEqualTo(503);
        assertThat(e2b.header("Retry-After")).isNotBlank();
        assertThat(wrenn.agent.creates).isEmpty();
    }

    @Test
    void theBudgetFillsUpAndAPausedSandboxCountsHalfItsMemory() {
        wrenn = new TestControlPlane();
        wrenn.agent.memoryMb = 4096; // budget 3072 MiB
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Http.Response created = create(1024);
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            ids.add(created.json().get("id").stringValue());
        }
        assertThat(create(128).code()).isEqualTo("capacity_exceeded");
        assertThat(wrenn.agent.creates).hasSize(3);

        // Paused, one keeps ceil(1024/2) = 512 MiB: room for 512 more, not for 1024.
        assertThat(wrenn.http.post("/v1/sandboxes/" + ids.get(0) + "/pause", "").status()).isEqualTo(200);
        assertThat(create(1024).code()).isEqualTo("capacity_exceeded");
        Http.Response fits = create(512);
        assertThat(fits.status()).as(fits.toString()).isEqualTo(201);

        // Resuming needs its whole memory back: refused while the host is full, and it stays paused.
        Http.Response resume = wrenn.http.post("/v1/sandboxes/" + ids.get(0) + "/resume", "");
        assertThat(resume.code()).as(resume.toString()).isEqualTo("capacity_exceeded");
        assertThat(wrenn.http.get("/v1/sandboxes/" + ids.get(0)).json().get("status").stringValue()).isEqualTo("paused");
        assertThat(wrenn.http.delete("/v1/sandboxes/" + fits.json().get("id").stringValue()).status()).isEqualTo(204);
        assertThat(wrenn.http.post("/v1/sandboxes/" + ids.get(0) + "/resume", "").status()).isEqualTo(200);
    }

    @Test
    void vcpusAreBoundedByTheirOvercommit() {
        wrenn = new TestControlPlane();
        wrenn.agent.cpuCount = 1; // 16 vCPUs at the default overcommit of 16
        assertThat(wrenn.http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"vcpus\":8}").status()).isEqualTo(201);
        assertThat(wrenn.http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"vcpus\":8}").status()).isEqualTo(201);
        Http.Response refused = wrenn.http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"vcpus\":1}");
        assertThat(refused.code()).as(refused.toString()).isEqualTo("capacity_exceeded");
        assertThat(refused.text()).contains("vCPUs");
    }

    @Test
    void createsBeyondTheConcurrentStartBoundWaitTheirTurnAndAllSucceed() throws Exception {
        wrenn = new TestControlPlane(config -> config.capacity(Capacity.defaults().withStartsPerHost(1)));
        CountDownLatch gate = new CountDownLatch(1);
        wrenn.agent.createGate = gate;
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Http.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                answers.add(callers.submit(() -> create(256)));
            }
            // All three are admitted (their rows exist), but only one start reaches the host.
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    wrenn.http.get("/v1/sandboxes").json().get("sandboxes").size() == 3);
            // The first start is on its way to the host; the other two stay queued behind it.
            await().atMost(Duration.ofSeconds(30)).until(() -> wrenn.agent.creates.size() >= 1);
            assertThat(wrenn.agent.creates).hasSize(1);
            gate.countDown();
            for (Future<Http.Response> answer : answers) {
                assertThat(answer.get().status()).as(answer.get().toString()).isEqualTo(201);
            }
        }
        assertThat(wrenn.agent.creates).hasSize(3);
    }

    @Test
    void aStartThatWaitsTooLongIsRefusedWithRetryAfter() throws Exception {
        wrenn = new TestControlPlane(config -> config.capacity(
                new Capacity(1024, 1.0, 4.0, 2048, 2.0, 1, Duration.ofMillis(300))));
        CountDownLatch gate = new CountDownLatch(1);
        wrenn.agent.createGate = gate;
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Http.Response> first = callers.submit(() -> create(256));
            await().atMost(Duration.ofSeconds(30)).until(() -> wrenn.agent.creates.size() == 1);
            Http.Response second = create(256);
            assertThat(second.status()).as(second.toString()).isEqualTo(503);
            assertThat(second.code()).isEqualTo("host_busy");
            assertThat(second.header("Retry-After")).isNotBlank();
            gate.countDown();
            assertThat(first.get().status()).isEqualTo(201);
        }
        assertThat(wrenn.agent.creates).hasSize(1);
    }
}
