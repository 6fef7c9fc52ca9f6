package io.wrenn.controlplane.e2b;

import io.wrenn.controlplane.network.NetworkPolicy;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.sandbox.Sandbox;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sandboxes in E2B's JSON shapes ({@code Sandbox}, {@code SandboxDetail}, {@code ListedSandbox}
 * of E2B's REST spec). Plain maps: E2B's field names ({@code sandboxID}, {@code memoryMB}) are
 * exact and must not pass through the snake_case naming of Wrenn's own JSON.
 */
final class E2bViews {

    private E2bViews() {
    }

    /** The E2B state of a Wrenn status: what E2B clients can tell apart. */
    static String state(SandboxStatus status) {
        return switch (status) {
            case RUNNING -> "running";
            case PAUSED -> "paused";
            default -> status.wire();
        };
    }

    /** The answer to create and connect. */
    /**
     * @param domain where {@code {port}-{sandboxID}.<domain>} reaches the sandbox's ports (null:
     *               not configured, the SDK's own default applies)
     */
    static Map<String, Object> created(Sandbox s, String accessToken, NetworkPolicy network, String domain) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("templateID", s.templateName());
        view.put("sandboxID", WireId.SANDBOX.encode(s.id()));
        view.put("clientID", clientId(s));
        view.put("envdVersion", envdVersion(s));
        view.put("envdAccessToken", accessToken);
        view.put("trafficAccessToken", network.allowPublicTraffic() ? null : TrafficToken.of(accessToken));
        view.put("domain", domain);
        return view;
    }

    /**
     * The version the guest agents of Wrenn releases that did not record it said: sandboxes of
     * such a release (paused or running since) run that envd, so the SDKs must not turn on what
     * later versions added.
     */
    static final String ENVD_VERSION_UNRECORDED = "0.6.0";

    /** What the sandbox's guest said its envd is (the SDKs turn features on by it). */
    static String envdVersion(Sandbox s) {
        return s.envdVersion() != null ? s.envdVersion() : ENVD_VERSION_UNRECORDED;
    }

    static Map<String, Object> listed(Sandbox s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("templateID", s.templateName());
        view.put("sandboxID", WireId.SANDBOX.encode(s.id()));
        view.put("clientID", clientId(s));
        view.put("startedAt", time(s.startedAt() == null ? s.createdAt() : s.startedAt()));
        view.put("endAt", time(endAt(s)));
        view.put("cpuCount", s.vcpus());
        view.put("memoryMB", s.memoryMb());
        view.put("diskSizeMB", s.diskSizeMb());
        view.put("metadata", s.metadata());
        view.put("state", state(s.status()));
        view.put("envdVersion", envdVersion(s));
        view.put("volumeMounts", List.of());
        return view;
    }

    static Map<String, Object> detail(Sandbox s, String accessToken, boolean autoResume, NetworkPolicy network,
            String domain) {
        Map<String, Object> view = listed(s);
        view.put("envdAccessToken", accessToken);
        view.put("domain", domain);
        view.put("allowInternetAccess", network.allowInternetAccess());
        view.put("network", network.e2bView());
        view.put("lifecycle", Map.of("onTimeout", s.onTimeout().pauses() ? "pause" : "kill", "autoResume", autoResume));
        return view;
    }

    /** When the sandbox ends: its expiry, else (no timeout) when it stopped, else not known: now. */
    private static Instant endAt(Sandbox s) {
        if (s.expiresAt() != null) {
            return s.expiresAt();
        }
        return s.stoppedAt() != null ? s.stoppedAt() : Instant.now();
    }

    /** E2B's deprecated client id: the host the sandbox runs on. */
    private static String clientId(Sandbox s) {
        return s.hostId() == null ? "" : WireId.HOST.encode(s.hostId());
    }

    private static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
