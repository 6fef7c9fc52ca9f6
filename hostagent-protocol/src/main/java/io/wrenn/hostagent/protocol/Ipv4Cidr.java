package io.wrenn.hostagent.protocol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An IPv4 address or CIDR block, normalised to its network address ({@code 10.1.2.3/8} becomes
 * {@code 10.0.0.0/8}, a plain address {@code /32}). Everything that reaches an nftables ruleset
 * passes through here, so nothing but digits, dots and a slash is ever written into one.
 */
public record Ipv4Cidr(int address, int prefix) {

    private static final Pattern FORM = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?:/(\\d{1,2}))?");

    public Ipv4Cidr {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix out of range");
        }
        address = address & mask(prefix);
    }

    /** Parses {@code a.b.c.d} or {@code a.b.c.d/n}; throws {@link IllegalArgumentException} otherwise. */
    public static Ipv4Cidr parse(String text) {
        var m = text == null ? null : FORM.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not an IPv4 address or CIDR block: " + text);
        }
        int value = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255 || (m.group(i).length() > 1 && m.group(i).startsWith("0"))) {
                throw new IllegalArgumentException("not an IPv4 address or CIDR block: " + text);
            }
            value = (value << 8) | octet;
        }
        int prefix = m.group(5) == null ? 32 : Integer.parseInt(m.group(5));
        if (prefix > 32) {
            throw new IllegalArgumentException("prefix length above 32: " + text);
        }
        return new Ipv4Cidr(value, prefix);
    }

    /** Whether {@code text} parses. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether every address of {@code other} is in this block. */
    public boolean contains(Ipv4Cidr other) {
        return other.prefix >= prefix && (other.address & mask(prefix)) == address;
    }

    /**
     * The blocks of {@code cidrs} without those another one covers, in address order: nftables
     * refuses overlapping intervals in one set.
     */
    public static List<Ipv4Cidr> collapse(List<String> cidrs) {
        List<Ipv4Cidr> kept = new ArrayList<>();
        cidrs.stream().map(Ipv4Cidr::parse).sorted(Comparator.comparingInt(Ipv4Cidr::prefix))
                .forEach(c -> {
                    if (kept.stream().noneMatch(k -> k.contains(c))) {
                        kept.add(c);
                    }
                });
        kept.sort(Comparator.comparingInt(c -> c.address() ^ Integer.MIN_VALUE));
        return kept;
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    @Override
    public String toString() {
        String dotted = ((address >>> 24) & 255) + "." + ((address >>> 16) & 255) + "." + ((address >>> 8) & 255) + "."
                + (address & 255);
        return prefix == 32 ? dotted : dotted + "/" + prefix;
    }
}
