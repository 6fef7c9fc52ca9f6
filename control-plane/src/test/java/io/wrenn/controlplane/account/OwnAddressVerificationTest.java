package io.wrenn.controlplane.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.SmtpServer;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestPostgres;
import java.sql.DriverManager;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/me/email-verification}: a signed-in person whose account exists but whose address
 * was never verified (made before mail was configured, by an invitation, the bootstrap admin) asks
 * for a link to it, through a real SMTP server (aiosmtpd) on loopback.
 */
class OwnAddressVerificationTest {

    private static final String PUBLIC_URL = "https://wrenn.example";
    private static final String ROUTE = "/v1/me/email-verification";

    static SmtpServer smtp;
    static TestControlPlane wrenn;
    static Http anonymous;

    @BeforeAll
    static void start() {
        smtp = new SmtpServer();
        wrenn = new TestControlPlane(b -> b.mail(smtp.settings(PUBLIC_URL)));
        anonymous = wrenn.http.withKey(null);
    }

    @AfterAll
    static void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
        smtp.close();
    }

    record Person(String email, String password, Http http) {
    }

    /**
     * An account whose address is not verified: signed up through its link, then its proof taken
     * away, as for an account made while the operator had configured no mail.
     */
    static Person unverifiedPerson(String who) throws Exception {
        String email = who + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String password = "own-address-" + UUID.randomUUID();
        assertThat(anonymous.post("/v1/auth/signup", "{\"email\":\"" + email + "\",\"password\":\"" + password
                + "\",\"name\":\"Someone\"}").status()).isEqualTo(202);
        assertThat(verify(token(mail(email, 1))).status()).isEqualTo(200);
        try (var db = DriverManager.getConnection(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password());
             var update = db.prepareStatement("UPDATE users SET email_verified_at = NULL WHERE email = ?")) {
            update.setString(1, email);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        Http.Response login = anonymous.post("/v1/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        return new Person(email, password, wrenn.http.withToken(login.json().get("token").stringValue()));
    }

    static Http.Response verify(String token) {
        return anonymous.post("/v1/auth/verify-email", "{\"token\":\"" + token + "\"}");
    }

    /** The {@code n}th mail (from 1) to {@code email}, once it arrived. */
    static SmtpServer.Received mail(String email, int n) {
        return smtp.awaitMail(email, n);
    }

    static String token(SmtpServer.Received mail) {
        return mail.verificationToken(PUBLIC_URL);
    }

    @Test
    void theLinkMailedOnRequestVerifiesTheAccountOnce() throws Exception {
        Person person = unverifiedPerson("later");
        assertThat(person.http().get("/v1/me").json().get("user").get("email_verified").booleanValue()).isFalse();

        Http.Response asked = person.http().post(ROUTE, "");
        assertThat(asked.status()).as(asked.toString()).isEqualTo(202);
        assertThat(asked.json().get("status").stringValue()).isEqualTo("verification_sent");
        assertThat(asked.json().get("message").stringValue()).contains(person.email());

        SmtpServer.Received mail = mail(person.email(), 2);
        assertThat(mail.subject()).isEqualTo("Verify your address for Wrenn");
        Http.Response verified = verify(token(mail));
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        assertThat(verified.json().get("user").get("email").stringValue()).isEqualTo(person.email());
        assertThat(verified.json().get("user").get("email_verified").booleanValue()).isTrue();
        assertThat(person.http().get("/v1/me").json().get("user").get("email_verified").booleanValue())
                .as("the session held before sees it too").isTrue();
        assertThat(verify(token(mail)).status()).as("single use").isEqualTo(404);

        Http.Response again = person.http().post(ROUTE, "{}");
        assertThat(again.status()).as(again.toString()).isEqualTo(409);
        assertThat(again.code()).isEqualTo("email_already_verified");
        assertThat(smtp.to(person.email())).as("nothing more was mailed").hasSize(2);
    }

    @Test
    void aNewerLinkReplacesTheOlder() throws Exception {
        Person person = unverifiedPerson("twice");
        assertThat(person.http().post(ROUTE, "{}").status()).isEqualTo(202);
        String first = token(mail(person.email(), 2));
        assertThat(person.http().post(ROUTE, "{}").status()).isEqualTo(202);
        String second = token(mail(person.email(), 3));
        assertThat(verify(first).status()).as("the first link died").isEqualTo(404);
        assertThat(verify(second).status()).isEqualTo(200);
    }

    @Test
    void theRequestIsAuditedWithThePerson() throws Exception {
        Person person = unverifiedPerson("audited");
        assertThat(person.http().post(ROUTE, "{}").status()).isEqualTo(202);
        String userId = person.http().get("/v1/me").json().get("user").get("id").stringValue();
        Http.Response log = person.http().get("/v1/audit-logs?action=" + java.net.URLEncoder.encode("POST " + ROUTE,
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(log.status()).as(log.toString()).isEqualTo(200);
        var entries = log.json().get("entries");
        assertThat(entries.size()).isEqualTo(1);
        assertThat(entries.get(0).get("outcome").stringValue()).isEqualTo("success");
        assertThat(entries.get(0).get("status").intValue()).isEqualTo(202);
        assertThat(entries.get(0).get("actor").get("user_id").stringValue()).isEqualTo(userId);
        assertThat(entries.get(0).get("resource").get("id").stringValue()).isEqualTo(userId);
    }

    @Test
    void onlyThePersonThemselvesMayAsk() {
        Http.Response byKey = wrenn.http.post(ROUTE, "{}");
        assertThat(byKey.status()).as("an API key acts for a team, not for a mailbox").isEqualTo(403);
        assertThat(byKey.json().get("code").isString()).isTrue();
        Http.Response nobody = anonymous.post(ROUTE, "{}");
        assertThat(nobody.status()).isEqualTo(401);
        assertThat(nobody.code()).isEqualTo("unauthorized");
    }

    @Test
    void aBodyWithAnythingInItIsRefused() throws Exception {
        Person person = unverifiedPerson("hostile");
        for (String body : List.of("{\"email\":\"someone-else@example.com\"}", "[]", "not json", "{\"x\":1}")) {
            Http.Response refused = person.http().post(ROUTE, body);
            assertThat(refused.status()).as(body).isEqualTo(400);
            assertThat(refused.json().get("code").isString()).isTrue();
        }
        Thread.sleep(500);
        assertThat(smtp.to(person.email())).as("no mail for a refused call").hasSize(1);
        assertThat(smtp.to("someone-else@example.com")).isEmpty();
    }

    @Test
    void anAddressThatGotItsMailsForTheHourIsToldHowLongToWait() throws Exception {
        Person person = unverifiedPerson("patient");
        // The sign-up's link was the first of five mails the address may get this hour.
        for (int n = 2; n <= 5; n++) {
            assertThat(person.http().post(ROUTE, "{}").status()).isEqualTo(202);
            mail(person.email(), n);
        }
        Http.Response refused = person.http().post(ROUTE, "{}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
        assertThat(refused.code()).isEqualTo("rate_limited");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 3600L);
    }

    @Test
    void theDashboardLearnsThatMailGoesOut() {
        Http.Response listed = anonymous.get("/v1/auth/providers");
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json().get("sends_mail").booleanValue()).isTrue();
    }

    @Test
    void withoutMailTheRequestIsRefusedWithItsOwnCode() {
        try (TestControlPlane noMail = new TestControlPlane()) {
            TestControlPlane.Person person = noMail.signup("No Mail");
            Http.Response refused = person.http().post(ROUTE, "{}");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
            assertThat(refused.code()).isEqualTo("mail_not_configured");
            assertThat(noMail.http.withKey(null).get("/v1/auth/providers").json().get("sends_mail").booleanValue()).isFalse();
        }
    }
}
