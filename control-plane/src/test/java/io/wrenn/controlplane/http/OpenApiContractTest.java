package io.wrenn.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.net.http.HttpRequest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** openapi.yaml is the contract: it must parse, and describe exactly the routes served. */
class OpenApiContractTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static OpenAPI spec;

    @BeforeAll
    static void start() {
        Http.Response served = wrenn.http.get("/openapi.yaml");
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.contentType()).startsWith("application/yaml");
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(served.text(), null, null);
        assertThat(result.getMessages()).isEmpty();
        spec = result.getOpenAPI();
    }

    @Test
    void specIsOpenApi31() {
        assertThat(spec.getOpenapi()).startsWith("3.1");
        assertThat(spec.getComponents().getSecuritySchemes()).containsKeys("apiKey", "bearer");
        assertThat(spec.getComponents().getSecuritySchemes().get("apiKey").getName()).isEqualTo("X-API-Key");
    }

    /**
     * Wrenn's own routes. The E2B-compatible facade under /e2b is left out on purpose: its
     * contract is E2B's published REST spec and envd protocol, not Wrenn's, and it is held to
     * that by the E2B SDK suite in system-tests (E2bSdkTest) and docs/e2b-conformance.md.
     */
    private static java.util.List<Route> wrennRoutes() {
        return wrenn.controlPlane.routes().stream().filter(r -> !r.path().startsWith("/e2b/") && !r.path().equals("/files")).toList();
    }

    @Test
    void servedRoutesEqualTheSpec() {
        Set<String> documented = new HashSet<>();
        spec.getPaths().forEach((path, item) -> item.readOperationsMap().keySet()
                .forEach(method -> documented.add(method.name() + " " + path)));
        Set<String> served = wrennRoutes().stream().map(r -> r.method() + " " + r.path()).collect(Collectors.toSet());
        assertThat(served).isEqualTo(documented);
    }

    @Test
    void everyDocumentedRouteAnswersAndNonPublicRoutesNeedCredentials() {
        Http anonymous = wrenn.http.withKey(null);
        for (Route route : wrennRoutes()) {
            String path = route.path().replaceAll("\\{[a-z_]+}", "x");
            Http.Response response = anonymous.send(route.method(), path, HttpRequest.BodyPublishers.noBody());
            assertThat(response.status()).as(route.toString()).isNotEqualTo(405);
            assertThat(response.text()).as(route.toString()).doesNotContain("no such route");
            if (route.access() != Access.PUBLIC) {
                assertThat(response.status()).as(route.toString()).isEqualTo(401);
            }
        }
    }

    /** The spec's {@code security} says exactly what the server checks: {@link Access} of each route. */
    @Test
    void documentedSecurityMatchesEachRoutesAccess() {
        assertThat(spec.getSecurity()).hasSize(2);
        assertThat(spec.getSecurity().get(0)).containsOnlyKeys("apiKey");
        assertThat(spec.getSecurity().get(1)).containsOnlyKeys("bearer");
        for (Route route : wrennRoutes()) {
            Operation op = operation(route);
            String what = route.toString();
            switch (route.access()) {
                case PUBLIC -> assertThat(op.getSecurity()).as(what).isEmpty();
                case TEAM -> assertThat(op.getSecurity()).as(what + " inherits API key or token").isNull();
                case USER, USER_IN_TEAM, ADMIN -> {
                    assertThat(op.getSecurity()).as(what).hasSize(1);
                    assertThat(op.getSecurity().getFirst()).as(what).containsOnlyKeys("bearer");
                }
            }
            assertThat(route.path().startsWith("/v1/admin/")).as(what).isEqualTo(route.access() == Access.ADMIN);
        }
    }

    @Test
    void everyOperationDocumentsItsErrors() {
        for (Route route : wrennRoutes()) {
            Operation op = operation(route);
            if (!route.path().startsWith("/v1/")) {
                continue;
            }
            assertThat(op.getResponses()).as(route.toString()).containsKey("500");
            if (route.access() != Access.PUBLIC) {
                assertThat(op.getResponses()).as(route.toString()).containsKeys("401", "403");
            }
            if (op.getRequestBody() != null && op.getRequestBody().getContent().containsKey("application/json")) {
                assertThat(op.getResponses()).as(route.toString()).containsKey("400");
            }
        }
    }

    /** The isolation matrix (system tests) sends these examples: every body and required query parameter needs one. */
    @Test
    void everyRequestBodyAndRequiredQueryParameterHasAnExample() {
        spec.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            if (op.getRequestBody() != null) {
                op.getRequestBody().getContent().forEach((type, media) ->
                        assertThat(media.getExample()).as(method + " " + path + " " + type).isNotNull());
            }
            java.util.List<io.swagger.v3.oas.models.parameters.Parameter> parameters = new java.util.ArrayList<>();
            if (item.getParameters() != null) {
                parameters.addAll(item.getParameters());
            }
            if (op.getParameters() != null) {
                parameters.addAll(op.getParameters());
            }
            parameters.stream().map(OpenApiContractTest::resolve).filter(p -> "query".equals(p.getIn()) && Boolean.TRUE.equals(p.getRequired()))
                    .forEach(p -> assertThat(p.getExample()).as(method + " " + path + " ?" + p.getName()).isNotNull());
        }));
    }

    private static io.swagger.v3.oas.models.parameters.Parameter resolve(io.swagger.v3.oas.models.parameters.Parameter p) {
        if (p.get$ref() == null) {
            return p;
        }
        return spec.getComponents().getParameters().get(p.get$ref().substring(p.get$ref().lastIndexOf('/') + 1));
    }

    private static Operation operation(Route route) {
        PathItem item = spec.getPaths().get(route.path());
        assertThat(item).as(route.toString()).isNotNull();
        Operation op = item.readOperationsMap().get(PathItem.HttpMethod.valueOf(route.method()));
        assertThat(op).as(route.toString()).isNotNull();
        return op;
    }

    @Test
    void errorCodesMatchTheEnum() {
        io.swagger.v3.oas.models.media.Schema<?> code =
                (io.swagger.v3.oas.models.media.Schema<?>) spec.getComponents().getSchemas().get("Error").getProperties().get("code");
        Set<String> documented = code.getEnum().stream().map(Object::toString).collect(Collectors.toSet());
        assertThat(documented).isEqualTo(Arrays.stream(ErrorCode.values()).map(ErrorCode::code).collect(Collectors.toSet()));
    }

    @Test
    void swaggerUiIsServed() {
        Http.Response docs = wrenn.http.get("/docs");
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.text()).contains("/openapi.yaml");
        String bundle = docs.text().replaceAll("(?s).*src=\"([^\"]+swagger-ui-bundle.js)\".*", "$1");
        assertThat(wrenn.http.get(bundle).status()).isEqualTo(200);
    }
}
