package io.wrenn.sdk.internal;

import io.wrenn.sdk.Template;
import io.wrenn.sdk.Templates;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** {@link Templates} over {@code /v1/snapshots}. */
final class HttpTemplates implements Templates {
    private final Transport transport;

    HttpTemplates(Transport transport) {
        this.transport = transport;
    }

    @Override
    public List<Template> list() {
        List<Template> templates = new ArrayList<>();
        Pages.each(transport, "/v1/snapshots", "snapshots", node -> templates.add(Json.template(node)));
        return templates;
    }

    @Override
    public Template get(String name) {
        return Json.template(transport.get("/v1/snapshots/" + Transport.segment(name)));
    }

    @Override
    public void delete(String name) {
        transport.json("DELETE", "/v1/snapshots/" + Transport.segment(name), null,
                transport.settings().lifecycleTimeout(), true);
    }

    Template snapshot(String sandboxId, String name) {
        return make(Json.object().put("sandbox_id", sandboxId).put("name", name));
    }

    Template image(String sandboxId, String name) {
        return make(Json.object().put("sandbox_id", sandboxId).put("name", name).put("type", "image"));
    }

    private Template make(JsonNode body) {
        return Json.template(transport.json("POST", "/v1/snapshots", body, transport.settings().lifecycleTimeout(),
                false));
    }
}
