package io.wrenn.sdk.internal;

import io.wrenn.sdk.BuildInfo;
import io.wrenn.sdk.BuildLogLine;
import io.wrenn.sdk.BuildSpec;
import io.wrenn.sdk.Builds;
import io.wrenn.sdk.WrennException;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@link Builds} over {@code /v1/builds} and {@code /v1/build-archives}. */
final class HttpBuilds implements Builds {
    private static final int RECONNECTS = 5;
    private static final Duration RECONNECT_PAUSE = Duration.ofSeconds(1);

    private final Transport transport;

    HttpBuilds(Transport transport) {
        this.transport = transport;
    }

    @Override
    public String uploadArchive(Path archive) {
        HttpRequest request;
        try {
            request = transport.request("/v1/build-archives", transport.settings().lifecycleTimeout())
                    .header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofFile(archive)).build();
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException("no local file " + archive, e);
        }
        // The same bytes stored twice are the same archive (named by their hash): safe to retry.
        HttpResponse<byte[]> response = transport.send(request, HttpResponse.BodyHandlers.ofByteArray(), true);
        if (response.statusCode() >= 400) {
            throw Transport.error(response.statusCode(), response.body());
        }
        return Json.text(Json.read(response.body()), "archive");
    }

    @Override
    public BuildInfo importRootFilesystem(String name, Path tarball, Integer diskSizeMb) {
        Map<String, Object> query = diskSizeMb == null ? Map.of("name", name) : Map.of("name", name, "disk_size_mb", diskSizeMb);
        HttpRequest request;
        try {
            request = transport.request(Transport.path("/v1/template-imports", query), transport.settings().lifecycleTimeout())
                    .header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofFile(tarball)).build();
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException("no local file " + tarball, e);
        }
        // not retried: a second upload would queue a second import
        HttpResponse<byte[]> response = transport.send(request, HttpResponse.BodyHandlers.ofByteArray(), false);
        if (response.statusCode() >= 400) {
            throw Transport.error(response.statusCode(), response.body());
        }
        return Json.build(Json.read(response.body()));
    }

    @Override
    public BuildInfo start(BuildSpec spec) {
        ObjectNode body = Json.object().put("name", spec.name()).put("recipe", spec.recipe());
        if (spec.archive() != null) {
            body.put("archive", spec.archive());
        }
        if (spec.vcpus() != null) {
            body.put("vcpus", spec.vcpus());
        }
        if (spec.memoryMb() != null) {
            body.put("memory_mb", spec.memoryMb());
        }
        if (spec.diskSizeMb() != null) {
            body.put("disk_size_mb", spec.diskSizeMb());
        }
        if (spec.skipPrePost()) {
            body.put("skip_pre_post", true);
        }
        if (spec.noCache()) {
            body.put("no_cache", true);
        }
        return Json.build(transport.post("/v1/builds", body));
    }

    @Override
    public BuildInfo follow(String id, Consumer<BuildLogLine> onLog) {
        long after = 0;
        int failures = 0;
        while (true) {
            HttpRequest request = transport.request(Transport.path("/v1/builds/" + Transport.segment(id) + "/logs/stream",
                    Map.of("after", after)), transport.settings().requestTimeout())
                    .header("Accept", "text/event-stream").GET().build();
            try (InputStream stream = transport.stream(request, true).body();
                 BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String event = null;
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("event:")) {
                        event = line.substring("event:".length()).strip();
                    } else if (line.startsWith("data:")) {
                        JsonNode data = Json.read(line.substring("data:".length()).strip());
                        if ("log".equals(event)) {
                            BuildLogLine logLine = Json.buildLogLine(data);
                            after = logLine.seq();
                            onLog.accept(logLine);
                            failures = 0;
                        } else if ("end".equals(event)) {
                            return Json.build(data);
                        }
                    } else if (line.isEmpty()) {
                        event = null;
                    }
                }
            } catch (IOException | WrennException.ConnectionException broken) {
                // handled below: reconnect
            }
            // The stream ended without its end event (a restart of the server, a proxy): resume
            // after the last line seen, unless it keeps breaking.
            if (++failures > RECONNECTS) {
                return get(id);
            }
            try {
                Thread.sleep(RECONNECT_PAUSE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WrennException.ConnectionException("interrupted", e);
            }
        }
    }

    @Override
    public BuildInfo build(BuildSpec spec, Consumer<BuildLogLine> onLog) {
        return follow(start(spec).id(), onLog);
    }

    @Override
    public BuildInfo get(String id) {
        return Json.build(transport.get("/v1/builds/" + Transport.segment(id)));
    }

    @Override
    public BuildInfo cancel(String id) {
        return Json.build(transport.json("POST", "/v1/builds/" + Transport.segment(id) + "/cancel", Json.object(),
                transport.settings().requestTimeout(), true));
    }

    @Override
    public List<BuildInfo> list() {
        List<BuildInfo> builds = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> query = new LinkedHashMap<>();
            query.put("limit", 200);
            query.put("cursor", cursor);
            JsonNode page = transport.get(Transport.path("/v1/builds", query));
            page.path("builds").forEach(node -> builds.add(Json.build(node)));
            cursor = Json.text(page, "next_cursor");
        } while (cursor != null);
        return builds;
    }
}
