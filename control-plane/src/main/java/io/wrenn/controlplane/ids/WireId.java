package io.wrenn.controlplane.ids;

import java.math.BigInteger;
import java.util.Optional;
import java.util.UUID;

/**
 * Converts between database UUIDs and the public identifiers: a kind prefix followed by the
 * UUID's 128 bits in base 36, left-padded to 25 characters ({@code sb-0k3…}). The only place
 * that knows the format, so the rest of the code deals in UUIDs.
 *
 * <p>Parsing is strict (exact prefix, exact length, lower-case digits only, at most 128 bits):
 * a malformed id simply names nothing, and the API answers 404 rather than failing.
 */
public enum WireId {
    SANDBOX("sb-"),
    TEMPLATE("tpl-"),
    TEAM("team-"),
    API_KEY("key-"),
    HOST("host-"),
    USER("usr-"),
    BUILD("bld-"),
    INVITATION("inv-");

    /** 36^25 > 2^128 > 36^24, so 25 digits hold every UUID. */
    private static final int DIGITS = 25;
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private final String prefix;

    WireId(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    public String encode(UUID id) {
        BigInteger value = unsigned(id.getMostSignificantBits()).shiftLeft(64).or(unsigned(id.getLeastSignificantBits()));
        String digits = value.toString(36);
        return prefix + "0".repeat(DIGITS - digits.length()) + digits;
    }

    /** The UUID named by {@code wire}, or empty if it is not a well-formed id of this kind. */
    public Optional<UUID> decode(String wire) {
        if (wire == null || wire.length() != prefix.length() + DIGITS || !wire.startsWith(prefix)) {
            return Optional.empty();
        }
        for (int i = prefix.length(); i < wire.length(); i++) {
            char c = wire.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
                return Optional.empty();
            }
        }
        BigInteger value = new BigInteger(wire.substring(prefix.length()), 36);
        if (value.bitLength() > 128) {
            return Optional.empty();
        }
        return Optional.of(new UUID(value.shiftRight(64).longValue(), value.mod(TWO_64).longValue()));
    }

    private static BigInteger unsigned(long bits) {
        BigInteger value = BigInteger.valueOf(bits);
        return bits < 0 ? value.add(TWO_64) : value;
    }
}
