package io.wrenn.controlplane.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/** The unauthenticated routes: readiness and liveness, the OpenAPI document and Swagger UI over it. */
public final class DocsRoutes {

    private final byte[] openApi;
    private final String docsPage;
    private final java.util.function.Supplier<java.util.Optional<String>> notReadyReason;

    /** {@code notReadyReason}: empty when a create would be accepted, else why not. */
    public DocsRoutes(java.util.function.Supplier<java.util.Optional<String>> notReadyReason) {
        this.notReadyReason = notReadyReason;
        this.openApi = resource("openapi.yaml");
        this.docsPage = swaggerPage(swaggerUiVersion());
    }

    public void register(RouteTable routes) {
        // Readiness for load balancers and `wrenn up`; liveness for supervisors that restart.
        routes.get("/health", Access.PUBLIC, this::ready);
        routes.get("/health/live", Access.PUBLIC, ctx -> ctx.json(Map.of("status", "ok")));
        routes.get("/openapi.yaml", Access.PUBLIC, this::openApi);
        routes.get("/docs", Access.PUBLIC, ctx -> ctx.html(docsPage));
    }

    private void ready(Context ctx) {
        var reason = notReadyReason.get();
        if (reason.isPresent()) {
            ErrorHandlers.send(ctx, io.wrenn.api.ErrorCode.NO_HOST_AVAILABLE, "not ready: " + reason.get());
            return;
        }
        ctx.json(Map.of("status", "ok"));
    }

    private void openApi(Context ctx) {
        ctx.contentType("application/yaml").result(openApi);
    }

    private static byte[] resource(String name) {
        try (InputStream in = DocsRoutes.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The webjar's files sit under its version; read it rather than repeat it here. */
    private static String swaggerUiVersion() {
        Properties properties = new Properties();
        try (InputStream in = DocsRoutes.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the swagger-ui webjar is missing");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version");
    }

    private static String swaggerPage(String version) {
        String base = "/webjars/swagger-ui/" + version;
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <title>Wrenn API</title>
                  <link rel="stylesheet" href="%1$s/swagger-ui.css">
                </head>
                <body>
                  <div id="swagger-ui"></div>
                  <script src="%1$s/swagger-ui-bundle.js"></script>
                  <script>
                    window.ui = SwaggerUIBundle({ url: "/openapi.yaml", dom_id: "#swagger-ui" });
                  </script>
                </body>
                </html>
                """.formatted(base);
    }
}
