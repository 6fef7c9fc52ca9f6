package io.wrenn.envd.user;

import io.wrenn.envd.connect.Code;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.init.SandboxDefaults;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Decides which user a request acts as and resolves the paths it names. The user is the one the
 * request names, else the default user from {@code /init}, else root.
 */
public final class UserResolver {
    private final UserDirectory directory;
    private final SandboxDefaults defaults;

    public UserResolver(UserDirectory directory, SandboxDefaults defaults) {
        this.directory = directory;
        this.defaults = defaults;
    }

    public UserDirectory directory() {
        return directory;
    }

    public User resolve(Optional<String> requested) {
        String name = requested.filter(s -> !s.isBlank()).or(defaults::defaultUser).orElse("root");
        return directory.byName(name)
                .or(() -> name.equals("root") ? Optional.of(new User("root", 0, 0, "/root", "/bin/sh")) : Optional.empty())
                .orElseThrow(() -> new ConnectException(Code.UNAUTHENTICATED, "invalid user: '" + name + "'"));
    }

    /**
     * Resolves a path the way every envd route does: empty means the default workdir (or the
     * home directory), {@code ~} and {@code ~/x} expand to the user's home, and relative paths are
     * relative to the user's home. The result is absolute and normalized.
     */
    public Path resolvePath(String path, User user) {
        String p = path == null ? "" : path;
        if (p.isEmpty()) {
            p = defaults.defaultWorkdir().orElse(user.home());
        }
        if (p.equals("~")) {
            p = user.home();
        } else if (p.startsWith("~/")) {
            p = user.home() + p.substring(1);
        } else if (p.startsWith("~")) {
            throw ConnectException.invalidArgument("cannot expand another user's home directory in '" + path + "'");
        }
        Path resolved = Path.of(user.home()).resolve(p);
        return resolved.toAbsolutePath().normalize();
    }
}
