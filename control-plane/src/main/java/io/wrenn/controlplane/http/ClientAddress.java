package io.wrenn.controlplane.http;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.util.List;

/**
 * The address a request came from, for the login throttle and the audit log.
 *
 * <p>By default it is the TCP peer, and {@code X-Forwarded-For} is ignored: anyone can send
 * that header, so trusting it would let an attacker pick the address they are throttled under.
 * When the control plane sits behind reverse proxies, their addresses (or CIDR ranges) are
 * configured as trusted; then the header is read from the right, skipping trusted hops, and
 * the first untrusted address is the client. A proxy that is not listed is the client.
 */
public final class ClientAddress {

    private static final String ATTRIBUTE = "wrenn.clientAddress";
    private final List<Cidr> trustedProxies;

    public ClientAddress(List<String> trustedProxies) {
        this.trustedProxies = trustedProxies.stream().map(Cidr::parse).toList();
    }

    /** The client's address, resolved once per request. */
    public String of(Context ctx) {
        String cached = ctx.attribute(ATTRIBUTE);
        if (cached != null) {
            return cached;
        }
        String address = resolve(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
        ctx.attribute(ATTRIBUTE, address);
        return address;
    }

    /**
     * The key a per-address limit counts by: an IPv4 address as it is, an IPv6 address by its
     * /64 (one customer usually holds a whole /64 and could otherwise step through it).
     */
    public static String throttleKey(String address) {
        if (address == null || !address.contains(":")) {
            return address;
        }
        try {
            byte[] bytes = java.net.InetAddress.ofLiteral(address.replaceAll("^\\[|\\]$|%.*$", "")).getAddress();
            if (bytes.length != 16) {
                return address;
            }
            return java.util.HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
        } catch (IllegalArgumentException e) {
            return address;
        }
    }

    String resolve(String peer, String forwardedFor) {
        String client = normalise(peer);
        if (forwardedFor == null || !trusted(client)) {
            return client;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (!isLiteralAddress(hop)) {
                // A malformed entry ends what can be believed: the last trusted hop is the client.
                return client;
            }
            client = normalise(hop);
            if (!trusted(client)) {
                return client;
            }
        }
        return client;
    }

    private boolean trusted(String address) {
        return trustedProxies.stream().anyMatch(c -> c.contains(address));
    }

    private static boolean isLiteralAddress(String value) {
        return !value.isEmpty() && value.length() <= 45 && value.chars().allMatch(c ->
                (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':');
    }

    private static String normalise(String address) {
        try {
            return InetAddress.ofLiteral(address).getHostAddress();
        } catch (IllegalArgumentException e) {
            return address;
        }
    }

    /** An address range {@code a.b.c.d/n} (or one address); IPv4 and IPv6. */
    record Cidr(byte[] network, int bits) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            String host = slash < 0 ? text : text.substring(0, slash);
            byte[] address;
            try {
                address = InetAddress.ofLiteral(host.strip()).getAddress();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not an address or CIDR range: " + text);
            }
            int bits = slash < 0 ? address.length * 8 : Integer.parseInt(text.substring(slash + 1).strip());
            if (bits < 0 || bits > address.length * 8) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
            return new Cidr(address, bits);
        }

        boolean contains(String address) {
            byte[] candidate;
            try {
                candidate = InetAddress.ofLiteral(address).getAddress();
            } catch (IllegalArgumentException e) {
                return false;
            }
            if (candidate.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < bits; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((candidate[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
