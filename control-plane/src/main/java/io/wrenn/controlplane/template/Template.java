package io.wrenn.controlplane.template;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A template a sandbox can start from. {@code teamId} is the owner: the all-zero UUID for
 * platform templates, which every team may use. {@code type} is {@code image} (a root
 * filesystem: cold boot, any size; a base image on every host, or one made from a sandbox's disk
 * on the host that made it) or {@code snapshot} (memory + disk: restored; its vcpus and memory
 * are fixed, and it lives on the host that made it).
 *
 * @param hostId         the host that made it (a snapshot, or an image from a sandbox's disk),
 *                       where its files are; null for base images (every host has them)
 * @param diskSizeMb     the least disk a sandbox made from it gets (a snapshot's disk, an image's
 *                       compact filesystem); null for base images (their hosts decide)
 * @param sizeBytes      bytes the template really uses on its host's disk
 * @param defaultUser    the user its sandboxes' processes run as unless asked otherwise; null = the image's
 * @param defaultEnvKeys the names of the environment variables its sandboxes get (values stay on its host)
 */
public record Template(UUID id, UUID teamId, String name, String type, int vcpus, int memoryMb, UUID hostId,
                       Integer diskSizeMb, Long sizeBytes, Instant createdAt, String defaultUser,
                       String defaultWorkdir, List<String> defaultEnvKeys) {

    public static final String SNAPSHOT = "snapshot";
    public static final String IMAGE = "image";

    public static final UUID PLATFORM_TEAM = new UUID(0, 0);

    public boolean isSnapshot() {
        return SNAPSHOT.equals(type);
    }

    /** Made from a sandbox through the API (a snapshot or an image): its files are on {@link #hostId}. */
    public boolean isMade() {
        return hostId != null;
    }

    public boolean isPlatform() {
        return PLATFORM_TEAM.equals(teamId);
    }
}
