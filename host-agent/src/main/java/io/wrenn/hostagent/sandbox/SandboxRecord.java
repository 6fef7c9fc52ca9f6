package io.wrenn.hostagent.sandbox;

/**
 * The persisted state of one sandbox ({@code sandboxes/{id}/sandbox.json}).
 *
 * @param spec           the create request
 * @param slot           the network slot, unique on this host; 0 while paused (no network)
 * @param accelerator    "kvm" or "tcg"
 * @param defaultUser    the template's default user at creation time
 * @param defaultWorkdir the template's default working directory at creation time
 * @param startedAtMs    when the create call arrived (epoch ms)
 * @param expiresAtMs    when the timeout applies (epoch ms), 0 = never
 * @param bootMs         create call → first answer of the guest agent
 * @param envdAccessToken the secret envd demands on every call but {@code /health}, so that
 *                       nothing else on the host can drive the guest (the file is 0600)
 * @param phase          the lifecycle phase as last written (by its name): RUNNING, PAUSING, PAUSED or RESUMING
 *                       (null in records of older agents = RUNNING); a restarted agent finishes
 *                       or takes back a transition from here
 * @param pauseGeneration incremented by every pause; a resume restores exactly this one
 * @param ownMemory      the VM's RAM is its own shared file ({@code memory}); false while it is a
 *                       private mapping of a snapshot template's memory
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
        String envdAccessToken,
        Sandbox.State phase,
        long pauseGeneration,
        boolean ownMemory) {

    public SandboxRecord withSpec(SandboxSpec value) {
        return new SandboxRecord(value, slot, accelerator, defaultUser, defaultWorkdir, startedAtMs, expiresAtMs, bootMs,
                envdAccessToken, phase, pauseGeneration, ownMemory);
    }

    public SandboxRecord withBootMs(long value) {
        return new SandboxRecord(spec, slot, accelerator, defaultUser, defaultWorkdir, startedAtMs, expiresAtMs, value,
                envdAccessToken, phase, pauseGeneration, ownMemory);
    }

    public SandboxRecord withSlot(int value) {
        return new SandboxRecord(spec, value, accelerator, defaultUser, defaultWorkdir, startedAtMs, expiresAtMs, bootMs,
                envdAccessToken, phase, pauseGeneration, ownMemory);
    }

    public SandboxRecord withPhase(Sandbox.State value) {
        return new SandboxRecord(spec, slot, accelerator, defaultUser, defaultWorkdir, startedAtMs, expiresAtMs, bootMs,
                envdAccessToken, value, pauseGeneration, ownMemory);
    }

    public SandboxRecord withPauseGeneration(long value) {
        return new SandboxRecord(spec, slot, accelerator, defaultUser, defaultWorkdir, startedAtMs, expiresAtMs, bootMs,
                envdAccessToken, phase, value, ownMemory);
    }

    public SandboxRecord withOwnMemory(boolean value) {
        return new SandboxRecord(spec, slot, accelerator, defaultUser, defaultWorkdir, startedAtMs, expiresAtMs, bootMs,
                envdAccessToken, phase, pauseGeneration, value);
    }

    public SandboxRecord withEnvdAccessToken(String value) {
        return new SandboxRecord(spec, slot, accelerator, defaultUser, defaultWorkdir, startedAtMs, expiresAtMs, bootMs,
                value, phase, pauseGeneration, ownMemory);
    }

    public SandboxRecord withExpiresAtMs(long value) {
        return new SandboxRecord(spec, slot, accelerator, defaultUser, defaultWorkdir, startedAtMs, value, bootMs,
                envdAccessToken, phase, pauseGeneration, ownMemory);
    }

    /** The phase as written; RUNNING for records of agents that did not write one. */
    public Sandbox.State phaseOrRunning() {
        return phase == null ? Sandbox.State.RUNNING : phase;
    }
}
