package io.wrenn.hostagent.sandbox;

import java.nio.file.Path;
import java.util.Map;

/**
 * A template this host can start: a base image (cold boot) or a snapshot (restored).
 *
 * @param rootfs         an image's root filesystem; a snapshot's flattened disk (qcow2)
 * @param imageSizeMb    the disk's size as the guest sees it
 * @param sizeBytes      bytes the template really uses on the host's disk (its files are sparse)
 * @param snapshot       a snapshot's files, null for an image
 * @param compactRootfs  an image's same files in a filesystem just big enough for them, the base
 *                       of a disk smaller than {@code imageSizeMb}; null when it has none
 * @param compactSizeMb  that filesystem's size: the smallest disk the template boots with
 * @param defaultEnv     environment every sandbox of the template gets (a create's own wins)
 * @param made           made on this host through the API (in its home; removable), not a base
 *                       image installed with the host
 * @param createdAtMs    when it was made; 0 for base images
 */
public record Template(String teamId, String name, Path rootfs, String defaultUser, String defaultWorkdir,
        long imageSizeMb, long sizeBytes, Snapshot snapshot, Path compactRootfs, long compactSizeMb,
        Map<String, String> defaultEnv, boolean made, long createdAtMs) {

    public Template {
        defaultEnv = Map.copyOf(defaultEnv);
    }

    /**
     * A snapshot template's machine (fixed: memory is restored as it was saved) and files.
     *
     * @param memory the guest RAM, mapped privately by every sandbox made from it
     * @param state  device state, saved with {@code x-ignore-shared}
     * @param description its {@code snapshot.json}
     * @param console     what its guest printed on its console before it was saved, which a
     *                    sandbox's console starts with (a warm snapshot's boot); null: nothing
     */
    public record Snapshot(int vcpus, int memoryMb, Path memory, Path state, Path description, Path console,
            long createdAtMs) {
    }

    /** The smallest disk a sandbox of this template can have, in MiB. */
    public long minDiskSizeMb() {
        return compactRootfs == null ? imageSizeMb : compactSizeMb;
    }

    /**
     * The base image of a disk of {@code diskSizeMb}: the image itself when the disk is at least
     * its size (a disk of exactly its size needs no grow in the guest), else the compact one,
     * which the guest grows to the disk.
     */
    public Path rootfsFor(long diskSizeMb) {
        return diskSizeMb >= imageSizeMb || compactRootfs == null ? rootfs : compactRootfs;
    }

    public boolean isSnapshot() {
        return snapshot != null;
    }

    public String type() {
        return isSnapshot() ? "snapshot" : "image";
    }
}
