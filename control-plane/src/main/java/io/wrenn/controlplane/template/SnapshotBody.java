package io.wrenn.controlplane.template;

import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.sandbox.Inputs;
import java.util.Map;
import java.util.Set;

/**
 * A validated {@code POST /v1/snapshots} body: a snapshot (memory and disk) or, with
 * {@code "type": "image"}, an image of the sandbox's disk alone, which may carry the defaults its
 * sandboxes get (empty user or workdir: the sandbox's own).
 */
record SnapshotBody(String sandboxId, String name, boolean platform, String type, String defaultUser,
                    String defaultWorkdir, Map<String, String> defaultEnv) {

    private static final Set<String> FIELDS = Set.of("sandbox_id", "name", "platform", "type", "default_user",
            "default_workdir", "default_env");

    static SnapshotBody parse(byte[] bytes) {
        JsonBody json = JsonBody.parse(bytes, FIELDS);
        String sandboxId = json.requiredString("sandbox_id");
        String name = json.requiredString("name");
        if (!TemplateStore.SNAPSHOT_NAME.matcher(name).matches()) {
            throw ApiException.invalid("'name' must be 1 to 63 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
        }
        String type = json.string("type").orElse(Template.SNAPSHOT);
        if (!type.equals(Template.SNAPSHOT) && !type.equals(Template.IMAGE)) {
            throw ApiException.invalid("'type' must be 'snapshot' or 'image'");
        }
        String user = Inputs.user("default_user", json.string("default_user").orElse(""));
        String workdir = Inputs.absolutePath("default_workdir", json.string("default_workdir").orElse(""), false);
        Map<String, String> env = Inputs.env("default_env", json.stringMap("default_env"));
        if (type.equals(Template.SNAPSHOT) && (!user.isEmpty() || !workdir.isEmpty() || !env.isEmpty())) {
            throw ApiException.invalid("a snapshot keeps its sandbox's user, workdir and environment as they are; "
                    + "'default_user', 'default_workdir' and 'default_env' are for \"type\": \"image\"");
        }
        return new SnapshotBody(sandboxId, name, json.bool("platform").orElse(false), type, user, workdir, env);
    }
}
