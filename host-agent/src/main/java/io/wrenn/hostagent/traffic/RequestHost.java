package io.wrenn.hostagent.traffic;

import java.net.http.HttpRequest;

/**
 * Setting the {@code Host} header a sandbox's server sees (its {@code mask_request_host}). The
 * JDK's HTTP client refuses a {@code Host} header unless {@code jdk.httpclient.allowRestrictedHeaders}
 * names it before the client's first request in this JVM: the entry points call {@link #enable()}
 * first thing, and {@link #ALLOWED} tells whether that came in time.
 */
public final class RequestHost {

    private static final String PROPERTY = "jdk.httpclient.allowRestrictedHeaders";

    static {
        enable();
    }

    /** Whether this JVM's HTTP client lets the traffic listener set {@code Host}. */
    public static final boolean ALLOWED = probe();

    private RequestHost() {
    }

    /** Lets the HTTP client set {@code Host}; effective only before its first request in this JVM. */
    public static void enable() {
        String current = System.getProperty(PROPERTY, "");
        if (!java.util.Arrays.asList(current.toLowerCase(java.util.Locale.ROOT).split("\\s*,\\s*")).contains("host")) {
            System.setProperty(PROPERTY, current.isBlank() ? "host" : current + ",host");
        }
    }

    /** A host name, address or {@code host:port}: nothing that could end the header line or add another. */
    public static boolean valid(String host) {
        return host.matches("[A-Za-z0-9.:_\\[\\]-]{1,255}");
    }

    private static boolean probe() {
        try {
            HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1/")).header("Host", "probe");
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
