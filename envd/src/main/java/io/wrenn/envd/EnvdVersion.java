package io.wrenn.envd;

/**
 * The envd protocol version this agent reports. The E2B SDKs switch features on it (stdin
 * control at 0.3.0, the default user at 0.4.0, raw octet-stream uploads at 0.5.7, file metadata
 * at 0.6.2, entry info in watch events at 0.6.3), so it names the newest E2B envd whose features
 * this agent actually implements. Not 0.6.4: watching directories on network mounts (a guest
 * here has none).
 */
public final class EnvdVersion {
    public static final String VERSION = "0.6.3";

    private EnvdVersion() {
    }
}
