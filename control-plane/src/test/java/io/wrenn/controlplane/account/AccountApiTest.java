package io.wrenn.controlplane.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

class AccountApiTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static Http anonymous;

    @BeforeAll
    static void start() {
        anonymous = wrenn.http.withKey(null);
    }

    @Test
    void signupGivesATokenForANewTeamThatWorksOnSandboxRoutes() {
        Http.Response signup = anonymous.post("/v1/auth/signup",
                "{\"email\":\"  Ada.Lovelace@Example.COM \",\"password\":\"analytical-engine-1843\",\"name\":\"Ada Lovelace\"}");
        assertThat(signup.status()).as(signup.toString()).isEqualTo(201);
        JsonNode body = signup.json();
        assertThat(body.get("token_type").stringValue()).isEqualTo("Bearer");
        assertThat(body.get("expires_at").stringValue()).isNotEmpty();
        assertThat(body.get("user").get("email").stringValue()).isEqualTo("ada.lovelace@example.com");
        assertThat(body.get("user").get("id").stringValue()).matches("usr-[0-9a-z]{25}");
        assertThat(body.get("user").get("is_admin").booleanValue()).isFalse();
        assertThat(body.get("team").get("role").stringValue()).isEqualTo("owner");
        assertThat(signup.text()).doesNotContain("analytical-engine-1843").doesNotContain("argon2");
        Http ada = anonymous.withToken(body.get("token").stringValue());

        JsonNode me = ada.get("/v1/me").json();
        assertThat(me.get("user").get("email").stringValue()).isEqualTo("ada.lovelace@example.com");
        assertThat(me.get("team").get("id").stringValue()).isEqualTo(body.get("team").get("id").stringValue());
        assertThat(me.get("teams")).hasSize(1);

        Http.Response created = ada.post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String sandbox = created.json().get("id").stringValue();
        assertThat(ada.get("/v1/sandboxes/" + sandbox).status()).isEqualTo(200);
        // The bootstrap team cannot see it.
        assertThat(wrenn.http.get("/v1/sandboxes/" + sandbox).status()).isEqualTo(404);
        assertThat(ada.delete("/v1/sandboxes/" + sandbox).status()).isEqualTo(204);

        Http.Response login = anonymous.post("/v1/auth/login",
                "{\"email\":\"ADA.LOVELACE@example.com\",\"password\":\"analytical-engine-1843\"}");
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        assertThat(login.json().get("team").get("id").stringValue()).isEqualTo(body.get("team").get("id").stringValue());
    }

    @Test
    void anEmailHasOneAccountWhateverItsCase() {
        Person grace = wrenn.signup("Grace");
        Http.Response again = anonymous.post("/v1/auth/signup",
                "{\"email\":\"" + grace.email().toUpperCase() + "\",\"password\":\"some-other-phrase-1\",\"name\":\"Imposter\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.code()).isEqualTo("email_taken");
    }

    @Test
    void weakOrOversizedPasswordsAreRefusedAndNothingIsStored() {
        String[] weak = {"short", "password123", "1234567890", "aaaaaaaaaaaa", "abababababab", "x".repeat(129),
                "weakling@example.com", "weakling-pass", "tab\\tin-the-password"};
        for (String password : weak) {
            Http.Response response = anonymous.post("/v1/auth/signup",
                    "{\"email\":\"weakling@example.com\",\"password\":\"" + password + "\",\"name\":\"Weakling\"}");
            assertThat(response.status()).as(password + ": " + response).isEqualTo(400);
            assertThat(response.code()).isEqualTo("invalid_request");
        }
        assertThat(anonymous.post("/v1/auth/login", "{\"email\":\"weakling@example.com\",\"password\":\"weakling-pass\"}").status())
                .isEqualTo(401);
        assertThat(anonymous.post("/v1/auth/signup",
                "{\"email\":\"weakling@example.com\",\"password\":\"a-strong-enough-phrase\",\"name\":\"Weakling\"}").status())
                .isEqualTo(201);
    }

    @Test
    void wrongPasswordAndUnknownEmailLookTheSame() {
        Person alan = wrenn.signup("Alan");
        Http.Response wrong = anonymous.post("/v1/auth/login", "{\"email\":\"" + alan.email() + "\",\"password\":\"not-the-password\"}");
        Http.Response unknown = anonymous.post("/v1/auth/login", "{\"email\":\"nobody-here@example.com\",\"password\":\"not-the-password\"}");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.text()).isEqualTo(unknown.text());
    }

    @Test
    void changingThePasswordRetiresEveryOlderToken() {
        Person barbara = wrenn.signup("Barbara");
        Http.Response wrongCurrent = barbara.http().post("/v1/me/password",
                "{\"current_password\":\"not-it-at-all\",\"new_password\":\"a-brand-new-phrase\"}");
        assertThat(wrongCurrent.status()).isEqualTo(403);
        Http.Response weakNew = barbara.http().post("/v1/me/password",
                "{\"current_password\":\"" + barbara.password() + "\",\"new_password\":\"short\"}");
        assertThat(weakNew.status()).isEqualTo(400);

        Http.Response changed = barbara.http().post("/v1/me/password",
                "{\"current_password\":\"" + barbara.password() + "\",\"new_password\":\"a-brand-new-phrase\"}");
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(barbara.http().get("/v1/me").status()).isEqualTo(401);
        assertThat(barbara.http().withToken(changed.json().get("token").stringValue()).get("/v1/me").status()).isEqualTo(200);
        assertThat(anonymous.post("/v1/auth/login", "{\"email\":\"" + barbara.email() + "\",\"password\":\"" + barbara.password() + "\"}")
                .status()).isEqualTo(401);
        assertThat(anonymous.post("/v1/auth/login", "{\"email\":\"" + barbara.email() + "\",\"password\":\"a-brand-new-phrase\"}")
                .status()).isEqualTo(200);
    }

    @Test
    void switchTeamOnlyToTheTeamsOfThePerson() {
        Person edsger = wrenn.signup("Edsger");
        Person tony = wrenn.signup("Tony");
        Http.Response second = edsger.http().post("/v1/teams", "{\"name\":\"Structured\"}");
        assertThat(second.status()).isEqualTo(201);
        String secondTeam = second.json().get("id").stringValue();

        Http.Response switched = edsger.http().post("/v1/auth/switch-team", "{\"team_id\":\"" + secondTeam + "\"}");
        assertThat(switched.status()).as(switched.toString()).isEqualTo(200);
        assertThat(switched.json().get("team").get("id").stringValue()).isEqualTo(secondTeam);
        Http inSecond = anonymous.withToken(switched.json().get("token").stringValue());
        assertThat(inSecond.get("/v1/me").json().get("team").get("id").stringValue()).isEqualTo(secondTeam);

        Http.Response foreign = edsger.http().post("/v1/auth/switch-team", "{\"team_id\":\"" + tony.teamId() + "\"}");
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.code()).isEqualTo("team_not_found");
        assertThat(foreign.text()).doesNotContain("Tony");
    }

    @Test
    void forgedTamperedOrDoubledCredentialsAreRefused() {
        Person mallory = wrenn.signup("Mallory");
        String[] parts = mallory.token().split("\\.");
        String header = new String(Base64.getUrlDecoder().decode(parts[0]));
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String tampered = parts[0] + "." + b64.encodeToString(claims.replaceFirst("\"gen\":0", "\"gen\":1").getBytes()) + "." + parts[2];
        String unsigned = b64.encodeToString(header.replace("HS256", "none").getBytes()) + "." + parts[1] + ".";
        for (String token : new String[] {tampered, unsigned, "garbage", mallory.token() + "x", ""}) {
            assertThat(anonymous.withToken(token).get("/v1/me").status()).as(token).isEqualTo(401);
        }
        assertThat(anonymous.withHeader("Authorization", "Basic Zm9vOmJhcg==").get("/v1/me").status()).isEqualTo(401);
        Http both = mallory.http().withHeader("X-API-Key", wrenn.apiKey);
        assertThat(both.get("/v1/sandboxes").status()).isEqualTo(401);
        // An API key cannot act as a person.
        Http.Response keyOnMe = wrenn.http.get("/v1/me");
        assertThat(keyOnMe.status()).isEqualTo(403);
        assertThat(keyOnMe.code()).isEqualTo("forbidden");
    }

    @Test
    void tokensExpire() {
        try (TestControlPlane shortLived = new TestControlPlane(b -> b.tokenLifetime(Duration.ofSeconds(1)))) {
            Person person = shortLived.signup("Fleeting");
            assertThat(person.http().get("/v1/me").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> person.http().get("/v1/me").status() == 401);
        }
    }
}
