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
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** openapi.yaml is the contract: it must parse, and describe exactly the routes served. */
class OpenApiContractTest {

    static TestControlPlane wrenn;
    static OpenAPI spec;

    @BeforeAll
    static void start() {
        wrenn = new TestControlPlane();
        Http.Response served = wrenn.http.get("/openapi.yaml");
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.contentType()).startsWith("application/yaml");
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(served.text(), null, null);
        assertThat(result.getMessages()).isEmpty();
        spec = result.getOpenAPI();
    }

    @AfterAll
    static void stop() {
        wrenn.close();
    }

    @Test
    void specIsOpenApi31() {
        assertThat(spec.getOpenapi()).startsWith("3.1");
        assertThat(spec.getComponents().getSecuritySchemes()).containsKey("apiKey");
        assertThat(spec.getComponents().getSecuritySchemes().get("apiKey").getName()).isEqualTo("X-API-Key");
    }

    @Test
    void servedRoutesEqualTheSpec() {
        Set<Route> documented = new HashSet<>();
        spec.getPaths().forEach((path, item) -> item.readOperationsMap().keySet()
                .forEach(method -> documented.add(new Route(method.name(), path))));
        assertThat(Set.copyOf(wrenn.controlPlane.routes())).isEqualTo(documented);
    }

    @Test
    void everyDocumentedRouteAnswersAndV1RoutesNeedAKey() {
        Http anonymous = wrenn.http.withKey(null);
        for (Route route : wrenn.controlPlane.routes()) {
            String path = route.path().replace("{id}", "sb-0000000000000000000000000").replaceAll("\\{[a-z_]+}", "1");
            Http.Response response = anonymous.send(route.method(), path, HttpRequest.BodyPublishers.noBody());
            assertThat(response.status()).as(route.toString()).isNotEqualTo(404).isNotEqualTo(405);
            if (path.startsWith("/v1/")) {
                assertThat(response.status()).as(route.toString()).isEqualTo(401);
            }
        }
    }

    @Test
    void everyV1OperationDocumentsAuthAndErrors() {
        spec.getPaths().forEach((path, item) -> {
            for (Map.Entry<PathItem.HttpMethod, Operation> op : item.readOperationsMap().entrySet()) {
                if (!path.startsWith("/v1/")) {
                    continue;
                }
                assertThat(op.getValue().getSecurity()).as(path).isNull(); // inherits the global API key
                assertThat(op.getValue().getResponses()).as(op.getKey() + " " + path).containsKeys("401", "500");
            }
        });
        assertThat(spec.getSecurity()).isNotEmpty();
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
