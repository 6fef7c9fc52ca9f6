package io.wrenn.sdk;

/**
 * A change in a watched directory.
 *
 * @param type what happened
 * @param name the changed entry's path relative to the watched directory
 */
public record FileEvent(Type type, String name) {

    /** The kinds of changes. */
    public enum Type {
        CREATE, WRITE, REMOVE, RENAME, CHMOD
    }
}
