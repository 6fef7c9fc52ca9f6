package io.wrenn.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.javalin.json.JavalinJackson3;
import io.wrenn.controlplane.testing.Http;
import org.junit.jupiter.api.Test;

class ErrorHandlersTest {

    @Test
    void unexpectedErrorsRevealNothing() {
        Javalin app = Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson3(Jsons.mapper(), false));
            ErrorHandlers.install(config.routes);
            config.routes.get("/boom", ctx -> {
                throw new IllegalStateException("/var/lib/secret/path in SELECT * FROM api_keys");
            });
        }).start("127.0.0.1", 0);
        try {
            Http.Response response = new Http(app.port(), null).get("/boom");
            assertThat(response.status()).isEqualTo(500);
            assertThat(response.json().get("code").stringValue()).isEqualTo("internal");
            assertThat(response.json().get("message").stringValue()).isEqualTo("internal error");
            assertThat(response.text()).doesNotContain("secret", "SELECT", "Exception");
        } finally {
            app.stop();
        }
    }
}
