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

    /**
     * The id's wire form. Long division of the 128 bits, held as four 32-bit limbs, by 36, digit
     * by digit from the right: every response names ids, and this is several times cheaper than
     * going through {@link BigInteger}.
     */
    public String encode(UUID id) {
        long high = id.getMostSignificantBits();
        long low = id.getLeastSignificantBits();
        long[] limbs = {high >>> 32, high & 0xFFFF_FFFFL, low >>> 32, low & 0xFFFF_FFFFL};
        char[] wire = new char[prefix.length() + DIGITS];
        prefix.getChars(0, prefix.length(), wire, 0);
        for (int at = wire.length - 1; at >= prefix.length(); at--) {
            long remainder = 0;
            for (int i = 0; i < limbs.length; i++) {
                long current = (remainder << 32) | limbs[i]; // remainder < 36: no overflow
                limbs[i] = current / 36;
                remainder = current % 36;
            }
            wire[at] = Character.forDigit((int) remainder, 36);
        }
        return new String(wire);
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
}
