package io.wrenn.controlplane.sandbox;

import io.grpc.StatusException;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.auth.Caller;
import io.wrenn.controlplane.auth.CredentialEnds;
import io.wrenn.controlplane.host.AgentErrors;
import io.wrenn.controlplane.host.Host;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.hostagent.protocol.RotateAccessTokenRequest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes' envd access tokens as handed out (E2B's {@code envdAccessToken}): each hand-out is
 * recorded against the credential that asked, and a token is replaced when asked to, or when a
 * credential it was handed to ends (a key revoked, a member gone, a person disabled). A running
 * sandbox's guest takes the new token at once (its host re-initialises envd); a paused one's
 * takes it at its resume, which always gives the guest the token recorded here.
 *
 * <p>Those told of a replaced token ({@link #onReplaced}) end what was opened with the old one;
 * those told of a revoked key ({@link #onKeyRevoked}) end what the key opened.
 */
public final class AccessTokens implements CredentialEnds {

    private static final Logger log = LoggerFactory.getLogger(AccessTokens.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration HOST_CALL = Duration.ofSeconds(30);

    private final SandboxService sandboxes;
    private final SandboxStore store;
    private final AccessTokenGrants grants;
    private final HostAgents agents;
    /** One replacement of a sandbox's token at a time (by stripes): the host's order and the row's must agree. */
    private final Object[] locks = new Object[64];
    private final List<Consumer<UUID>> replaced = new CopyOnWriteArrayList<>();
    private final List<Consumer<UUID>> keyRevoked = new CopyOnWriteArrayList<>();

    public AccessTokens(SandboxService sandboxes, SandboxStore store, HostAgents agents, Jdbi jdbi) {
        this.sandboxes = sandboxes;
        this.store = store;
        this.grants = new AccessTokenGrants(jdbi);
        this.agents = agents;
        java.util.Arrays.setAll(locks, i -> new Object());
        sandboxes.afterResume(this::converge);
    }

    /** Told the id of each sandbox whose token was replaced. */
    public void onReplaced(Consumer<UUID> listener) {
        replaced.add(listener);
    }

    /** Told the id of each revoked API key. */
    public void onKeyRevoked(Consumer<UUID> listener) {
        keyRevoked.add(listener);
    }

    /** 256 random bits, URL-safe: a sandbox's envd access token. */
    static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The sandbox's token, handed to {@code caller}: recorded, so it goes when the caller's credential does. */
    public String handOut(Sandbox sandbox, Caller caller) {
        String token = sandboxes.accessToken(sandbox);
        if (token != null) {
            grants.grant(sandbox.id(), caller.apiKeyId(), caller.apiKeyId() == null ? caller.userId() : null);
        }
        return token;
    }

    /** The rotate route: a running sandbox of the team gets a new token; 404 or 409 as {@link SandboxService#requireRunning}. */
    public void rotate(UUID teamId, String wireId) {
        SandboxService.Placement placement = sandboxes.requireRunning(teamId, wireId);
        try {
            replaceOnHost(placement.host(), placement.sandbox().id());
        } catch (StatusException e) {
            throw AgentErrors.toApi(e, ErrorCode.SANDBOX_NOT_FOUND);
        }
    }

    @Override
    public void keysRevoked(Collection<UUID> apiKeyIds) {
        for (UUID key : apiKeyIds) {
            grants.ofKey(key).forEach(this::replaceQuietly);
            keyRevoked.forEach(listener -> listener.accept(key));
        }
    }

    @Override
    public void memberLeft(UUID teamId, UUID userId) {
        grants.ofUser(userId, teamId).forEach(this::replaceQuietly);
    }

    @Override
    public void userDisabled(UUID userId) {
        grants.ofUser(userId, null).forEach(this::replaceQuietly);
    }

    /**
     * A new token for the sandbox: through its host when it runs; else only here, and its resume
     * gives it to the guest. A host that cannot be reached leaves the running sandbox's old token
     * in place (logged): its next resume, or a rotation, replaces it.
     */
    private void replaceQuietly(UUID sandboxId) {
        synchronized (lock(sandboxId)) {
            Sandbox sandbox = store.find(sandboxId).orElse(null);
            if (sandbox == null || sandbox.status().terminal()) {
                return;
            }
            try {
                Host host = sandboxes.hostOf(sandbox).orElse(null);
                if (host == null) {
                    store.replaceAccessToken(sandboxId, newToken());
                    replaced.forEach(listener -> listener.accept(sandboxId));
                } else {
                    replaceOnHost(host, sandboxId);
                }
            } catch (StatusException | RuntimeException e) {
                log.warn("could not replace the access token of sandbox {}: {}", sandboxId, e.toString());
            }
        }
    }

    /** The guest takes the new token first, then the row: until the host answers, the old one still works. */
    private void replaceOnHost(Host host, UUID sandboxId) throws StatusException {
        synchronized (lock(sandboxId)) {
            String token = newToken();
            agents.stub(host, HOST_CALL).rotateAccessToken(RotateAccessTokenRequest.newBuilder()
                    .setSandboxId(sandboxId.toString())
                    .setEnvdAccessToken(token)
                    .build());
            store.replaceAccessToken(sandboxId, token);
            replaced.forEach(listener -> listener.accept(sandboxId));
        }
    }

    /**
     * After a resume that gave the guest {@code sent}: when the row's token changed meanwhile (a
     * revocation while it resumed), the guest is given the row's.
     */
    private void converge(Host host, UUID sandboxId, String sent) {
        synchronized (lock(sandboxId)) {
            String now = store.accessToken(sandboxId).orElse(null);
            if (now == null || now.equals(sent)) {
                return;
            }
            try {
                agents.stub(host, HOST_CALL).rotateAccessToken(RotateAccessTokenRequest.newBuilder()
                        .setSandboxId(sandboxId.toString())
                        .setEnvdAccessToken(now)
                        .build());
            } catch (StatusException e) {
                log.warn("sandbox {} resumed with a token replaced meanwhile; its host did not take the new one: {}",
                        sandboxId, e.getStatus());
            }
        }
    }

    private Object lock(UUID sandboxId) {
        return locks[Math.floorMod(sandboxId.hashCode(), locks.length)];
    }
}
