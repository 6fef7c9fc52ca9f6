package io.wrenn.hostagent.net;

import io.wrenn.hostagent.protocol.DomainRule;
import io.wrenn.hostagent.protocol.Ipv4Cidr;
import java.util.List;

/**
 * A sandbox's egress policy, as E2B defines it: an address in {@code allowOut} is reachable
 * whatever {@code denyOut} says; an address in {@code denyOut} is refused; anything else is
 * reachable unless internet access is off (which denies everything not allowed). Addresses the
 * platform never lets a guest reach (the host, other sandboxes, link-local, private ranges) stay
 * unreachable whatever the policy: {@link NftRuleset} checks them first.
 *
 * <p>{@code allowOut} may also name domains ({@link DomainRule}): a connection to port 80 or 443
 * that the addresses would refuse is let through when its HTTP Host or TLS SNI names an allowed
 * domain, and the addresses the sandbox's resolver answers for an allowed name are reachable on
 * every port for the answer's TTL ({@link DomainGate}).
 *
 * @param allowInternet false: every address not in {@code allowOut} is denied
 * @param allowOut      IPv4 CIDR blocks and domain rules always reachable (within what the platform allows)
 * @param denyOut       IPv4 CIDR blocks refused unless also in {@code allowOut}
 */
public record NetworkPolicy(boolean allowInternet, List<String> allowOut, List<String> denyOut) {

    /** At most this many entries in each list (a documented limit of the API too). */
    public static final int MAX_RULES = 500;

    /** Internet on, no lists: what a sandbox gets when nothing is asked for. */
    public static final NetworkPolicy OPEN = new NetworkPolicy(true, List.of(), List.of());

    public NetworkPolicy {
        allowOut = normalise(allowOut, true);
        denyOut = normalise(denyOut, false);
    }

    private static List<String> normalise(List<String> entries, boolean domains) {
        if (entries == null) {
            return List.of();
        }
        if (entries.size() > MAX_RULES) {
            throw new IllegalArgumentException("more than " + MAX_RULES + " rules");
        }
        return entries.stream().map(e -> domains && !Ipv4Cidr.isValid(e) ? DomainRule.parse(e).toString()
                : Ipv4Cidr.parse(e).toString()).distinct().toList();
    }

    /** The address entries of {@code allowOut}. */
    public List<String> allowCidrs() {
        return allowOut.stream().filter(Ipv4Cidr::isValid).toList();
    }

    /** The domain entries of {@code allowOut}. */
    public List<DomainRule> allowDomains() {
        return allowOut.stream().filter(e -> !Ipv4Cidr.isValid(e)).map(DomainRule::parse).toList();
    }

    /** Whether a host name is allowed by a domain rule. */
    public boolean allowsName(String name) {
        return allowDomains().stream().anyMatch(rule -> rule.matches(name));
    }

    /** Whether an address no rule names is refused: internet off, or all of it denied. */
    public boolean refusesByDefault() {
        return !allowInternet || denyOut.contains("0.0.0.0/0");
    }

    /** The policy of a record written before policies existed: open, as the default. */
    public static NetworkPolicy orOpen(NetworkPolicy policy) {
        return policy == null ? OPEN : policy;
    }
}
