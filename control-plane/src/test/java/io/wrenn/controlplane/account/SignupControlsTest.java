package io.wrenn.controlplane.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.http.ClientAddress;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The operator's switch on sign-up, and the per-address and per-person limits on sign-ups and keys. */
class SignupControlsTest {

    private static Http.Response signup(Http http, String email) {
        return http.post("/v1/auth/signup", "{\"email\":\"" + email + "\",\"password\":\"pw-" + UUID.randomUUID()
                + "\",\"name\":\"Someone\"}");
    }

    private static String fresh(String domain) {
        return "p-" + UUID.randomUUID().toString().substring(0, 8) + "@" + domain;
    }

    @Test
    void closedSignUpRefusesEveryoneAndCreatesNobody() {
        try (TestControlPlane wrenn = new TestControlPlane(c -> c.signup(new SignupPolicy(SignupPolicy.Mode.CLOSED, List.of(), 10, 10)))) {
            Http anonymous = wrenn.http.withKey(null);
            String email = fresh("example.com");
            Http.Response refused = signup(anonymous, email);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.code()).isEqualTo("signup_closed");
            assertThat(anonymous.post("/v1/auth/login", "{\"email\":\"" + email + "\",\"password\":\"whatever-long\"}").status())
                    .isEqualTo(401);
        }
    }

    @Test
    void signUpRestrictedToDomainsAdmitsOnlyThem() {
        try (TestControlPlane wrenn = new TestControlPlane(c -> c.signup(
                new SignupPolicy(SignupPolicy.Mode.DOMAINS, List.of("Example.com"), 10, 10)))) {
            Http anonymous = wrenn.http.withKey(null);
            assertThat(signup(anonymous, fresh("example.com")).status()).isEqualTo(201);
            assertThat(signup(anonymous, fresh("EXAMPLE.COM")).status()).isEqualTo(201);
            assertThat(signup(anonymous, fresh("example.org")).code()).isEqualTo("signup_closed");
            assertThat(signup(anonymous, fresh("evil-example.com")).code()).isEqualTo("signup_closed");
        }
    }

    @Test
    void signUpsPerAddressAndKeysPerPersonAreLimited() {
        try (TestControlPlane wrenn = new TestControlPlane(c -> c.signup(new SignupPolicy(SignupPolicy.Mode.OPEN, List.of(), 2, 2)))) {
            Http one = wrenn.http.withKey(null).from("127.0.0.5");
            Http.Response first = signup(one, fresh("example.com"));
            assertThat(first.status()).isEqualTo(201);
            assertThat(signup(one, fresh("example.com")).status()).isEqualTo(201);
            Http.Response third = signup(one, fresh("example.com"));
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.code()).isEqualTo("rate_limited");
            assertThat(third.header("Retry-After")).isNotBlank();
            assertThat(signup(wrenn.http.withKey(null).from("127.0.0.6"), fresh("example.com")).status()).isEqualTo(201);

            Http person = wrenn.http.withToken(first.json().get("token").stringValue());
            assertThat(person.post("/v1/api-keys", "{\"name\":\"a\"}").status()).isEqualTo(201);
            assertThat(person.post("/v1/api-keys", "{\"name\":\"b\"}").status()).isEqualTo(201);
            Http.Response refused = person.post("/v1/api-keys", "{\"name\":\"c\"}");
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.code()).isEqualTo("rate_limited");
        }
    }

    @Test
    void anIpv6AddressCountsByItsSlash64() {
        assertThat(ClientAddress.throttleKey("2001:db8:1:2:aaaa::1")).isEqualTo(ClientAddress.throttleKey("2001:db8:1:2:bbbb::99"));
        assertThat(ClientAddress.throttleKey("2001:db8:1:2::1")).isNotEqualTo(ClientAddress.throttleKey("2001:db8:1:3::1"));
        assertThat(ClientAddress.throttleKey("192.0.2.7")).isEqualTo("192.0.2.7");
    }
}
