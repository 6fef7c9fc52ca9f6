package io.wrenn.hostagent.layout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Directories only their owner (root) may enter, whatever the umask: what lies under them
 * (guests' RAM files, disks, consoles, envd tokens) is then private too, whatever mode QEMU,
 * qemu-img or the JDK gave each file.
 */
public final class PrivateDirectories {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PrivateDirectories() {
    }

    /** Creates {@code dir} (and missing parents) and makes {@code dir} itself 0700. */
    public static Path create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, OWNER_ONLY);
        return dir;
    }
}
