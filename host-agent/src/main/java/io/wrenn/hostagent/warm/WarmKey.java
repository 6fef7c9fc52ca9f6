package io.wrenn.hostagent.warm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What a warm snapshot of an image may serve: a saved VM loads only into a QEMU started as the one
 * that saved it, and it holds the files it booted from. Two halves, each a digest of facts:
 * {@code source} (the image's root filesystem, the kernel, the initramfs, the QEMU binary and its
 * version: what a rebuild or an upgrade changes) and {@code machine} (accelerator, vCPUs, memory
 * and the whole QEMU command line: what a create asks for). A snapshot is used only when both
 * match; entries of an image with another {@code source} are stale and removed at the next prime.
 *
 * @param image   the image's directory name (a link such as {@code base} resolves to its image)
 * @param source  hex digest of the source facts
 * @param machine hex digest of the machine facts
 */
public record WarmKey(String image, String source, String machine) {

    /** Hex digits kept of each digest: 64 bits each, plenty to tell a handful of entries apart. */
    private static final int DIGITS = 16;

    public WarmKey {
        Objects.requireNonNull(image, "image is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(machine, "machine is null");
    }

    /** The key of {@code image} for these facts (each a line such as {@code "vcpus 2"}). */
    public static WarmKey of(String image, List<String> sourceFacts, List<String> machineFacts) {
        return new WarmKey(image, digest(sourceFacts), digest(machineFacts));
    }

    /** The directory name of the entry: {@code source-machine}. */
    public String name() {
        return source + "-" + machine;
    }

    /** Whether the entry named {@code entryName} was made from the same files (any machine). */
    public boolean sameSource(String entryName) {
        return entryName.startsWith(source + "-");
    }

    /**
     * A file as it is now: its size, modification time and inode. A rebuilt image is a new file
     * (a new inode, a new time) even when its size is the same; reading it whole on every create
     * would cost seconds for a root filesystem.
     */
    public static String fileIdentity(Path file) {
        try {
            // By the file it is: agents that reach one image through different links share its key.
            Path real = file.toRealPath();
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
            return real + " size=" + attributes.size() + " modified=" + attributes.lastModifiedTime().toInstant()
                    + " key=" + attributes.fileKey();
        } catch (IOException e) {
            return file.toAbsolutePath() + " absent";
        }
    }

    /** Where {@code program} is found on {@code path} (a PATH value), or null. */
    public static Path onPath(String program, String path) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static String digest(List<String> facts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String fact : facts) {
                sha.update(fact.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return image + "/" + name();
    }
}
