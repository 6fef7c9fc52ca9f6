package io.wrenn.controlplane.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Password guessing is throttled per account and address, and per address; the right person
 * from another address is never locked out. Clients send from distinct loopback addresses
 * (127.0.0.0/8 all reaches this machine), so the server sees real, different peers.
 */
class LoginThrottleTest {

    static String login(Person person, String password) {
        return "{\"email\":\"" + person.email() + "\",\"password\":\"" + password + "\"}";
    }

    @Test
    void twentyWrongPasswordsAreRateLimitedWithoutLockingOutTheRightPersonElsewhere() {
        try (TestControlPlane wrenn = new TestControlPlane()) {
            Person victim = wrenn.signup("Victim");
            Http attacker = wrenn.http.withKey(null).from("127.0.0.2");
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                statuses.add(attacker.post("/v1/auth/login", login(victim, "guess-number-" + i)).status());
            }
            assertThat(statuses.subList(0, LoginThrottle.MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS)).containsOnly(401);
            assertThat(statuses.subList(LoginThrottle.MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS, 20)).containsOnly(429);
            Http.Response limited = attacker.post("/v1/auth/login", login(victim, victim.password()));
            assertThat(limited.status()).as("even the right password, from the guessing address").isEqualTo(429);
            assertThat(limited.code()).isEqualTo("rate_limited");
            assertThat(limited.header("Retry-After")).isNotNull();

            Http.Response elsewhere = wrenn.http.withKey(null).from("127.0.0.3").post("/v1/auth/login", login(victim, victim.password()));
            assertThat(elsewhere.status()).as(elsewhere.toString()).isEqualTo(200);
        }
    }

    @Test
    void oneAddressGuessingManyAccountsIsLimitedToo() {
        try (TestControlPlane wrenn = new TestControlPlane()) {
            Http attacker = wrenn.http.withKey(null).from("127.0.0.4");
            for (int i = 0; i < LoginThrottle.MAX_FAILURES_PER_ADDRESS; i++) {
                assertThat(attacker.post("/v1/auth/login", "{\"email\":\"spray" + i + "@example.com\",\"password\":\"wrong-password\"}")
                        .status()).isEqualTo(401);
            }
            Person fresh = wrenn.signup("Fresh");
            assertThat(attacker.post("/v1/auth/login", login(fresh, "wrong-password")).status()).isEqualTo(429);
            assertThat(wrenn.http.withKey(null).from("127.0.0.5").post("/v1/auth/login", login(fresh, fresh.password())).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void forwardedForIsIgnoredUnlessTheProxyIsTrusted() {
        try (TestControlPlane untrusting = new TestControlPlane()) {
            Person victim = untrusting.signup("Victim");
            Http attacker = untrusting.http.withKey(null).from("127.0.0.6");
            for (int i = 0; i < 12; i++) {
                // A new made-up address each time would dodge the throttle if the header were believed.
                attacker.withHeader("X-Forwarded-For", "198.51.100." + i).post("/v1/auth/login", login(victim, "guess-" + i));
            }
            assertThat(attacker.withHeader("X-Forwarded-For", "198.51.100.99").post("/v1/auth/login", login(victim, "guess")).status())
                    .isEqualTo(429);
        }
        try (TestControlPlane behindProxy = new TestControlPlane(b -> b.trustedProxies(List.of("127.0.0.0/8")))) {
            Person victim = behindProxy.signup("Victim");
            Http proxy = behindProxy.http.withKey(null).from("127.0.0.7");
            Http attacker = proxy.withHeader("X-Forwarded-For", "203.0.113.9, 127.0.0.9");
            for (int i = 0; i < LoginThrottle.MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS; i++) {
                assertThat(attacker.post("/v1/auth/login", login(victim, "guess-" + i)).status()).isEqualTo(401);
            }
            assertThat(attacker.post("/v1/auth/login", login(victim, victim.password())).status()).isEqualTo(429);
            Http.Response honest = proxy.withHeader("X-Forwarded-For", "203.0.113.10").post("/v1/auth/login", login(victim, victim.password()));
            assertThat(honest.status()).isEqualTo(200);
            // The audit log knows where the person really was.
            Http.Response log = victim.http().withToken(honest.json().get("token").stringValue()).get("/v1/audit-logs?action=POST%20/v1/auth/login");
            assertThat(log.status()).isEqualTo(200);
            assertThat(log.json().get("entries").get(0).get("client_address").stringValue()).isEqualTo("203.0.113.10");
        }
    }
}
