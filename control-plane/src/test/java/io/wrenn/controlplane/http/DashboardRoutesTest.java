package io.wrenn.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.javalin.json.JavalinJackson3;
import io.wrenn.controlplane.testing.Http;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DashboardRoutesTest {

    private static final Map<String, String> BUILT = Map.of(
            "index.html", "<!doctype html><title>Wrenn</title>",
            "assets/index-AbC123.js", "console.log('app')",
            "assets/index-AbC123.css", "body{}");

    private Javalin app;

    private Http serve(Map<String, String> files) {
        app = Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson3(Jsons.mapper(), false));
            ErrorHandlers.install(config.routes);
            new DashboardRoutes(name -> Optional.ofNullable(files.get(name)).map(s -> s.getBytes(StandardCharsets.UTF_8)))
                    .register(config.routes);
            config.routes.get("/v1/things", ctx -> ctx.json(Map.of("ok", true)));
        }).start("127.0.0.1", 0);
        return new Http(app.port(), null);
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop();
        }
    }

    @Test
    void theRootAndEveryDashboardPageGetTheAppUncached() {
        Http http = serve(BUILT);
        for (String path : new String[] {"/", "/dashboard", "/dashboard/capsules/list", "/dashboard/capsules/sb-123"}) {
            Http.Response page = http.get(path);
            assertThat(page.status()).as(path).isEqualTo(200);
            assertThat(page.contentType()).as(path).startsWith("text/html");
            assertThat(page.text()).as(path).contains("<title>Wrenn</title>");
            assertThat(page.header("Cache-Control")).as(path).isEqualTo("no-cache");
            assertThat(page.header("Content-Security-Policy")).as(path).contains("default-src 'self'");
        }
    }

    @Test
    void hashedAssetsHaveTheirTypeAndAreCachedForGood() {
        Http http = serve(BUILT);
        Http.Response script = http.get("/assets/index-AbC123.js");
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.contentType()).startsWith("text/javascript");
        assertThat(script.text()).isEqualTo("console.log('app')");
        assertThat(script.header("Cache-Control")).contains("immutable", "max-age=31536000");
        assertThat(http.get("/assets/index-AbC123.css").contentType()).startsWith("text/css");
    }

    @Test
    void apiPathsAndUnknownFilesStayJsonNotFound() {
        Http http = serve(BUILT);
        for (String path : new String[] {"/v1/nothing-here", "/assets/missing.js", "/assets/..%2Findex.html", "/favicon.php"}) {
            Http.Response response = http.get(path);
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.contentType()).as(path).startsWith("application/json");
            assertThat(response.json().get("code").stringValue()).as(path).isEqualTo("not_found");
        }
        assertThat(http.get("/v1/things").json().get("ok").asBoolean()).isTrue();
    }

    @Test
    void aServerWithoutTheBuiltAppSaysSoInJson() {
        Http.Response response = serve(Map.of()).get("/");
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("message").stringValue()).contains("dashboard is not built");
    }

    @Test
    void contentTypesByExtension() {
        assertThat(DashboardRoutes.contentType("a.svg")).isEqualTo("image/svg+xml");
        assertThat(DashboardRoutes.contentType("a.woff2")).isEqualTo("font/woff2");
        assertThat(DashboardRoutes.contentType("noextension")).isEqualTo("application/octet-stream");
    }
}
