package io.wrenn.sdk;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The files of one sandbox, read and changed as one guest user (the sandbox's default user
 * unless {@link #as(String)} chose another): the guest kernel decides what that user may do,
 * so a refused access is a {@link WrennException.PermissionDeniedException}. Paths are
 * absolute. Reads and writes of streams and local files are streamed, never held whole.
 * Thread-safe.
 */
public interface Filesystem {

    /**
     * @param user a guest user, e.g. {@code root}
     * @return this sandbox's files as that user
     */
    Filesystem as(String user);

    /** The whole file's bytes. */
    byte[] read(String path);

    /** The whole file as UTF-8 text. */
    String readString(String path);

    /**
     * The file as a stream; the caller closes it.
     *
     * @param path the file
     * @return its bytes, read from the sandbox as the caller reads
     */
    InputStream readStream(String path);

    /**
     * Copies the file to a local file, replacing it.
     *
     * @param path the file in the sandbox
     * @param to   the local file
     * @return bytes copied
     */
    long download(String path, Path to);

    /**
     * Writes bytes to a file; parent directories are created, an existing file is replaced.
     *
     * @return bytes written
     */
    long write(String path, byte[] bytes);

    /** Writes UTF-8 text to a file; see {@link #write(String, byte[])}. */
    long write(String path, String text);

    /**
     * Writes a stream to a file, to its end; the caller closes the stream.
     *
     * @return bytes written
     */
    long write(String path, InputStream bytes);

    /**
     * Copies a local file into the sandbox.
     *
     * @param from the local file
     * @param path the file in the sandbox
     * @return bytes written
     */
    long upload(Path from, String path);

    /** The directory's entries. */
    List<FileEntry> list(String path);

    /**
     * The directory's entries down to {@code depth} levels (1 = its own entries, at most 32).
     */
    List<FileEntry> list(String path, int depth);

    /**
     * Describes one entry (a symbolic link itself, with its target).
     *
     * @throws WrennException.NotFoundException when there is none ({@code file_not_found})
     */
    FileEntry stat(String path);

    /** True when the path exists for this user. */
    boolean exists(String path);

    /** Creates a directory and its missing parents. */
    FileEntry mkdir(String path);

    /**
     * Renames or moves an entry.
     *
     * @return the entry at its new place
     */
    FileEntry move(String source, String destination);

    /** Removes a file, or a directory with everything in it. */
    void remove(String path);

    /**
     * Watches a directory; changes go to {@code onEvent} until the watch is closed.
     *
     * @param path      the directory
     * @param recursive also its subdirectories, including ones created later
     * @param onEvent   receives each change, on the SDK's reader thread
     * @return the watch, already watching
     */
    FileWatch watch(String path, boolean recursive, Consumer<FileEvent> onEvent);
}
