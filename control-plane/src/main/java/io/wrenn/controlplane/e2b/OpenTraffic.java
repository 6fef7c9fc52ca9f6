package io.wrenn.controlplane.e2b;

import java.io.Closeable;
import java.io.IOException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The streams and tunnels open through the traffic proxy, with the credential each was let in
 * by: a sandbox's envd is asked for its token only when a request starts, so what was opened
 * with a token that has since been replaced, or with a key since revoked, is ended here.
 */
final class OpenTraffic {

    /**
     * @param sandboxId the sandbox reached
     * @param apiKeyId  the key it was let in by, or null
     * @param byToken   let in by the sandbox's access or traffic token (not by a key, not as public traffic)
     */
    record Opened(UUID sandboxId, UUID apiKeyId, boolean byToken, Closeable end) {
    }

    private final Set<Opened> open = ConcurrentHashMap.newKeySet();

    /** Registers a stream until the returned handle is closed. */
    AutoCloseable register(Opened opened) {
        open.add(opened);
        return () -> open.remove(opened);
    }

    /** Ends what was let in by the sandbox's old token (it was just replaced). */
    void tokenReplaced(UUID sandboxId) {
        endAll(o -> o.byToken() && o.sandboxId().equals(sandboxId));
    }

    /** Ends what the key let in (it was just revoked). */
    void keyRevoked(UUID apiKeyId) {
        endAll(o -> apiKeyId.equals(o.apiKeyId()));
    }

    int size() {
        return open.size();
    }

    private void endAll(java.util.function.Predicate<Opened> which) {
        for (Opened opened : open) {
            if (which.test(opened) && open.remove(opened)) {
                try {
                    opened.end().close();
                } catch (IOException | RuntimeException ignored) {
                    // ending it is all that matters; a stream already broken is ended too
                }
            }
        }
    }
}
