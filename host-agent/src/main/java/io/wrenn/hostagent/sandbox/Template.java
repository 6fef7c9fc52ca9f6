package io.wrenn.hostagent.sandbox;

import java.nio.file.Path;

/**
 * A template this host can start: a base image (cold boot) or a snapshot (restored).
 *
 * @param rootfs      an image's root filesystem; a snapshot's flattened disk (qcow2)
 * @param imageSizeMb the disk's size as the guest sees it
 * @param sizeBytes   bytes the template really uses on the host's disk (its files are sparse)
 * @param snapshot    a snapshot's files, null for an image
 */
public record Template(String teamId, String name, Path rootfs, String defaultUser, String defaultWorkdir,
        long imageSizeMb, long sizeBytes, Snapshot snapshot) {

    /**
     * A snapshot template's machine (fixed: memory is restored as it was saved) and files.
     *
     * @param memory the guest RAM, mapped privately by every sandbox made from it
     * @param state  device state, saved with {@code x-ignore-shared}
     */
    public record Snapshot(int vcpus, int memoryMb, Path memory, Path state, long createdAtMs) {
    }

    public boolean isSnapshot() {
        return snapshot != null;
    }

    public String type() {
        return isSnapshot() ? "snapshot" : "image";
    }
}
