package io.wrenn.controlplane.template;

import java.time.Instant;
import java.util.UUID;

/**
 * A template a sandbox can start from. {@code teamId} is the owner: the all-zero UUID for
 * platform templates, which every team may use. {@code type} is {@code image} (a root
 * filesystem: cold boot, any size) or {@code snapshot} (memory + disk: restored; its vcpus and
 * memory are fixed, and it lives on the host that made it).
 *
 * @param hostId     a snapshot's host; null for images (every host has them)
 * @param diskSizeMb a snapshot's disk size, the least a sandbox made from it gets
 * @param sizeBytes  bytes the template really uses on its host's disk
 */
public record Template(UUID id, UUID teamId, String name, String type, int vcpus, int memoryMb, UUID hostId,
                       Integer diskSizeMb, Long sizeBytes, Instant createdAt) {

    public static final UUID PLATFORM_TEAM = new UUID(0, 0);

    public boolean isSnapshot() {
        return "snapshot".equals(type);
    }

    public boolean isPlatform() {
        return PLATFORM_TEAM.equals(teamId);
    }
}
