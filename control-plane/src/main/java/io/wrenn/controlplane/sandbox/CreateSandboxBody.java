package io.wrenn.controlplane.sandbox;

import io.wrenn.controlplane.ControlPlaneConfig.Limits;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.network.NetworkPolicy;
import io.wrenn.controlplane.template.TemplateStore;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A validated {@code POST /v1/sandboxes} body. Sizes left out are filled in later from the
 * template and the configured defaults, hence the optionals.
 */
public record CreateSandboxBody(
        String template,
        OptionalInt vcpus,
        OptionalInt memoryMb,
        int diskSizeMb,
        int timeoutS,
        Map<String, String> env,
        Map<String, String> metadata,
        OnTimeout onTimeout,
        boolean diskSizeGiven,
        NetworkPolicy network) {

    private static final Set<String> FIELDS = Set.of("template", "vcpus", "memory_mb", "disk_size_mb", "timeout_s", "env",
            "metadata", "on_timeout", "network");

    public static CreateSandboxBody parse(byte[] body, Limits limits) {
        JsonBody json = JsonBody.parse(body, FIELDS);
        String template = json.requiredString("template");
        if (!TemplateStore.NAME.matcher(template).matches()) {
            throw ApiException.invalid("'template' is not a valid template name");
        }
        OnTimeout onTimeout = json.string("on_timeout").map(OnTimeout::parse).orElse(OnTimeout.DESTROY);
        OptionalInt disk = json.integer("disk_size_mb", limits.minDiskSizeMb(), limits.maxDiskSizeMb());
        return new CreateSandboxBody(
                template,
                json.integer("vcpus", limits.minVcpus(), limits.maxVcpus()),
                json.integer("memory_mb", limits.minMemoryMb(), limits.maxMemoryMb()),
                disk.orElse(limits.defaultDiskSizeMb()),
                json.integer("timeout_s", 1, limits.maxTimeoutS()).orElse(limits.defaultTimeoutS()),
                Inputs.env("env", json.stringMap("env")),
                Inputs.metadata(json.stringMap("metadata")),
                onTimeout,
                disk.isPresent(),
                json.has("network") ? NetworkPolicy.parseWrenn(json.object("network", NetworkPolicy.wrennFields()),
                        limits.defaultInternetAccess()) : NetworkPolicy.defaults(limits.defaultInternetAccess()));
    }
}
