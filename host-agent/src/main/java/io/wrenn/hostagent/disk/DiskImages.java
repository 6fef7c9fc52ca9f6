package io.wrenn.hostagent.disk;

import java.nio.file.Path;

/** Sandbox disks: copy-on-write overlays on a template's read-only base image. */
public interface DiskImages {

    /**
     * Creates a qcow2 overlay whose backing file is the raw {@code base} image and whose virtual
     * size is {@code sizeMb}; the guest grows its filesystem to that size at boot.
     */
    void createOverlay(Path base, Path overlay, long sizeMb);
}
