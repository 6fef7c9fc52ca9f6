package io.wrenn.controlplane.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** Network settings through Wrenn's API and the E2B facade, against a fake host (the policy it is handed). */
class NetworkApiTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static final Http http = wrenn.http;

    private static String create(String body) {
        Http.Response response = http.post("/v1/sandboxes", body);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("id").stringValue();
    }

    private static io.wrenn.hostagent.protocol.NetworkPolicy onHost(String wireId) {
        return wrenn.agent.networks.get(WireId.SANDBOX.decode(wireId).orElseThrow().toString());
    }

    @Test
    void aSandboxThatAsksNothingReachesTheInternet() {
        String id = create("{\"template\":\"minimal\"}");

        assertThat(onHost(id).getAllowInternetAccess()).isTrue();
        JsonNode network = http.get("/v1/sandboxes/" + id + "/network").json();
        assertThat(network.get("allow_internet_access").booleanValue()).isTrue();
        assertThat(network.get("allow_public_traffic").booleanValue()).isTrue();
        assertThat(network.get("denied_connections").longValue()).isEqualTo(3);
    }

    @Test
    void aPolicyGivenAtCreateReachesTheHostNormalisedAndIsReplacedLive() {
        String id = create("{\"template\":\"minimal\",\"network\":{\"allow_internet_access\":false,"
                + "\"allow_out\":[\"1.1.1.1\",\"10.1.2.3/8\",\"1.1.1.1/32\"],\"deny_out\":[\"0.0.0.0/0\"]}}");
        assertThat(onHost(id).getAllowInternetAccess()).isFalse();
        assertThat(onHost(id).getAllowOutList()).containsExactly("1.1.1.1", "10.0.0.0/8");

        Http.Response replaced = http.put("/v1/sandboxes/" + id + "/network",
                "{\"deny_out\":[\"203.0.113.0/24\"]}".getBytes());
        assertThat(replaced.status()).as(replaced.toString()).isEqualTo(200);
        assertThat(replaced.json().get("allow_internet_access").booleanValue()).isTrue();
        assertThat(onHost(id).getAllowOutList()).isEmpty();
        assertThat(onHost(id).getDenyOutList()).containsExactly("203.0.113.0/24");
        assertThat(http.get("/v1/sandboxes/" + id + "/network").json().get("deny_out").get(0).stringValue())
                .isEqualTo("203.0.113.0/24");
    }

    @Test
    void badSettingsAre400AndChangeNothing() {
        String id = create("{\"template\":\"minimal\",\"network\":{\"deny_out\":[\"8.8.8.8\"]}}");
        List<String> bad = List.of(
                "{\"deny_out\":[\"10.0.0.0/33\"]}",
                "{\"deny_out\":[\"300.1.1.1\"]}",
                "{\"deny_out\":[\"example.com\"]}",
                "{\"allow_out\":[\"a.*.example.com\"]}",
                "{\"allow_out\":[\"*example.com\"]}",
                "{\"allow_out\":[\"exa mple.com\"]}",
                "{\"allow_out\":[\"example.com:443\"]}",
                "{\"allow_out\":[\"" + "a".repeat(64) + ".com\"]}",
                "{\"allow_out\":" + tooMany().replace("\"1.2.", "\"h1.2.").replace("\",", "x\",") + "}",
                "{\"allow_out\":[\"::1\"]}",
                "{\"allow_out\":[\"1.2.3.4; flush ruleset\"]}",
                "{\"allow_out\":\"1.2.3.4\"}",
                "{\"allow_out\":[1]}",
                "{\"mask_request_host\":\"a b\"}",
                "{\"allow_internet_access\":\"yes\"}",
                "{\"egress\":{}}",
                "{\"deny_out\":" + tooMany() + "}");
        for (String body : bad) {
            Http.Response response = http.put("/v1/sandboxes/" + id + "/network", body.getBytes());
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.code()).as(body).isEqualTo("invalid_request");
            assertThat(onHost(id).getDenyOutList()).as(body).containsExactly("8.8.8.8");
        }
        Http.Response atCreate = http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"network\":{\"deny_out\":[\"x\"]}}");
        assertThat(atCreate.status()).isEqualTo(400);
    }

    @Test
    void domainRulesInTheAllowListReachTheHostNormalisedThroughBothApis() {
        String id = create("{\"template\":\"minimal\",\"network\":{\"allow_internet_access\":false,"
                + "\"allow_out\":[\"Registry.NPMjs.org.\",\"*.example.com\",\"1.1.1.1\"]}}");
        assertThat(onHost(id).getAllowOutList()).containsExactly("registry.npmjs.org", "*.example.com", "1.1.1.1");

        Http.Response updated = http.put("/e2b/sandboxes/" + id + "/network",
                "{\"allowOut\":[\"pypi.org\",\"*\"],\"denyOut\":[\"0.0.0.0/0\"]}".getBytes());
        assertThat(updated.status()).as(updated.toString()).isEqualTo(204);
        assertThat(onHost(id).getAllowOutList()).containsExactly("pypi.org", "*");
        assertThat(http.get("/e2b/sandboxes/" + id).json().get("network").get("allowOut").get(0).stringValue()).isEqualTo("pypi.org");

        Http.Response refused = http.put("/e2b/sandboxes/" + id + "/network", "{\"denyOut\":[\"evil.com\"]}".getBytes());
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("message").stringValue()).contains("only in the allow list");
        assertThat(onHost(id).getAllowOutList()).containsExactly("pypi.org", "*");
    }

    @Test
    void anotherTeamsSandboxIsNotFoundAndKeepsItsPolicy() {
        String id = create("{\"template\":\"minimal\",\"network\":{\"deny_out\":[\"8.8.8.8\"]}}");
        Http other = http.withKey(wrenn.controlPlane.createTeamApiKey("other-team-" + System.nanoTime()));

        assertThat(other.put("/v1/sandboxes/" + id + "/network", "{}".getBytes()).status()).isEqualTo(404);
        assertThat(other.get("/v1/sandboxes/" + id + "/network").status()).isEqualTo(404);
        assertThat(other.put("/e2b/sandboxes/" + id + "/network", "{}".getBytes()).status()).isEqualTo(404);
        assertThat(onHost(id).getDenyOutList()).containsExactly("8.8.8.8");
    }

    @Test
    void aChangeTheHostRefusesChangesNothing() {
        String id = create("{\"template\":\"minimal\",\"network\":{\"deny_out\":[\"8.8.8.8\"]}}");
        wrenn.agent.failNetwork = Status.INTERNAL;
        try {
            assertThat(http.put("/v1/sandboxes/" + id + "/network", "{}".getBytes()).status()).isGreaterThanOrEqualTo(500);
        } finally {
            wrenn.agent.failNetwork = null;
        }
        assertThat(http.get("/v1/sandboxes/" + id + "/network").json().get("deny_out").get(0).stringValue()).isEqualTo("8.8.8.8");
    }

    @Test
    void e2bCreateTakesAllowInternetAccessAndNetworkAndShowsThem() {
        Http.Response created = http.post("/e2b/sandboxes", "{\"templateID\":\"minimal\",\"allow_internet_access\":false,"
                + "\"network\":{\"allowOut\":[\"1.1.1.1\"],\"denyOut\":[\"0.0.0.0/0\"],\"allowPublicTraffic\":false,"
                + "\"maskRequestHost\":\"localhost:${PORT}\"}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("sandboxID").stringValue();
        assertThat(onHost(id).getAllowInternetAccess()).isFalse();
        assertThat(onHost(id).getAllowOutList()).containsExactly("1.1.1.1");

        JsonNode detail = http.get("/e2b/sandboxes/" + id).json();
        assertThat(detail.get("allowInternetAccess").booleanValue()).isFalse();
        assertThat(detail.get("network").get("allowOut").get(0).stringValue()).isEqualTo("1.1.1.1");
        assertThat(detail.get("network").get("allowPublicTraffic").booleanValue()).isFalse();
        assertThat(detail.get("network").get("maskRequestHost").stringValue()).isEqualTo("localhost:${PORT}");

        Http.Response defaults = http.post("/e2b/sandboxes", "{\"templateID\":\"minimal\",\"allow_internet_access\":true}");
        assertThat(defaults.status()).as(defaults.toString()).isEqualTo(201);
        assertThat(onHost(defaults.json().get("sandboxID").stringValue()).getAllowInternetAccess()).isTrue();
    }

    @Test
    void e2bUpdateReplacesTheListsAndKeepsInternetAccessItDoesNotName() {
        String id = http.post("/e2b/sandboxes", "{\"templateID\":\"minimal\",\"allow_internet_access\":false}")
                .json().get("sandboxID").stringValue();

        Http.Response updated = http.put("/e2b/sandboxes/" + id + "/network", "{\"allowOut\":[\"1.1.1.1\"]}".getBytes());
        assertThat(updated.status()).as(updated.toString()).isEqualTo(204);
        assertThat(onHost(id).getAllowInternetAccess()).isFalse();
        assertThat(onHost(id).getAllowOutList()).containsExactly("1.1.1.1");

        assertThat(http.put("/e2b/sandboxes/" + id + "/network", "{\"allow_internet_access\":true}".getBytes()).status())
                .isEqualTo(204);
        assertThat(onHost(id).getAllowInternetAccess()).isTrue();
        assertThat(onHost(id).getAllowOutList()).isEmpty();

        Http.Response refused = http.put("/e2b/sandboxes/" + id + "/network",
                "{\"egressProxy\":{\"address\":\"proxy:1080\"}}".getBytes());
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("code").intValue()).isEqualTo(400);
    }

    private static String tooMany() {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i <= NetworkPolicy.MAX_RULES; i++) {
            out.append(i == 0 ? "" : ",").append("\"1.2.").append(i / 256).append('.').append(i % 256).append('"');
        }
        return out.append(']').toString();
    }
}
