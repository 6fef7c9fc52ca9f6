package io.wrenn.envd.files;

import com.sun.net.httpserver.HttpExchange;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.filesystem.Directories;
import io.wrenn.envd.filesystem.FileErrors;
import io.wrenn.envd.filesystem.FileMetadata;
import io.wrenn.envd.http.HttpResponses;
import io.wrenn.envd.init.SandboxDefaults;
import io.wrenn.envd.http.QueryParams;
import io.wrenn.envd.user.FileAccess;
import io.wrenn.envd.user.User;
import io.wrenn.envd.user.UserResolver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code GET /files} streams a file (one byte range on request); {@code POST /files} writes files
 * from a raw {@code application/octet-stream} body or from the {@code file} parts of a
 * {@code multipart/form-data} body. Both stream through fixed buffers. {@code path} is resolved
 * for the user named by {@code username} (else the default user), and the file work runs with that
 * user's filesystem identity ({@link FileAccess}): the kernel decides what the user may read and
 * write, and written files and the directories created for them belong to the user. With an access token set, a request needs
 * the token or a signed URL ({@link SignedUrls}).
 */
public final class FilesHandler {
    private static final int COPY_BUFFER = 64 * 1024;

    private final UserResolver users;
    private final FileAccess access;
    private final SandboxDefaults defaults;

    public FilesHandler(UserResolver users, FileAccess access, SandboxDefaults defaults) {
        this.users = users;
        this.access = access;
        this.defaults = defaults;
    }

    private void authorize(HttpExchange exchange, QueryParams params, String operation) {
        SignedUrls.authorize(defaults.accessToken(),
                Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Access-Token")), params, operation);
    }

    public void download(HttpExchange exchange) throws IOException {
        QueryParams params = QueryParams.of(exchange.getRequestURI());
        authorize(exchange, params, "read");
        User user = users.resolve(params.get("username"));
        Path path = users.resolvePath(params.get("path").orElse(""), user);
        try {
            access.as(user, () -> {
                send(exchange, path);
                return null;
            });
        } catch (FileSystemException e) {
            if (exchange.getResponseCode() < 0) {
                error(exchange, FileErrors.translate(e, path));
            }
        }
    }

    /** Runs as the user: the kernel decides whether the user may open the file. */
    private static void send(HttpExchange exchange, Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        if (attributes.isDirectory()) {
            HttpResponses.error(exchange, 400, "path " + path + " is a directory");
            return;
        }
        if (!attributes.isRegularFile()) {
            HttpResponses.error(exchange, 400, "path " + path + " is not a regular file");
            return;
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            var headers = exchange.getResponseHeaders();
            headers.set("Accept-Ranges", "bytes");
            headers.set("Cache-Control", "no-store");
            String name = path.getFileName().toString();
            headers.set("Content-Disposition", "attachment; filename*=UTF-8''" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
            switch (ByteRange.parse(Optional.ofNullable(exchange.getRequestHeaders().getFirst("Range")), size)) {
                case ByteRange.Request.Whole() when acceptsGzip(exchange) -> {
                    // envd compresses a whole file for a client that asks (the SDKs' read with gzip);
                    // the length is not known before: chunked.
                    headers.set("Content-Type", "application/octet-stream");
                    headers.set("Content-Encoding", "gzip");
                    headers.set("Vary", "Accept-Encoding");
                    exchange.sendResponseHeaders(200, 0);
                    try (var gzip = new GZIPOutputStream(exchange.getResponseBody(), COPY_BUFFER)) {
                        copy(channel, 0, size, gzip);
                    }
                }
                case ByteRange.Request.Whole() -> {
                    headers.set("Content-Type", "application/octet-stream");
                    exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
                    copy(channel, 0, size, exchange.getResponseBody());
                }
                case ByteRange.Request.Partial(ByteRange range) -> {
                    headers.set("Content-Type", "application/octet-stream");
                    headers.set("Content-Range", "bytes " + range.first() + "-" + range.last() + "/" + size);
                    exchange.sendResponseHeaders(206, range.length());
                    copy(channel, range.first(), range.length(), exchange.getResponseBody());
                }
                case ByteRange.Request.Unsatisfiable() -> {
                    headers.set("Content-Range", "bytes */" + size);
                    HttpResponses.error(exchange, 416, "range not satisfiable for a file of " + size + " bytes");
                }
            }
        }
    }

    /** {@code Accept-Encoding} names gzip (with a quality above zero, or none). */
    static boolean acceptsGzip(HttpExchange exchange) {
        for (String header : exchange.getRequestHeaders().getOrDefault("Accept-Encoding", List.of())) {
            for (String coding : header.split(",")) {
                String[] parts = coding.trim().split(";");
                if (parts[0].trim().equalsIgnoreCase("gzip")) {
                    return parts.length < 2 || !parts[1].trim().replace(" ", "").matches("q=0(\\.0{0,3})?");
                }
            }
        }
        return false;
    }

    private static void error(HttpExchange exchange, ConnectException e) throws IOException {
        HttpResponses.error(exchange, FileErrors.httpStatus(e), e.getMessage());
    }

    private static void copy(FileChannel channel, long from, long length, OutputStream out) throws IOException {
        channel.position(from);
        InputStream in = Channels.newInputStream(channel);
        byte[] buffer = new byte[COPY_BUFFER];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                break; // the file shrank while we sent it; the client sees a short body
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    public void upload(HttpExchange exchange) throws IOException {
        QueryParams params = QueryParams.of(exchange.getRequestURI());
        authorize(exchange, params, "write");
        User user = users.resolve(params.get("username"));
        Optional<String> pathParam = params.get("path");
        String contentType = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        InputStream body = exchange.getRequestBody();
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        if (encoding != null && encoding.equalsIgnoreCase("gzip")) {
            body = new GZIPInputStream(body, COPY_BUFFER);
        } else if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            HttpResponses.error(exchange, 415, "unsupported Content-Encoding " + encoding);
            return;
        }
        Map<String, String> metadata;
        try {
            metadata = FileMetadata.fromHeaders(exchange.getRequestHeaders());
        } catch (IllegalArgumentException e) {
            HttpResponses.error(exchange, 400, e.getMessage());
            return;
        }
        InputStream content = body;
        List<Object> written;
        try {
            // The whole upload, copy loop included, runs as the user: the kernel checks every
            // open, mkdir and write (a write as root would, e.g., keep a setuid bit the user's
            // own write clears).
            written = access.as(user, () -> receive(mediaType, contentType, pathParam, content, user, metadata));
        } catch (ConnectException e) {
            error(exchange, e);
            return;
        } catch (IOException e) {
            if (isNoSpace(e)) {
                HttpResponses.error(exchange, 507, "not enough disk space");
            } else if (e instanceof FileSystemException f) {
                error(exchange, FileErrors.translate(f, f.getFile() == null ? Path.of("/") : Path.of(f.getFile())));
            } else {
                HttpResponses.error(exchange, 400, "upload failed: " + e.getMessage());
            }
            return;
        }
        HttpResponses.json(exchange, 200, written);
    }

    /** Runs as the user: writes every file of the body; returns what it wrote. */
    private List<Object> receive(String mediaType, String contentType, Optional<String> pathParam, InputStream body,
                                 User user, Map<String, String> metadata) throws IOException {
        List<Object> written = new ArrayList<>();
        if (mediaType.equals("application/octet-stream")) {
            Path target = users.resolvePath(pathParam.orElseThrow(
                    () -> ConnectException.invalidArgument("the path query parameter is required for a raw upload")), user);
            write(target, body, metadata);
            written.add(entry(target));
        } else if (mediaType.startsWith("multipart/")) {
            String boundary = HeaderParameters.parse(contentType).get("boundary");
            if (boundary == null || boundary.isEmpty()) {
                throw ConnectException.invalidArgument("multipart body without a boundary");
            }
            // Checked here: MultipartStream refuses it with an IllegalArgumentException, which was a 500.
            if (boundary.length() > MultipartStream.MAX_BOUNDARY) {
                throw ConnectException.invalidArgument("multipart boundary longer than " + MultipartStream.MAX_BOUNDARY + " characters");
            }
            Set<Path> seen = new HashSet<>();
            var multipart = new MultipartStream(body, boundary);
            MultipartStream.Part part;
            while ((part = multipart.next()) != null) {
                if (!part.name().filter("file"::equals).isPresent()) {
                    continue;
                }
                String name = pathParam.or(part::filename).filter(s -> !s.isEmpty()).orElseThrow(
                        () -> ConnectException.invalidArgument("a file part needs a filename when no path is given"));
                Path target = users.resolvePath(name, user);
                if (!seen.add(target)) {
                    throw ConnectException.invalidArgument("several parts of one upload write to " + target);
                }
                write(target, part.content(), metadata);
                written.add(entry(target));
            }
        } else {
            throw ConnectException.invalidArgument("unsupported Content-Type '" + contentType
                    + "': expected multipart/form-data or application/octet-stream");
        }
        return written;
    }

    /** Runs as the user, so the file and the directories created for it are the user's. */
    private static void write(Path target, InputStream content, Map<String, String> metadata) throws IOException {
        if (Files.isDirectory(target)) {
            throw ConnectException.invalidArgument("path " + target + " is a directory");
        }
        Path parent = target.getParent();
        if (parent != null) {
            Directories.createMissing(parent);
        }
        try (OutputStream out = Files.newOutputStream(target,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[COPY_BUFFER];
            int n;
            while ((n = content.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        }
        // An overwrite replaces the metadata too: what the file held before does not describe it now.
        FileMetadata.replace(target, metadata);
    }

    private static boolean isNoSpace(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Object> entry(Path path) {
        var json = new LinkedHashMap<String, Object>();
        json.put("path", path.toString());
        json.put("name", path.getFileName().toString());
        json.put("type", "file");
        Map<String, String> metadata = FileMetadata.read(path);
        if (!metadata.isEmpty()) {
            json.put("metadata", metadata);
        }
        return json;
    }
}
