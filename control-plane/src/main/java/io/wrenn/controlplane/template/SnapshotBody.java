package io.wrenn.controlplane.template;

import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import java.util.Set;

/** A validated {@code POST /v1/snapshots} body. */
record SnapshotBody(String sandboxId, String name, boolean platform) {

    private static final Set<String> FIELDS = Set.of("sandbox_id", "name", "platform");

    static SnapshotBody parse(byte[] bytes) {
        JsonBody json = JsonBody.parse(bytes, FIELDS);
        String sandboxId = json.requiredString("sandbox_id");
        String name = json.requiredString("name");
        if (!TemplateStore.SNAPSHOT_NAME.matcher(name).matches()) {
            throw ApiException.invalid("'name' must be 1 to 63 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
        }
        return new SnapshotBody(sandboxId, name, json.bool("platform").orElse(false));
    }
}
