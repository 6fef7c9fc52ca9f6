package io.wrenn.controlplane.sandbox;

import io.wrenn.controlplane.http.Jsons;
import io.wrenn.controlplane.ids.WireId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;

/** Every team's sandboxes, for platform admins: the usual view plus the owning team. */
public final class SandboxAdmin {

    private static final TypeReference<Map<String, Object>> STRING_MAP = new TypeReference<>() {
    };
    private final SandboxStore sandboxes;

    public SandboxAdmin(SandboxStore sandboxes) {
        this.sandboxes = sandboxes;
    }

    /** {@code status} filters as on {@code GET /v1/sandboxes}. */
    public List<Map<String, Object>> all(String status) {
        return sandboxes.listAll(SandboxRoutes.statusFilter(status)).stream().map(s -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("team_id", WireId.TEAM.encode(s.teamId()));
            view.putAll(Jsons.mapper().convertValue(SandboxView.of(s), STRING_MAP));
            return view;
        }).toList();
    }
}
