package io.wrenn.hostagent.sandbox;

/** A running sandbox's envd access token replaced on demand (its holders lost the right to it). */
final class AccessTokens {

    private final SandboxHost host;
    private final LiveSandboxes live;

    AccessTokens(SandboxHost host, LiveSandboxes live) {
        this.host = host;
        this.live = live;
    }

    /**
     * See {@link SandboxManager#rotateAccessToken(String, String)}. The guest takes the token
     * first, then the record: a guest that refused keeps the record's (old) token and works on.
     */
    Sandbox rotateAccessToken(String sandboxId, String newToken) {
        if (newToken == null || !Creator.ACCESS_TOKEN.matcher(newToken).matches()) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "envd_access_token must be 32 to 128 characters [A-Za-z0-9_-]");
        }
        Sandbox sandbox = live.running(sandboxId);
        sandbox.lock.lock();
        try {
            if (sandbox.state() != Sandbox.State.RUNNING) {
                throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION, "sandbox is not running");
            }
            try {
                sandbox.guest().rotateAccessToken(newToken);
            } catch (io.wrenn.hostagent.guest.GuestException e) {
                throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the guest agent did not take the new token");
            }
            SandboxRecord updated = sandbox.record().withEnvdAccessToken(newToken);
            host.store.write(updated);
            sandbox.record(updated);
            return sandbox;
        } finally {
            sandbox.lock.unlock();
        }
    }
}
