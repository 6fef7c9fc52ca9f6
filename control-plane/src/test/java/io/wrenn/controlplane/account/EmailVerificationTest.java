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

/** Sign-up verified by a mailed link, through a real SMTP server (aiosmtpd) on loopback. */
class EmailVerificationTest {

    private static final String PUBLIC_URL = "https://wrenn.example";

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

    static String newEmail(String who) {
        return who + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    static Http.Response signup(String email, String password) {
        return anonymous.post("/v1/auth/signup",
                "{\"email\":\"" + email + "\",\"password\":\"" + password + "\",\"name\":\"Someone\"}");
    }

    static Http.Response login(String email, String password) {
        return anonymous.post("/v1/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
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

    /** Signs up and follows the link: a verified person's session. */
    static Http.Response verifiedPerson(String email, String password) {
        assertThat(signup(email, password).status()).isEqualTo(202);
        return verify(token(mail(email, 1)));
    }

    @Test
    void aNewAndATakenAddressGetTheSameAnswerAndEachItsOwnMail() {
        String taken = newEmail("taken");
        assertThat(verifiedPerson(taken, "first-password-1").status()).isEqualTo(200);

        String fresh = newEmail("fresh");
        Http.Response forNew = signup(fresh, "correct-horse-battery");
        Http.Response forTaken = signup(taken, "another-horse-battery");
        assertThat(forNew.status()).as(forNew.toString()).isEqualTo(202);
        assertThat(forTaken.status()).as(forTaken.toString()).isEqualTo(202);
        assertThat(forTaken.text()).as("nothing tells them apart").isEqualTo(forNew.text());
        assertThat(forNew.json().get("status").stringValue()).isEqualTo("verification_sent");

        SmtpServer.Received link = mail(fresh, 1);
        assertThat(link.subject()).isEqualTo("Confirm your Wrenn sign-up");
        assertThat(link.from()).contains("wrenn@example.com");
        assertThat(token(link)).hasSizeGreaterThanOrEqualTo(43);

        SmtpServer.Received notice = mail(taken, 2);
        assertThat(notice.subject()).isEqualTo("Your Wrenn account already exists");
        assertThat(notice.text()).contains(PUBLIC_URL + "/dashboard/login").doesNotContain("verify-email");
        // The taken address keeps its account and password: the second sign-up changed nothing.
        assertThat(login(taken, "first-password-1").status()).isEqualTo(200);
        assertThat(login(taken, "another-horse-battery").status()).isEqualTo(401);
    }

    @Test
    void aWaitingSignUpCannotLogInAndItsLinkLogsInOnce() {
        String email = newEmail("waiting");
        assertThat(signup(email, "waiting-password-1").status()).isEqualTo(202);
        Http.Response early = login(email, "waiting-password-1");
        assertThat(early.status()).as(early.toString()).isEqualTo(403);
        assertThat(early.code()).isEqualTo("email_unverified");
        assertThat(login(email, "wrong-password-11").status()).as("a wrong password learns nothing").isEqualTo(401);

        String token = token(mail(email, 1));
        Http.Response verified = verify(token);
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        assertThat(verified.json().get("user").get("email").stringValue()).isEqualTo(email);
        assertThat(verified.json().get("user").get("email_verified").booleanValue()).isTrue();
        assertThat(verified.json().get("team").get("role").stringValue()).isEqualTo("owner");
        assertThat(wrenn.http.withToken(verified.json().get("token").stringValue()).get("/v1/me").status()).isEqualTo(200);

        Http.Response again = verify(token);
        assertThat(again.status()).as("single use").isEqualTo(404);
        assertThat(again.code()).isEqualTo("verification_not_found");
        assertThat(login(email, "waiting-password-1").status()).isEqualTo(200);
    }

    @Test
    void anExpiredLinkIsRefusedLikeAnUnknownOne() throws Exception {
        String email = newEmail("expired");
        assertThat(signup(email, "expiring-password-1").status()).isEqualTo(202);
        String token = token(mail(email, 1));
        try (var db = DriverManager.getConnection(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password());
             var update = db.prepareStatement("UPDATE email_verifications SET expires_at = now() - interval '1 second' WHERE email = ?")) {
            update.setString(1, email);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        Http.Response expired = verify(token);
        assertThat(expired.status()).isEqualTo(404);
        assertThat(expired.code()).isEqualTo("verification_not_found");
        assertThat(expired.text()).isEqualTo(verify("made-up-token").text());
        assertThat(login(email, "expiring-password-1").status()).as("no account was made").isEqualTo(401);
    }

    @Test
    void aResentLinkReplacesTheFirstAndNeedsThePassword() {
        String email = newEmail("resend");
        assertThat(signup(email, "resend-password-1").status()).isEqualTo(202);
        String first = token(mail(email, 1));

        Http.Response wrong = anonymous.post("/v1/auth/resend-verification",
                "{\"email\":\"" + email + "\",\"password\":\"not-the-password\"}");
        Http.Response right = anonymous.post("/v1/auth/resend-verification",
                "{\"email\":\"" + email + "\",\"password\":\"resend-password-1\"}");
        assertThat(wrong.status()).isEqualTo(202);
        assertThat(right.status()).isEqualTo(202);
        assertThat(wrong.text()).as("the same answer either way").isEqualTo(right.text());
        String second = token(mail(email, 2));
        assertThat(second).isNotEqualTo(first);
        assertThat(verify(first).status()).as("the first link died").isEqualTo(404);
        assertThat(verify(second).status()).isEqualTo(200);
        assertThat(smtp.to(email)).as("the wrong password sent nothing").hasSize(2);
    }

    @Test
    void anInvitedSignUpJoinsTheTeamOnceVerified() {
        Http admin = wrenn.http.withToken(login("admin@localhost", wrenn.adminPassword).json().get("token").stringValue());
        String team = admin.get("/v1/me").json().get("team").get("id").stringValue();
        String email = newEmail("invited");
        Http.Response invited = TestControlPlane.invite(admin, team, email, "member");
        assertThat(invited.status()).isEqualTo(201);
        Http.Response signedUp = anonymous.post("/v1/auth/signup", "{\"email\":\"" + email
                + "\",\"password\":\"invited-password-1\",\"name\":\"Invited\",\"invitation\":\""
                + invited.json().get("token").stringValue() + "\"}");
        assertThat(signedUp.status()).as(signedUp.toString()).isEqualTo(202);
        Http.Response verified = verify(token(mail(email, 1)));
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        assertThat(verified.json().get("team").get("id").stringValue()).isEqualTo(team);
        assertThat(verified.json().get("team").get("role").stringValue()).isEqualTo("member");
    }

    @Test
    void oneAddressGetsAtMostFiveMailsAnHour() throws Exception {
        String email = newEmail("flooded");
        for (int i = 0; i < 7; i++) {
            assertThat(signup(email, "flood-password-" + i).status()).isEqualTo(202);
        }
        mail(email, 5);
        Thread.sleep(1500);
        assertThat(smtp.to(email)).hasSize(5);
    }

    @Test
    void hostileInputIsRefusedWithACode() {
        for (String body : List.of("{\"token\":\"\"}", "{\"token\":\"" + "a".repeat(10_000) + "\"}", "{\"token\":\"../../etc\"}",
                "{\"token\":\"\\u0000\"}")) {
            Http.Response refused = anonymous.post("/v1/auth/verify-email", body);
            assertThat(refused.status()).as(body).isEqualTo(404);
            assertThat(refused.code()).isEqualTo("verification_not_found");
        }
        for (String body : List.of("{}", "{\"token\":7}", "{\"token\":\"x\",\"extra\":1}", "[]", "not json")) {
            Http.Response refused = anonymous.post("/v1/auth/verify-email", body);
            assertThat(refused.status()).as(body).isEqualTo(400);
            assertThat(refused.json().get("code").isString()).isTrue();
        }
        Http.Response huge = anonymous.post("/v1/auth/verify-email", "{\"token\":\"" + "a".repeat(3 << 20) + "\"}");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.code()).isEqualTo("payload_too_large");
        Http.Response badResend = anonymous.post("/v1/auth/resend-verification", "{\"email\":\"not-an-email\",\"password\":\"x\"}");
        assertThat(badResend.status()).isEqualTo(400);
        assertThat(badResend.code()).isEqualTo("invalid_request");
    }
}
