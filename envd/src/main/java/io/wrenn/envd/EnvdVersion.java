package io.wrenn.envd;

/**
 * The envd protocol version this agent reports. The E2B SDKs switch features on it (stdin
 * control at 0.3.0, the default user at 0.4.0, raw octet-stream uploads at 0.6.0), so it names
 * the newest E2B envd whose features this agent actually implements.
 */
public final class EnvdVersion {
    public static final String VERSION = "0.6.0";

    private EnvdVersion() {
    }
}
