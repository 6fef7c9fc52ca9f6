package io.wrenn.hostagent.disk;

import java.nio.file.Path;

/** Sandbox disks: copy-on-write overlays on a template's read-only base image, and snapshot files. */
public interface DiskImages {

    /**
     * Creates a qcow2 overlay whose backing file is {@code base} (a raw image, or a snapshot's
     * qcow2 disk when its name ends in {@code .qcow2}) and whose virtual size is {@code sizeMb};
     * the guest grows its filesystem to that size.
     */
    void createOverlay(Path base, Path overlay, long sizeMb);

    /** Writes {@code overlay} and everything under it as one self-contained, sparse qcow2 image. */
    void flatten(Path overlay, Path target);

    /** Copies a file, leaving holes where the source has holes or zeros (guest RAM is mostly both). */
    void copySparse(Path source, Path target);

    /**
     * Writes the disk {@code overlay} shows (everything under it included) as one sparse raw
     * image, while a stopped VM still has it open.
     */
    void flattenRaw(Path overlay, Path target);

    /**
     * Checks the ext4 filesystem in an image file and repairs what it can (a disk copied from a
     * running guest needs its journal replayed); fails when errors remain.
     */
    void repairFilesystem(Path image);

    /** The least size, in MiB, the ext4 filesystem in an image file can be shrunk to. */
    long minimumFilesystemMb(Path image);

    /** Grows or shrinks the ext4 filesystem in an image file, and the file with it, to {@code sizeMb}. */
    void resizeFilesystem(Path image, long sizeMb);
}
