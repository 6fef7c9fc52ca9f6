package io.wrenn.sdk.internal;

import io.wrenn.sdk.FileEntry;
import io.wrenn.sdk.FileEvent;
import io.wrenn.sdk.FileWatch;
import io.wrenn.sdk.Filesystem;
import io.wrenn.sdk.WrennException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@link Filesystem} over {@code /v1/sandboxes/{id}/files…}, as one guest user (null: the sandbox's default). */
final class HttpFilesystem implements Filesystem {
    private final Transport transport;
    private final String sandboxId;
    private final String user;
    private final String base;

    HttpFilesystem(Transport transport, String sandboxId, String user) {
        this.transport = transport;
        this.sandboxId = sandboxId;
        this.user = user;
        this.base = "/v1/sandboxes/" + Transport.segment(sandboxId) + "/files";
    }

    @Override
    public Filesystem as(String otherUser) {
        return new HttpFilesystem(transport, sandboxId, otherUser);
    }

    private String at(String suffix, String path, Map<String, Object> more) {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("path", path);
        query.put("user", user);
        query.putAll(more);
        return Transport.path(base + suffix, query);
    }

    private String at(String suffix, String path) {
        return at(suffix, path, Map.of());
    }

    @Override
    public byte[] read(String path) {
        try (InputStream in = readStream(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new WrennException.ConnectionException("reading " + path + ": " + e, e);
        }
    }

    @Override
    public String readString(String path) {
        return new String(read(path), StandardCharsets.UTF_8);
    }

    @Override
    public InputStream readStream(String path) {
        HttpRequest request = transport.request(at("", path), transport.settings().requestTimeout()).GET().build();
        return transport.stream(request, true).body();
    }

    @Override
    public long download(String path, Path to) {
        try (InputStream in = readStream(path)) {
            Path partial = Files.createTempFile(to.toAbsolutePath().getParent(), ".wrenn-", ".part");
            try {
                long copied = Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, to, StandardCopyOption.REPLACE_EXISTING);
                return copied;
            } finally {
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("downloading " + path + " to " + to, e);
        }
    }

    @Override
    public long write(String path, byte[] bytes) {
        return put(path, HttpRequest.BodyPublishers.ofByteArray(bytes), true);
    }

    @Override
    public long write(String path, String text) {
        return write(path, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public long write(String path, InputStream bytes) {
        // A stream can be sent once: no retry.
        return put(path, HttpRequest.BodyPublishers.ofInputStream(() -> bytes), false);
    }

    @Override
    public long upload(Path from, String path) {
        try {
            return put(path, HttpRequest.BodyPublishers.ofFile(from), true);
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException("no local file " + from, e);
        }
    }

    private long put(String path, HttpRequest.BodyPublisher body, boolean idempotent) {
        HttpRequest request = transport.request(at("", path), transport.settings().lifecycleTimeout())
                .header("Content-Type", "application/octet-stream").PUT(body).build();
        HttpResponse<byte[]> response = transport.send(request, HttpResponse.BodyHandlers.ofByteArray(), idempotent);
        if (response.statusCode() >= 400) {
            throw Transport.error(response.statusCode(), response.body());
        }
        return Json.read(response.body()).path("size").asLong();
    }

    @Override
    public List<FileEntry> list(String path) {
        return list(path, 1);
    }

    @Override
    public List<FileEntry> list(String path, int depth) {
        List<FileEntry> entries = new ArrayList<>();
        transport.get(at("/list", path, Map.of("depth", depth))).path("entries")
                .forEach(node -> entries.add(Json.file(node)));
        return entries;
    }

    @Override
    public FileEntry stat(String path) {
        return Json.file(transport.get(at("/stat", path)));
    }

    @Override
    public boolean exists(String path) {
        try {
            stat(path);
            return true;
        } catch (WrennException.NotFoundException e) {
            if ("file_not_found".equals(e.code())) {
                return false;
            }
            throw e;
        }
    }

    private ObjectNode withUser(ObjectNode body) {
        if (user != null) {
            body.put("user", user);
        }
        return body;
    }

    @Override
    public FileEntry mkdir(String path) {
        return Json.file(transport.post(base + "/mkdir", withUser(Json.object().put("path", path))));
    }

    @Override
    public FileEntry move(String source, String destination) {
        return Json.file(transport.post(base + "/move",
                withUser(Json.object().put("source", source).put("destination", destination))));
    }

    @Override
    public void remove(String path) {
        transport.delete(at("", path));
    }

    @Override
    public FileWatch watch(String path, boolean recursive, Consumer<FileEvent> onEvent) {
        HttpRequest request = transport.request(at("/watch", path, Map.of("recursive", recursive)),
                        transport.settings().requestTimeout())
                .header("Accept", "text/event-stream").GET().build();
        return EventStreamWatch.start(transport.stream(request, false).body(), onEvent);
    }

}
