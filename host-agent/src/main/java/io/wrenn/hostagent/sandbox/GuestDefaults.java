package io.wrenn.hostagent.sandbox;

import java.util.Map;

/**
 * What a template build gives the guest before it is snapshotted: the user and working
 * directory processes run with when none is asked for, and environment variables merged over
 * the guest's. Empty strings leave the guest's own.
 */
public record GuestDefaults(String user, String workdir, Map<String, String> env) {

    public static final GuestDefaults NONE = new GuestDefaults("", "", Map.of());

    public GuestDefaults {
        user = user == null ? "" : user;
        workdir = workdir == null ? "" : workdir;
        env = Map.copyOf(env == null ? Map.of() : env);
    }

    public boolean isEmpty() {
        return user.isEmpty() && workdir.isEmpty() && env.isEmpty();
    }

    String userOr(String fallback) {
        return user.isEmpty() ? fallback : user;
    }

    String workdirOr(String fallback) {
        return workdir.isEmpty() ? fallback : workdir;
    }
}
