package io.wrenn.controlplane.e2b;

import io.wrenn.controlplane.ControlPlaneConfig.Limits;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.network.NetworkPolicy;
import io.wrenn.controlplane.sandbox.CreateSandboxBody;
import io.wrenn.controlplane.sandbox.Inputs;
import io.wrenn.controlplane.sandbox.OnTimeout;
import io.wrenn.controlplane.template.TemplateStore;
import java.util.OptionalInt;
import java.util.Set;

/**
 * E2B's {@code NewSandbox} body, validated, as Wrenn's create request. Options Wrenn cannot
 * honour yet are refused with a 400 that says so, never silently dropped.
 */
record E2bCreateBody(CreateSandboxBody wrenn, boolean autoResume) {

    /** E2B's own default when the body has no timeout. */
    private static final int DEFAULT_TIMEOUT_S = 15;

    private static final Set<String> FIELDS = Set.of("templateID", "timeout", "metadata", "envVars", "secure",
            "autoPause", "autoPauseMemory", "autoResume", "allow_internet_access", "network", "mcp", "iam",
            "volumeMounts");
    /** Accepted only when absent or null: each needs a feature Wrenn does not have yet. */
    private static final Set<String> UNSUPPORTED = Set.of("mcp", "iam", "volumeMounts");

    static E2bCreateBody parse(byte[] body, Limits limits) {
        JsonBody json = JsonBody.parse(body, FIELDS);
        for (String name : UNSUPPORTED) {
            if (json.has(name)) {
                throw ApiException.invalid("'" + name + "' is not supported by this server");
            }
        }
        boolean autoPause = json.bool("autoPause", false);
        // false: the timeout's pause keeps only the disk, and the resume boots it.
        boolean autoPauseMemory = json.bool("autoPauseMemory", true);
        boolean autoResume = autoResume(json);
        if (autoResume && !autoPause) {
            throw ApiException.invalid("'autoResume' needs 'autoPause'");
        }
        if (autoResume && !autoPauseMemory) {
            throw ApiException.invalid("'autoResume' cannot be used with 'autoPauseMemory: false': a sandbox paused without"
                    + " its memory is resumed by connect, not by traffic");
        }
        NetworkPolicy network = NetworkPolicy.parseE2bCreate(json, limits.defaultInternetAccess());
        json.bool("secure", true);
        // E2B's default template, `base` (what Sandbox.create() without a template asks for), is a
        // platform template of Wrenn's too: no name is translated here.
        // A snapshot's id may come back tagged (`name:default`): Wrenn's templates have no tags.
        String template = E2bSnapshotRoutes.untagged(json.requiredString("templateID"));
        if (!TemplateStore.NAME.matcher(template).matches()) {
            throw ApiException.invalid("'templateID' is not a valid template name");
        }
        int timeout = json.integer("timeout", 1, limits.maxTimeoutS()).orElse(DEFAULT_TIMEOUT_S);
        return new E2bCreateBody(new CreateSandboxBody(template, OptionalInt.empty(), OptionalInt.empty(),
                limits.defaultDiskSizeMb(), timeout, Inputs.env("envVars", json.stringMap("envVars")),
                Inputs.metadata(json.stringMap("metadata")),
                !autoPause ? OnTimeout.DESTROY : autoPauseMemory ? OnTimeout.PAUSE : OnTimeout.PAUSE_FILESYSTEM, false, network),
                autoResume);
    }

    /** {@code "autoResume": {"enabled": true|false}}. */
    private static boolean autoResume(JsonBody json) {
        if (!json.has("autoResume")) {
            return false;
        }
        JsonBody inner = json.object("autoResume", Set.of("enabled"));
        return inner.bool("enabled", false);
    }
}
