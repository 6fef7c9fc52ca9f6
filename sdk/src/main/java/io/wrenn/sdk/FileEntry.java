package io.wrenn.sdk;

import java.time.Instant;

/**
 * A file, directory or symbolic link in a sandbox, as the guest user who asked sees it.
 *
 * @param name          its last path component
 * @param path          its absolute path
 * @param type          what it is
 * @param size          bytes (of the target, for a symbolic link whose target exists)
 * @param mode          permission bits in octal, e.g. {@code 0755}
 * @param owner         owning user
 * @param group         owning group
 * @param modifiedAt    last modification
 * @param symlinkTarget where a symbolic link points, or null
 */
public record FileEntry(String name, String path, Type type, long size, String mode, String owner, String group,
                        Instant modifiedAt, String symlinkTarget) {

    /** The kinds of entries. */
    public enum Type {
        FILE, DIRECTORY, SYMLINK, OTHER
    }

    /** True for a directory. */
    public boolean isDirectory() {
        return type == Type.DIRECTORY;
    }
}
