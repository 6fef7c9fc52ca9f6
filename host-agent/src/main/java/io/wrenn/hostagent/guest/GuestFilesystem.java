package io.wrenn.hostagent.guest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** envd's {@code filesystem.Filesystem} RPCs for one guest, each acting as the given user. */
public final class GuestFilesystem {

    /**
     * One directory entry as the guest reports it.
     *
     * @param type          {@code file}, {@code directory}, {@code symlink} or {@code other}
     * @param size          bytes (of the target, for a symlink whose target exists)
     * @param mode          permission bits, e.g. {@code 0755}
     * @param symlinkTarget null unless the entry is a symbolic link
     */
    public record Entry(String name, String path, String type, long size, int mode, String owner, String group,
            long modifiedAtMs, String symlinkTarget) {
    }

    /** A change under a watched directory: {@code start} once, then {@code create|write|remove|rename|chmod}. */
    public record Change(String type, String name) {
    }

    private final EnvdClient envd;

    GuestFilesystem(EnvdClient envd) {
        this.envd = envd;
    }

    public Entry stat(String path, String user) {
        return entry(call("filesystem.Filesystem/Stat", Map.of("path", path), user, "stat").path("entry"));
    }

    /** Entries under {@code path}, down to {@code depth} levels (1 = the directory's own). */
    public List<Entry> listDir(String path, int depth, String user) {
        List<Entry> entries = new ArrayList<>();
        call("filesystem.Filesystem/ListDir", Map.of("path", path, "depth", depth), user, "list")
                .path("entries").forEach(e -> entries.add(entry(e)));
        return entries;
    }

    /** Creates the directory and its missing parents, owned by {@code user}. */
    public Entry makeDir(String path, String user) {
        return entry(call("filesystem.Filesystem/MakeDir", Map.of("path", path), user, "mkdir").path("entry"));
    }

    /** Removes a file, or a directory with everything in it. */
    public void remove(String path, String user) {
        call("filesystem.Filesystem/Remove", Map.of("path", path), user, "remove");
    }

    public Entry move(String source, String destination, String user) {
        return entry(call("filesystem.Filesystem/Move", Map.of("source", source, "destination", destination), user, "move")
                .path("entry"));
    }

    /** Changes under {@code path} until the stream is closed; the first is {@code start}. */
    public ConnectStream<Change> watch(String path, boolean recursive, String user) {
        return new ConnectStream<>(envd.serverStream("filesystem.Filesystem/WatchDir",
                Map.of("path", path, "recursive", recursive), user, "watch"), GuestFilesystem::change);
    }

    private JsonNode call(String method, Object request, String user, String what) {
        try {
            return envd.unary(method, request, user, what);
        } catch (GuestException e) {
            throw sharpened(e);
        }
    }

    /**
     * envd reports "exists" and "not a directory" as invalid arguments, as E2B's envd does;
     * they are conflicts with the guest's state, not malformed requests.
     */
    static GuestException sharpened(GuestException e) {
        if (e.kind() != GuestException.Kind.INVALID_ARGUMENT || e.getMessage() == null) {
            return e;
        }
        if (e.getMessage().contains("already exists")) {
            return new GuestException(GuestException.Kind.ALREADY_EXISTS, e.getMessage());
        }
        if (e.getMessage().contains("not a directory") || e.getMessage().contains("is a directory")) {
            return new GuestException(GuestException.Kind.FAILED_PRECONDITION, e.getMessage());
        }
        return e;
    }

    static Entry entry(JsonNode e) {
        String type = switch (e.path("type").asString("")) {
            case "FILE_TYPE_FILE" -> "file";
            case "FILE_TYPE_DIRECTORY" -> "directory";
            case "FILE_TYPE_SYMLINK" -> "symlink";
            default -> "other";
        };
        JsonNode size = e.path("size");
        String modified = e.path("modifiedTime").asString("");
        return new Entry(e.path("name").asString(""), e.path("path").asString(""), type,
                // proto3 JSON writes 64-bit integers as strings.
                size.isString() ? Long.parseLong(size.asString()) : size.asLong(0),
                e.path("mode").asInt(0), e.path("owner").asString(""), e.path("group").asString(""),
                modified.isEmpty() ? 0 : Instant.parse(modified).toEpochMilli(),
                e.hasNonNull("symlinkTarget") ? e.path("symlinkTarget").asString() : null);
    }

    private static Change change(byte[] payload) {
        // WatchDirResponse's oneof sits at the top level (unlike the process events).
        JsonNode event = EnvdClient.readTree(payload);
        if (event.has("start")) {
            return new Change("start", "");
        }
        if (event.has("filesystem")) {
            JsonNode fs = event.path("filesystem");
            String type = fs.path("type").asString("").replace("EVENT_TYPE_", "").toLowerCase(java.util.Locale.ROOT);
            return new Change(type, fs.path("name").asString(""));
        }
        return null;
    }
}
