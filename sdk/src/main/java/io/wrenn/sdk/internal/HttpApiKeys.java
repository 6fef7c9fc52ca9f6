package io.wrenn.sdk.internal;

import io.wrenn.sdk.ApiKey;
import io.wrenn.sdk.ApiKeys;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** {@link ApiKeys} over {@code /v1/api-keys}. */
final class HttpApiKeys implements ApiKeys {
    private final Transport transport;

    HttpApiKeys(Transport transport) {
        this.transport = transport;
    }

    @Override
    public Created create(String name) {
        JsonNode created = transport.post("/v1/api-keys", Json.object().put("name", name));
        return new Created(Json.text(created, "key"), Json.apiKey(created));
    }

    @Override
    public List<ApiKey> list() {
        List<ApiKey> keys = new ArrayList<>();
        Pages.each(transport, "/v1/api-keys", "api_keys", node -> keys.add(Json.apiKey(node)));
        return keys;
    }

    @Override
    public void revoke(String id) {
        transport.delete("/v1/api-keys/" + Transport.segment(id));
    }
}
