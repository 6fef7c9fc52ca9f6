package io.wrenn.controlplane.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.auth.Bootstrap;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A team's quota of unfinished builds holds when many submissions race for its last slots. */
class BuildQuotaRaceTest {

    private static final int QUOTA = 3;
    private static final int SUBMISSIONS = 24;

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();

    @Test
    void racingSubmissionsGetExactlyTheQuotaAndTheRestAreRefused() throws Exception {
        Person alice = wrenn.signup("Alice");
        Http admin = wrenn.http.withToken(wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + Bootstrap.ADMIN_EMAIL + "\",\"password\":\"" + wrenn.adminPassword + "\"}")
                .json().get("token").stringValue());
        assertThat(admin.send("PUT", "/v1/admin/teams/" + alice.teamId() + "/quota", "application/json",
                ("{\"max_concurrent_builds\":" + QUOTA + "}").getBytes()).status()).isEqualTo(200);
        // Builders never finish booting: every accepted build stays unfinished, holding its slot.
        CountDownLatch boot = new CountDownLatch(1);
        wrenn.agent.createGate = boot;
        CountDownLatch go = new CountDownLatch(1);
        List<Http.Response> answers = new ArrayList<>();
        try (ExecutorService callers = Executors.newFixedThreadPool(SUBMISSIONS)) {
            List<Future<Http.Response>> pending = new ArrayList<>();
            for (int i = 0; i < SUBMISSIONS; i++) {
                String body = "{\"name\":\"race-" + i + "\",\"recipe\":\"FROM minimal\\nRUN true\"}";
                pending.add(callers.submit(() -> {
                    go.await();
                    return alice.http().post("/v1/builds", body);
                }));
            }
            go.countDown();
            for (Future<Http.Response> answer : pending) {
                answers.add(answer.get());
            }
        } finally {
            boot.countDown();
            wrenn.agent.createGate = null;
        }
        List<Http.Response> accepted = answers.stream().filter(a -> a.status() / 100 == 2).toList();
        List<Http.Response> refused = answers.stream().filter(a -> a.status() / 100 != 2).toList();
        assertThat(accepted).as(answers.toString()).hasSize(QUOTA);
        assertThat(refused).hasSize(SUBMISSIONS - QUOTA).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.code()).isEqualTo("quota_exceeded");
            assertThat(r.json().get("message").stringValue()).contains(QUOTA + " template builds");
        });
    }
}
