package io.wrenn.hostagent.sandbox;

/**
 * The persisted state of one sandbox ({@code sandboxes/{id}/sandbox.json}).
 *
 * @param spec           the create request
 * @param slot           the network slot, unique on this host
 * @param accelerator    "kvm" or "tcg"
 * @param defaultUser    the template's default user at creation time
 * @param defaultWorkdir the template's default working directory at creation time
 * @param startedAtMs    when the create call arrived (epoch ms)
 * @param expiresAtMs    when the reaper destroys it (epoch ms), 0 = never
 * @param bootMs         create call → first answer of the guest agent
 * @param envdAccessToken the secret envd demands on every call but {@code /health}, so that
 *                       nothing else on the host can drive the guest (the file is 0600)
 */
public record SandboxRecord(
        SandboxSpec spec,
        int slot,
        String accelerator,
        String defaultUser,
        String defaultWorkdir,
        long startedAtMs,
        long expiresAtMs,
        long bootMs,
        String envdAccessToken) {

    public SandboxRecord withBootMs(long value) {
        return new SandboxRecord(spec, slot, accelerator, defaultUser, defaultWorkdir, startedAtMs, expiresAtMs, value,
                envdAccessToken);
    }
}
