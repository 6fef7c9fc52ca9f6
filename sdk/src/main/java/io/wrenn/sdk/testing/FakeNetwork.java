package io.wrenn.sdk.testing;

import io.wrenn.sdk.NetworkPolicy;
import io.wrenn.sdk.NetworkState;
import io.wrenn.sdk.SandboxNetwork;
import io.wrenn.sdk.SandboxStatus;
import io.wrenn.sdk.WrennException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake sandbox's network settings, validated and normalised as the server does (addresses and
 * CIDR blocks in both lists, domain rules in the allow list alone); nothing is
 * enforced (the fake has no network) and no connection is ever refused.
 */
final class FakeNetwork implements SandboxNetwork {
    private static final int MAX_RULES = 500;
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?:/(\\d{1,2}))?");

    private final FakeSandbox sandbox;
    private NetworkPolicy policy;

    FakeNetwork(FakeSandbox sandbox, NetworkPolicy asked) {
        this.sandbox = sandbox;
        this.policy = normalised(asked == null ? NetworkPolicy.builder().build() : asked);
    }

    @Override
    public NetworkState get() {
        synchronized (sandbox.lock()) {
            return new NetworkState(policy, 0);
        }
    }

    @Override
    public NetworkState update(NetworkPolicy asked) {
        return sandbox.recorded("PUT", "/network", 200, () -> apply(asked));
    }

    private NetworkState apply(NetworkPolicy asked) {
        synchronized (sandbox.lock()) {
            if (sandbox.status() != SandboxStatus.RUNNING && sandbox.status() != SandboxStatus.PAUSED) {
                throw new WrennException.ConflictException("invalid_state", 409,
                        "the sandbox is " + sandbox.status().wire() + "; its network can be changed while it runs or is paused");
            }
            policy = normalised(asked);
            return new NetworkState(policy, 0);
        }
    }

    /** The policy as the server would store it; throws as the server would for a bad entry. */
    static NetworkPolicy normalised(NetworkPolicy asked) {
        return new NetworkPolicy(asked.allowInternetAccess() == null || asked.allowInternetAccess(),
                entries("allow_out", asked.allowOut(), true), entries("deny_out", asked.denyOut(), false),
                asked.allowPublicTraffic(), asked.maskRequestHost());
    }

    private static List<String> entries(String field, List<String> values, boolean domains) {
        if (values.size() > MAX_RULES) {
            throw invalid("'" + field + "' has more than " + MAX_RULES + " entries");
        }
        List<String> normalised = new ArrayList<>();
        for (String value : values) {
            String entry = domains && domain(value) != null ? domain(value) : cidr(field, value);
            if (!normalised.contains(entry)) {
                normalised.add(entry);
            }
        }
        return normalised;
    }

    /** A domain rule ({@code example.com}, {@code *.example.com}, {@code *}) normalised, or null when it is none. */
    private static String domain(String value) {
        String name = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (name.equals("*")) {
            return name;
        }
        String base = name.startsWith("*.") ? name.substring(2) : name;
        base = base.endsWith(".") ? base.substring(0, base.length() - 1) : base;
        String[] labels = base.split("\\.", -1);
        if (base.isEmpty() || base.length() > 253 || labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
            return null;
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return null;
            }
        }
        return name.startsWith("*.") ? "*." + base : base;
    }

    private static String cidr(String field, String value) {
        Matcher m = IPV4.matcher(value.strip());
        if (!m.matches()) {
            throw invalid("'" + field + "' entry '" + value + "' is not an IPv4 address or CIDR block");
        }
        long address = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255 || (m.group(i).length() > 1 && m.group(i).startsWith("0"))) {
                throw invalid("'" + field + "' entry '" + value + "' is not an IPv4 address or CIDR block");
            }
            address = (address << 8) | octet;
        }
        int prefix = m.group(5) == null ? 32 : Integer.parseInt(m.group(5));
        if (prefix > 32) {
            throw invalid("'" + field + "' entry '" + value + "' is not an IPv4 address or CIDR block");
        }
        long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        address &= mask;
        String dotted = (address >>> 24 & 255) + "." + (address >>> 16 & 255) + "." + (address >>> 8 & 255) + "."
                + (address & 255);
        return prefix == 32 ? dotted : dotted + "/" + prefix;
    }

    private static WrennException invalid(String message) {
        return new WrennException.InvalidRequestException("invalid_request", 400, message);
    }
}
