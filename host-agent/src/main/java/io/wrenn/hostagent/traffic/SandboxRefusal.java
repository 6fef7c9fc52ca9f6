package io.wrenn.hostagent.traffic;

import io.wrenn.hostagent.sandbox.SandboxException;

/** The answer of both traffic listeners when the agent cannot hand out the sandbox asked for. */
record SandboxRefusal(int status, String code) {

    static SandboxRefusal of(SandboxException e) {
        return switch (e.kind()) {
            case NOT_FOUND -> new SandboxRefusal(404, "sandbox_not_found");
            // QEMU holds the guest stopped on a full host disk: it cannot answer until there is room.
            case RESOURCE_EXHAUSTED -> new SandboxRefusal(507, "disk_full");
            default -> new SandboxRefusal(409, "invalid_state");
        };
    }
}
