package io.wrenn.controlplane.sandbox;

import io.wrenn.controlplane.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks shared by several requests: environment maps, metadata, user names, guest paths. */
public final class Inputs {

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,255}");
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    private static final int MAX_ENV_ENTRIES = 256;
    private static final int MAX_ENV_BYTES = 64 * 1024;
    private static final int MAX_METADATA_ENTRIES = 64;
    private static final int MAX_METADATA_KEY = 128;
    private static final int MAX_METADATA_VALUE = 1024;
    private static final int MAX_PATH = 4096;
    private static final int MAX_ARG_BYTES = 128 * 1024;

    private Inputs() {
    }

    public static Map<String, String> env(String field, Map<String, String> env) {
        if (env.size() > MAX_ENV_ENTRIES) {
            throw ApiException.invalid("'" + field + "' has more than " + MAX_ENV_ENTRIES + " entries");
        }
        int bytes = 0;
        for (Map.Entry<String, String> entry : env.entrySet()) {
            if (!ENV_NAME.matcher(entry.getKey()).matches()) {
                throw ApiException.invalid("'" + field + "' has an invalid variable name: names are letters, digits"
                        + " and '_', not starting with a digit");
            }
            if (entry.getValue().indexOf('\0') >= 0) {
                throw ApiException.invalid("'" + field + "." + entry.getKey() + "' contains a NUL character");
            }
            bytes += entry.getKey().length() + entry.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > MAX_ENV_BYTES) {
            throw ApiException.invalid("'" + field + "' is larger than " + MAX_ENV_BYTES + " bytes");
        }
        return env;
    }

    public static Map<String, String> metadata(Map<String, String> metadata) {
        if (metadata.size() > MAX_METADATA_ENTRIES) {
            throw ApiException.invalid("'metadata' has more than " + MAX_METADATA_ENTRIES + " entries");
        }
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            if (entry.getKey().isEmpty() || entry.getKey().length() > MAX_METADATA_KEY) {
                throw ApiException.invalid("'metadata' keys must be 1 to " + MAX_METADATA_KEY + " characters");
            }
            if (entry.getValue().length() > MAX_METADATA_VALUE) {
                throw ApiException.invalid("'metadata' values must be at most " + MAX_METADATA_VALUE + " characters");
            }
            // Metadata is stored as jsonb, which refuses NUL: letting it through would fail the insert (a 500).
            if (entry.getKey().indexOf('\0') >= 0 || entry.getValue().indexOf('\0') >= 0) {
                throw ApiException.invalid("'metadata' contains a NUL character");
            }
        }
        return metadata;
    }

    /** Empty means the sandbox's default user. */
    public static String user(String field, String user) {
        if (!user.isEmpty() && !USER.matcher(user).matches()) {
            throw ApiException.invalid("'" + field + "' is not a valid user name");
        }
        return user;
    }

    /**
     * A guest path must be absolute, free of NUL and of {@code ..} components: the guest is
     * the user's own, but a path that is not what it looks like is always a bug or an attack.
     */
    public static String absolutePath(String field, String path, boolean required) {
        if (path == null || path.isEmpty()) {
            if (required) {
                throw ApiException.invalid("'" + field + "' is required");
            }
            return "";
        }
        if (path.length() > MAX_PATH) {
            throw ApiException.invalid("'" + field + "' is longer than " + MAX_PATH + " characters");
        }
        if (path.indexOf('\0') >= 0) {
            throw ApiException.invalid("'" + field + "' contains a NUL character");
        }
        if (!path.startsWith("/")) {
            throw ApiException.invalid("'" + field + "' must be an absolute path");
        }
        for (String component : path.split("/")) {
            if (component.equals("..")) {
                throw ApiException.invalid("'" + field + "' must not contain '..' components");
            }
        }
        return path;
    }

    static String argument(String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw ApiException.invalid("'" + field + "' contains a NUL character");
        }
        if (value.length() > MAX_ARG_BYTES) {
            throw ApiException.invalid("'" + field + "' is too long");
        }
        return value;
    }

    /** A process id from a path segment. */
    static int pid(String value) {
        try {
            int pid = Integer.parseInt(value);
            if (pid > 0) {
                return pid;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid("'pid' must be a positive integer");
    }

    /** The last component of an uploaded file's name: no directories, no {@code ..}, no NUL. */
    static String fileName(String name) {
        String base = name == null ? "" : name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        if (base.isEmpty() || base.equals(".") || base.equals("..") || base.indexOf('\0') >= 0 || base.length() > 255) {
            throw ApiException.invalid("every 'file' part needs a file name (at most 255 characters, not '.' or '..')");
        }
        return base;
    }

    private static final int MAX_ARGS = 4096;

    /** The {@code cmd} field: a program (no implicit shell), required and not empty. */
    static String program(io.wrenn.controlplane.http.JsonBody json) {
        String cmd = argument("cmd", json.requiredString("cmd"));
        if (cmd.isEmpty()) {
            throw ApiException.invalid("'cmd' must not be empty");
        }
        return cmd;
    }

    /** The {@code args} field: at most {@value #MAX_ARGS} strings, each a valid argument. */
    static java.util.List<String> arguments(io.wrenn.controlplane.http.JsonBody json) {
        java.util.List<String> args = json.stringList("args");
        if (args.size() > MAX_ARGS) {
            throw ApiException.invalid("'args' has more than " + MAX_ARGS + " entries");
        }
        args.forEach(arg -> argument("args", arg));
        return args;
    }
}
