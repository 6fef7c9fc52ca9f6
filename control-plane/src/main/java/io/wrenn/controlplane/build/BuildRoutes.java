package io.wrenn.controlplane.build;

import io.javalin.http.Context;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.auth.Caller;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.Jsons;
import io.wrenn.controlplane.http.RouteTable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code /v1/builds} and {@code /v1/build-archives} routes. */
public final class BuildRoutes {

    private static final int MAX_LOG_PAGE = 5000;
    private static final Duration STREAM_POLL = Duration.ofMillis(250);
    private static final Duration KEEPALIVE = Duration.ofSeconds(15);

    private final BuildService builds;

    BuildRoutes(BuildService builds) {
        this.builds = builds;
    }

    public void register(RouteTable routes) {
        routes.post("/v1/build-archives", Access.TEAM, ctx -> {
            String key = builds.storeArchive(Authenticator.caller(ctx), null, ctx.req().getInputStream());
            ctx.status(201).json(Map.of("archive", key));
        });
        routes.post("/v1/template-imports", Access.TEAM, ctx -> ctx.status(201).json(BuildView.of(
                builds.importRootFilesystem(Authenticator.caller(ctx), ctx.queryParam("name"), ctx.queryParam("disk_size_mb"),
                        ctx.req().getInputStream()), Instant.now())));
        routes.post("/v1/builds", Access.TEAM, ctx -> ctx.status(201).json(
                BuildView.of(builds.submit(Authenticator.caller(ctx), ctx.bodyAsBytes()), Instant.now())));
        routes.get("/v1/builds", Access.TEAM, ctx -> {
            var page = builds.page(Authenticator.caller(ctx), ctx.queryParam("limit"), ctx.queryParam("cursor"));
            Map<String, Object> body = new LinkedHashMap<>();
            Instant now = Instant.now();
            body.put("builds", page.items().stream().map(b -> BuildView.of(b, now)).toList());
            body.put("next_cursor", page.nextCursor());
            ctx.json(body);
        });
        routes.get("/v1/builds/{id}", Access.TEAM, ctx -> ctx.json(BuildView.of(build(ctx), Instant.now())));
        routes.post("/v1/builds/{id}/cancel", Access.TEAM, ctx -> {
            Caller caller = Authenticator.caller(ctx);
            ctx.json(BuildView.of(builds.cancel(caller, builds.get(caller, ctx.pathParam("id"))), Instant.now()));
        });
        routes.get("/v1/builds/{id}/logs", Access.TEAM, ctx -> {
            Build build = build(ctx);
            long after = after(ctx);
            int limit = limit(ctx);
            // Read the state first: a final state read before the lines means no line can follow them.
            Build now = builds.reload(build);
            List<LogLine> lines = builds.logs(build, after, limit);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("lines", lines.stream().map(BuildRoutes::view).toList());
            body.put("next_after", lines.isEmpty() ? after : lines.getLast().seq());
            body.put("status", now.status().wire());
            body.put("done", now.status().isFinal() && lines.size() < limit);
            ctx.json(body);
        });
        routes.get("/v1/builds/{id}/logs/stream", Access.TEAM, this::stream);
    }

    /**
     * Server-sent events: {@code log} events (one line each, its {@code seq} as the event id, so a
     * client reconnecting with {@code Last-Event-ID} or {@code ?after=} misses nothing), then one
     * {@code end} event with the finished build. Lines are read from the database, so any control
     * plane serves the stream of any build.
     */
    private void stream(Context ctx) throws IOException {
        Build build = build(ctx);
        long after = after(ctx);
        String lastEventId = ctx.header("Last-Event-ID");
        if (lastEventId != null && lastEventId.matches("\\d{1,18}")) {
            after = Math.max(after, Long.parseLong(lastEventId));
        }
        ctx.res().setContentType("text/event-stream");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        out.write(": build log\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        long lastWrite = System.nanoTime();
        while (true) {
            Build now = builds.reload(build);
            List<LogLine> lines = builds.logs(build, after, MAX_LOG_PAGE);
            for (LogLine line : lines) {
                String data = Jsons.mapper().writeValueAsString(view(line));
                out.write(("id: " + line.seq() + "\nevent: log\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
                after = line.seq();
            }
            if (!lines.isEmpty()) {
                out.flush();
                lastWrite = System.nanoTime();
            }
            if (now.status().isFinal() && lines.size() < MAX_LOG_PAGE) {
                String data = Jsons.mapper().writeValueAsString(BuildView.of(now, Instant.now()));
                out.write(("event: end\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                return;
            }
            if (System.nanoTime() - lastWrite > KEEPALIVE.toNanos()) {
                out.write(": keepalive\n\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                lastWrite = System.nanoTime();
            }
            try {
                Thread.sleep(STREAM_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Build build(Context ctx) {
        return builds.get(Authenticator.caller(ctx), ctx.pathParam("id"));
    }

    private static long after(Context ctx) {
        String value = ctx.queryParam("after");
        if (value == null || value.isEmpty()) {
            return 0;
        }
        if (!value.matches("\\d{1,18}")) {
            throw ApiException.invalid("'after' must be a log line's seq");
        }
        return Long.parseLong(value);
    }

    private static int limit(Context ctx) {
        String value = ctx.queryParam("limit");
        if (value == null || value.isEmpty()) {
            return 1000;
        }
        if (!value.matches("\\d{1,5}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > MAX_LOG_PAGE) {
            throw ApiException.invalid("'limit' must be from 1 to " + MAX_LOG_PAGE);
        }
        return Integer.parseInt(value);
    }

    private static Map<String, Object> view(LogLine line) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("seq", line.seq());
        view.put("step", line.step());
        view.put("stream", line.stream());
        view.put("line", line.line());
        view.put("at", line.at());
        return view;
    }
}
