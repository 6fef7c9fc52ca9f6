package io.wrenn.controlplane.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.mail.MailSettings;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A broken or silent SMTP server never holds a request; without SMTP, nothing needs mail. */
class MailOutageTest {

    @Test
    void aSilentSmtpServerDoesNotHoldASignUp() throws Exception {
        // Accepts connections and never says a word: a sender would wait for its greeting.
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept());
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
            MailSettings mail = MailSettings.parse("smtp://127.0.0.1:" + silent.getLocalPort(), "wrenn@example.com",
                    URI.create("http://127.0.0.1"));
            try (TestControlPlane wrenn = new TestControlPlane(b -> b.mail(mail))) {
                Http anonymous = wrenn.http.withKey(null);
                for (int i = 0; i < 4; i++) {
                    long started = System.nanoTime();
                    Http.Response answer = anonymous.post("/v1/auth/signup", "{\"email\":\"silent" + i
                            + "@example.com\",\"password\":\"silent-password-1\",\"name\":\"Silent\"}");
                    assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
                    assertThat((System.nanoTime() - started) / 1_000_000).as("ms").isLessThan(3_000);
                }
            }
            acceptor.interrupt();
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void withoutSmtpSignUpAnswersAtOnceAndNothingOffersMail() {
        try (TestControlPlane wrenn = new TestControlPlane(b -> { })) {
            Http anonymous = wrenn.http.withKey(null);
            TestControlPlane.Person person = wrenn.signup("Plain");
            assertThat(person.http().get("/v1/me").json().get("user").get("email_verified").booleanValue()).isFalse();
            Http.Response taken = anonymous.post("/v1/auth/signup", "{\"email\":\"" + person.email()
                    + "\",\"password\":\"another-password-1\",\"name\":\"Again\"}");
            assertThat(taken.status()).isEqualTo(409);
            assertThat(taken.code()).isEqualTo("email_taken");
            Http.Response resend = anonymous.post("/v1/auth/resend-verification",
                    "{\"email\":\"" + person.email() + "\",\"password\":\"" + person.password() + "\"}");
            assertThat(resend.status()).isEqualTo(409);
            assertThat(resend.code()).isEqualTo("mail_not_configured");
            assertThat(anonymous.post("/v1/auth/verify-email", "{\"token\":\"anything\"}").code()).isEqualTo("verification_not_found");
        }
    }
}
