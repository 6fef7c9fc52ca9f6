package io.wrenn.sdk.testing;

import io.wrenn.sdk.FileEntry;
import io.wrenn.sdk.FileEvent;
import io.wrenn.sdk.WrennException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The files of one fake sandbox: a map from normalised absolute path to entry, plus the
 * watches on it. Guarded by the owning {@link WrennFake}'s lock.
 */
final class FakeDisk {
    private static final String ROOT = "/";

    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();

    /** One entry: a directory (data null) or a file. */
    static final class Node {
        final byte[] data;
        final String owner;
        final Instant modifiedAt;

        Node(byte[] data, String owner, Instant modifiedAt) {
            this.data = data;
            this.owner = owner;
            this.modifiedAt = modifiedAt;
        }

        boolean directory() {
            return data == null;
        }
    }

    record Watcher(String directory, boolean recursive, Consumer<FileEvent> onEvent) {
    }

    FakeDisk() {
        Instant now = Instant.now();
        for (String directory : List.of(ROOT, "/home", "/tmp", "/root")) {
            nodes.put(directory, new Node(null, "root", now));
        }
        nodes.put("/home/user", new Node(null, "user", now));
    }

    /** A copy with the same files and no watches (a snapshot's or a fork's disk). */
    FakeDisk copy() {
        FakeDisk copy = new FakeDisk();
        copy.nodes.clear();
        copy.nodes.putAll(nodes);
        return copy;
    }

    /** The path normalised, or {@code invalid_request} as the server answers for a bad path. */
    static String normalise(String path) {
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new WrennException.InvalidRequestException("invalid_request", 400,
                    "path must be absolute and without NUL characters");
        }
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                throw new WrennException.InvalidRequestException("invalid_request", 400,
                        "path must not contain '..' components");
            }
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return ROOT + String.join("/", parts);
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? ROOT : path.substring(0, slash);
    }

    static String name(String path) {
        return path.equals(ROOT) ? ROOT : path.substring(path.lastIndexOf('/') + 1);
    }

    private static WrennException notFound() {
        return new WrennException.NotFoundException("file_not_found", 404, "no such file or directory");
    }

    Node node(String path) {
        Node node = nodes.get(path);
        if (node == null) {
            throw notFound();
        }
        return node;
    }

    byte[] read(String path) {
        Node node = node(path);
        if (node.directory()) {
            throw new WrennException.ConflictException("invalid_state", 409, "the path is a directory");
        }
        return node.data.clone();
    }

    void write(String path, byte[] data, String owner) {
        Node existing = nodes.get(path);
        if (existing != null && existing.directory()) {
            throw new WrennException.ConflictException("invalid_state", 409, "the path is a directory");
        }
        makeDirectories(parent(path), owner);
        nodes.put(path, new Node(data.clone(), owner, Instant.now()));
        notify(path, existing == null ? FileEvent.Type.CREATE : FileEvent.Type.WRITE);
    }

    Node makeDirectories(String path, String owner) {
        Node existing = nodes.get(path);
        if (existing != null) {
            if (!existing.directory()) {
                throw new WrennException.ConflictException("invalid_state", 409, "a path component is a file");
            }
            return existing;
        }
        makeDirectories(parent(path), owner);
        Node created = new Node(null, owner, Instant.now());
        nodes.put(path, created);
        notify(path, FileEvent.Type.CREATE);
        return created;
    }

    List<FileEntry> list(String path, int depth) {
        if (!node(path).directory()) {
            throw new WrennException.ConflictException("invalid_state", 409, "the path is not a directory");
        }
        String prefix = path.equals(ROOT) ? ROOT : path + "/";
        List<FileEntry> entries = new ArrayList<>();
        for (Map.Entry<String, Node> entry : nodes.tailMap(prefix, false).entrySet()) {
            if (!entry.getKey().startsWith(prefix)) {
                break;
            }
            int level = entry.getKey().substring(prefix.length()).split("/").length;
            if (level <= depth) {
                entries.add(entry(entry.getKey(), entry.getValue()));
            }
        }
        return entries;
    }

    FileEntry stat(String path) {
        return entry(path, node(path));
    }

    void move(String source, String destination) {
        if (source.equals(ROOT) || destination.startsWith(source + "/")) {
            throw new WrennException.InvalidRequestException("invalid_request", 400, "cannot move a directory into itself");
        }
        node(source);
        if (nodes.containsKey(destination)) {
            throw new WrennException.ConflictException("conflict", 409, "the destination exists");
        }
        makeDirectories(parent(destination), node(source).owner);
        for (String path : subtree(source)) {
            nodes.put(destination + path.substring(source.length()), nodes.remove(path));
        }
        notify(source, FileEvent.Type.RENAME);
        notify(destination, FileEvent.Type.CREATE);
    }

    void remove(String path) {
        if (path.equals(ROOT)) {
            throw new WrennException.InvalidRequestException("invalid_request", 400, "the root directory cannot be removed");
        }
        node(path);
        subtree(path).forEach(nodes::remove);
        notify(path, FileEvent.Type.REMOVE);
    }

    private List<String> subtree(String path) {
        List<String> paths = new ArrayList<>();
        paths.add(path);
        for (String candidate : nodes.tailMap(path + "/", true).keySet()) {
            if (!candidate.startsWith(path + "/")) {
                break;
            }
            paths.add(candidate);
        }
        return paths;
    }

    Watcher watch(String directory, boolean recursive, Consumer<FileEvent> onEvent) {
        if (!node(directory).directory()) {
            throw new WrennException.ConflictException("invalid_state", 409, "the path is not a directory");
        }
        Watcher watcher = new Watcher(directory, recursive, onEvent);
        watchers.add(watcher);
        return watcher;
    }

    void unwatch(Watcher watcher) {
        watchers.remove(watcher);
    }

    private void notify(String path, FileEvent.Type type) {
        for (Watcher watcher : watchers) {
            String prefix = watcher.directory().equals(ROOT) ? ROOT : watcher.directory() + "/";
            if (path.startsWith(prefix)) {
                String relative = path.substring(prefix.length());
                if (watcher.recursive() || !relative.contains("/")) {
                    watcher.onEvent().accept(new FileEvent(type, relative));
                }
            }
        }
    }

    private static FileEntry entry(String path, Node node) {
        return new FileEntry(name(path), path, node.directory() ? FileEntry.Type.DIRECTORY : FileEntry.Type.FILE,
                node.directory() ? 4096 : node.data.length, node.directory() ? "0755" : "0644", node.owner,
                node.owner, node.modifiedAt, null);
    }
}
