package io.wrenn.hostagent.net;

import io.wrenn.hostagent.protocol.Ipv4Cidr;
import java.util.List;

/**
 * A sandbox's egress policy, as E2B defines it: an address in {@code allowOut} is reachable
 * whatever {@code denyOut} says; an address in {@code denyOut} is refused; anything else is
 * reachable unless internet access is off (which denies everything not allowed). Addresses the
 * platform never lets a guest reach (the host, other sandboxes, link-local, private ranges) stay
 * unreachable whatever the policy: {@link NftRuleset} checks them first.
 *
 * @param allowInternet false: every address not in {@code allowOut} is denied
 * @param allowOut      IPv4 CIDR blocks always reachable (within what the platform allows)
 * @param denyOut       IPv4 CIDR blocks refused unless also in {@code allowOut}
 */
public record NetworkPolicy(boolean allowInternet, List<String> allowOut, List<String> denyOut) {

    /** At most this many entries in each list (a documented limit of the API too). */
    public static final int MAX_RULES = 500;

    /** Internet on, no lists: what a sandbox gets when nothing is asked for. */
    public static final NetworkPolicy OPEN = new NetworkPolicy(true, List.of(), List.of());

    public NetworkPolicy {
        allowOut = normalise(allowOut);
        denyOut = normalise(denyOut);
    }

    private static List<String> normalise(List<String> entries) {
        if (entries == null) {
            return List.of();
        }
        if (entries.size() > MAX_RULES) {
            throw new IllegalArgumentException("more than " + MAX_RULES + " rules");
        }
        return entries.stream().map(e -> Ipv4Cidr.parse(e).toString()).distinct().toList();
    }

    /** The policy of a record written before policies existed: open, as the default. */
    public static NetworkPolicy orOpen(NetworkPolicy policy) {
        return policy == null ? OPEN : policy;
    }
}
