package io.wrenn.cli.commands;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The user's saved connection ({@code wrenn login}): server, API key and the email it was
 * made for, in {@code $XDG_CONFIG_HOME/wrenn/config.json} (default {@code ~/.config}),
 * {@code $WRENN_CONFIG} if set; written 0600 because it holds a key.
 *
 * @param url    the server, or null
 * @param apiKey the team's key, or null
 * @param email  the person who logged in, or null
 */
record ClientConfig(String url, String apiKey, String email) {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static final ClientConfig EMPTY = new ClientConfig(null, null, null);

    /** Where the config lives for this environment. */
    static Path location(Map<String, String> env) {
        if (env.get("WRENN_CONFIG") != null) {
            return Path.of(env.get("WRENN_CONFIG"));
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("wrenn").resolve("config.json");
    }

    static ClientConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            return EMPTY;
        }
        try {
            JsonNode json = JSON.readTree(Files.readString(file));
            return new ClientConfig(text(json, "url"), text(json, "api_key"), text(json, "email"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException(file + " is not a wrenn config (run wrenn login again)", e);
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    /** Writes the config 0600 (to a temporary file first, so a crash never leaves half a key). */
    void save(Path file) {
        ObjectNode json = JSON.createObjectNode();
        json.put("url", url);
        json.put("api_key", apiKey);
        json.put("email", email);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".config-", ".json",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temporary, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
