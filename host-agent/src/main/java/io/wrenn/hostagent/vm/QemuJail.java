package io.wrenn.hostagent.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a sandbox's QEMU lives once it is set up: QEMU opens its tap, disk, RAM file, kernel and
 * sockets as root, then chroots into {@code root} (an empty directory beside its QMP socket) and
 * becomes {@code uid}, an unprivileged user of its own (no passwd entry needed) with no
 * capabilities, under a seccomp filter that forbids spawning processes, obsolete system calls and
 * resource control. What a guest that breaks out of its emulator reaches is then that empty
 * directory, as a user that owns nothing.
 *
 * <p>{@code elevateprivileges} stays allowed: QEMU's own switch to {@code uid} happens after its
 * filter is installed, and that filter option forbids every set*id call, that one included. A
 * process of uid {@code uid} without capabilities and with no_new_privs cannot become anyone
 * else anyway.
 *
 * <p>Saved state leaves through a Unix socket in {@code root} that the agent listens on
 * ({@link #MIGRATION_SOCKET}), and comes in through a descriptor QEMU inherits: QEMU 7.2 can
 * neither write a file by name nor spawn {@code cat} any more.
 */
public record QemuJail(int uid, Path root) {

    /** The first uid of the range Wrenn's QEMUs run as: one per network slot, so unique per host. */
    public static final int FIRST_UID = 900_000;
    /** The directory beside a sandbox's QMP socket that its QEMU is chrooted into. */
    public static final String ROOT_NAME = "jail";
    /** The socket, in the jail's root, that a save streams the VM's state into. */
    public static final String MIGRATION_SOCKET = "migrate.sock";
    /** What QEMU's seccomp filter forbids (see the class comment for {@code elevateprivileges}). */
    static final String SANDBOX = "on,obsolete=deny,elevateprivileges=allow,spawn=deny,resourcecontrol=deny";

    public QemuJail {
        if (uid < FIRST_UID) {
            throw new IllegalArgumentException("a jail's uid is at least " + FIRST_UID);
        }
    }

    /** The jail of the QEMU whose QMP socket is {@code qmpSocket}, running in network slot {@code slot}. */
    public static QemuJail forSlot(int slot, Path qmpSocket) {
        return new QemuJail(FIRST_UID + slot, rootBeside(qmpSocket));
    }

    /** The jail root of the QEMU whose QMP socket is {@code qmpSocket}. */
    public static Path rootBeside(Path qmpSocket) {
        return qmpSocket.resolveSibling(ROOT_NAME);
    }

    /** QEMU's options that drop into the jail once the machine is set up. */
    List<String> qemuArgs() {
        return List.of("-runas", uid + ":" + uid, "-chroot", root.toString(), "-sandbox", SANDBOX);
    }

    /**
     * Makes the root an empty directory owned by root that others may only traverse (QEMU, as
     * {@code uid}, needs to pass through its own {@code /} to reach the migration socket, and
     * must create nothing there).
     */
    void prepare() {
        try {
            Files.createDirectories(root);
            try (Stream<Path> leftovers = Files.list(root)) {
                for (Path leftover : leftovers.toList()) {
                    Files.deleteIfExists(leftover);
                }
            }
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot prepare the VM's jail " + root, e);
        }
    }
}
