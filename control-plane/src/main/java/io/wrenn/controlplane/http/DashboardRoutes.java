package io.wrenn.controlplane.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Serves the web dashboard (the single-page app built from {@code dashboard/} into the
 * classpath folder {@code dashboard/}). Its pages live under {@code /dashboard/…} and all get
 * {@code index.html}, which routes in the browser; its assets under {@code /assets/} carry a
 * content hash in their names, so they are cached for good. Nothing else falls back to the
 * app: an unknown API path still gets the JSON 404.
 *
 * <p>These routes bypass the {@link RouteTable}: they are public files, not API operations,
 * and are not part of openapi.yaml (like the Swagger UI's webjar files).
 */
public final class DashboardRoutes {

    /** Vite's output names: letters, digits, dots, dashes and underscores, no path. */
    private static final Pattern ASSET_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("txt", "text/plain; charset=utf-8"));
    /**
     * The app talks only to this origin (REST and its WebSockets); styles may be inline because
     * the terminal and the charts set element styles at run time.
     */
    private static final String POLICY = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; "
            + "style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    /** Where the built files come from: a name relative to the app's root → its bytes, if any. */
    @FunctionalInterface
    public interface Files {
        Optional<byte[]> read(String name);

        static Files classpath(String folder) {
            ClassLoader loader = DashboardRoutes.class.getClassLoader();
            return name -> {
                try (InputStream in = loader.getResourceAsStream(folder + "/" + name)) {
                    return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
        }
    }

    private final Files files;
    /** Assets are immutable (hashed names): read once. Only names that exist are kept. */
    private final Map<String, byte[]> assets = new ConcurrentHashMap<>();

    public DashboardRoutes(Files files) {
        this.files = files;
    }

    public void register(RoutesConfig routes) {
        routes.get("/", this::index);
        routes.get("/dashboard", this::index);
        routes.get("/dashboard/<page>", this::index);
        routes.get("/assets/{name}", this::asset);
    }

    private void index(Context ctx) {
        // Read each time: small, and a rebuilt dashboard shows without a restart in development.
        byte[] page = files.read("index.html").orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                "the dashboard is not built into this server (run ./wrenn up, or npm run build in dashboard/)"));
        ctx.header("Cache-Control", "no-cache");
        secure(ctx);
        ctx.contentType("text/html; charset=utf-8").result(page);
    }

    private void asset(Context ctx) {
        String name = ctx.pathParam("name");
        if (!ASSET_NAME.matcher(name).matches() || name.contains("..")) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no such asset");
        }
        byte[] bytes = assets.computeIfAbsent(name, n -> files.read("assets/" + n).orElse(null));
        if (bytes == null) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no such asset");
        }
        ctx.header("Cache-Control", "public, max-age=31536000, immutable");
        secure(ctx);
        ctx.contentType(contentType(name)).result(bytes);
    }

    private static void secure(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Content-Security-Policy", POLICY);
        ctx.header("Referrer-Policy", "same-origin");
    }

    static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1);
        return TYPES.getOrDefault(extension, "application/octet-stream");
    }
}
