package io.wrenn.controlplane.auth;

import java.util.Locale;
import java.util.Optional;

/** A member's role in a team, strongest first. */
public enum Role {
    OWNER,
    ADMIN,
    MEMBER;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this role is {@code other} or stronger. */
    public boolean atLeast(Role other) {
        return ordinal() <= other.ordinal();
    }

    public static Optional<Role> parse(String wire) {
        for (Role role : values()) {
            if (role.wire().equals(wire)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    public static Role fromWire(String wire) {
        return parse(wire).orElseThrow(() -> new IllegalArgumentException("unknown role " + wire));
    }
}
