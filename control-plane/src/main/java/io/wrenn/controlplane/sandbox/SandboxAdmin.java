package io.wrenn.controlplane.sandbox;

import io.wrenn.controlplane.http.Jsons;
import io.wrenn.controlplane.http.Paging;
import io.wrenn.controlplane.ids.WireId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.type.TypeReference;

/** Every team's sandboxes, for platform admins: the usual view plus the owning team. */
public final class SandboxAdmin {

    private static final TypeReference<Map<String, Object>> STRING_MAP = new TypeReference<>() {
    };
    private final SandboxStore sandboxes;

    public SandboxAdmin(SandboxStore sandboxes) {
        this.sandboxes = sandboxes;
    }

    /** Its own tag: a cursor of a team's list is refused here, and the other way round. */
    private static final Paging PAGING = Paging.of("asb", 2, 100, 1000);

    /** One page of every team's sandboxes, newest first; {@code status} filters as on {@code GET /v1/sandboxes}. */
    public Paging.Page<Map<String, Object>> page(String status, String limit, String cursor) {
        Set<SandboxStatus> statuses = SandboxRoutes.statusFilter(status);
        Paging.PageRequest request = PAGING.request(limit, cursor);
        Paging.Page<Sandbox> page = PAGING.page(request, sandboxes.page(null, statuses, Map.of(), request), SandboxStore::pageKey);
        return new Paging.Page<>(page.items().stream().map(SandboxAdmin::view).toList(), page.nextCursor());
    }

    private static Map<String, Object> view(Sandbox s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("team_id", WireId.TEAM.encode(s.teamId()));
        view.putAll(Jsons.mapper().convertValue(SandboxView.of(s), STRING_MAP));
        return view;
    }
}
