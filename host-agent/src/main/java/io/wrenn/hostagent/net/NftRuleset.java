package io.wrenn.hostagent.net;

import io.wrenn.hostagent.protocol.Ipv4Cidr;
import java.util.ArrayList;
import java.util.List;

/**
 * The nftables ruleset loaded into each sandbox's namespace (docs/ARCHITECTURE.md, "Network").
 *
 * <p>Inbound: TCP from the host to the namespace end is rewritten to the guest, so the host
 * reaches any guest port. Outbound, in this order: replies pass; a source other than the guest's
 * address is dropped (spoofing); DNS to the guest's gateway is forwarded to the host's resolver;
 * the host's own addresses, link-local, loopback, multicast and private ranges (other sandboxes
 * among them) are refused unless the operator opted a range in; then the sandbox's
 * {@link NetworkPolicy} decides. What leaves is masqueraded to the namespace end, and the host
 * masquerades it again out of its uplink ({@link HostEgress}). A refusal is a TCP reset or an ICMP
 * "administratively prohibited", so a denied connection fails at once, and is counted in the
 * named counter {@value #DENIED_COUNTER}. The namespace itself answers nothing the guest sends.
 */
public final class NftRuleset {

    public static final String TABLE = "wrenn";
    public static final String DENIED_COUNTER = "denied";
    static final String POLICY_CHAIN = "egress_policy";
    /** Where a policy with domain rules sends DNS and port 80/443 connections to the {@link DomainGate}. */
    static final String REDIRECT_CHAIN = "policy_redirect";
    /** Addresses the resolver answered for allowed names, each for its answer's TTL. */
    public static final String DNS_ALLOWED = "dns_allowed";

    /** Never reachable from a guest (besides the host's own addresses). */
    static final List<String> NEVER = List.of("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
            "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/3");

    private NftRuleset() {
    }

    public static String forSlot(NetworkSlot slot, EgressSettings egress, NetworkPolicy policy) {
        String veth = NetworkSlot.NAMESPACE_VETH;
        String tap = NetworkSlot.TAP_NAME;
        StringBuilder out = new StringBuilder();
        out.append("table inet ").append(TABLE).append(" {\n");
        out.append("  counter ").append(DENIED_COUNTER).append(" {\n  }\n");
        out.append("  set ").append(DNS_ALLOWED).append(" {\n    type ipv4_addr\n    flags timeout\n  }\n");
        out.append("  chain ").append(REDIRECT_CHAIN).append(" {\n").append(redirectRules(policy)).append("  }\n");
        out.append("  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n");
        out.append("    iifname \"%s\" jump %s\n".formatted(tap, REDIRECT_CHAIN));
        out.append("    iifname \"%s\" ip daddr %s meta l4proto tcp dnat ip to %s\n"
                .formatted(veth, slot.namespaceAddress(), NetworkSlot.GUEST_ADDRESS));
        if (egress.resolver() != null) {
            out.append("    iifname \"%s\" ip daddr %s meta l4proto { tcp, udp } th dport 53 dnat ip to %s\n"
                    .formatted(tap, NetworkSlot.TAP_ADDRESS, egress.resolver()));
        }
        out.append("  }\n");
        out.append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
        out.append("    iifname \"%s\" oifname \"%s\" masquerade\n  }\n".formatted(tap, veth));
        out.append("  chain forward {\n    type filter hook forward priority filter; policy drop;\n");
        out.append("    ct state established,related accept\n");
        // A packet conntrack cannot place (out of window on a loaded host, or of a flow it has
        // forgotten) is dropped, as before egress existed, and TCP recovers; refusing it would
        // answer a reset and kill the host's own connection to the guest.
        out.append("    ct state invalid drop\n");
        out.append("    iifname \"%s\" oifname \"%s\" accept\n".formatted(veth, tap));
        out.append("    iifname \"%s\" ip saddr != %s drop\n".formatted(tap, NetworkSlot.GUEST_ADDRESS));
        out.append("    iifname \"%s\" oifname \"%s\" jump egress\n  }\n".formatted(tap, veth));
        out.append("  chain egress {\n");
        if (egress.resolver() != null) {
            out.append("    ct status dnat ip daddr %s meta l4proto { tcp, udp } th dport 53 accept\n"
                    .formatted(egress.resolver()));
        }
        if (!egress.hostAddresses().isEmpty()) {
            out.append("    ip daddr ").append(set(egress.hostAddresses())).append(" goto refuse\n");
        }
        if (!egress.privateAllowed().isEmpty()) {
            out.append("    ip daddr ").append(set(egress.privateAllowed())).append(" goto ").append(POLICY_CHAIN).append('\n');
        }
        out.append("    ip daddr ").append(set(NEVER)).append(" goto refuse\n");
        out.append("    goto ").append(POLICY_CHAIN).append("\n  }\n");
        out.append("  chain ").append(POLICY_CHAIN).append(" {\n").append(policyRules(policy)).append("  }\n");
        out.append("  chain refuse {\n    counter name \"").append(DENIED_COUNTER).append("\"\n");
        out.append("    meta l4proto tcp reject with tcp reset\n    reject with icmpx admin-prohibited\n  }\n");
        out.append("  chain input {\n    type filter hook input priority filter; policy accept;\n");
        out.append("    ct state invalid drop\n");
        // The domain gate's sockets on the gateway: DNS, and the connections the policy redirected.
        out.append("    iifname \"%s\" ip daddr %s meta l4proto { tcp, udp } th dport 53 accept\n".formatted(tap, NetworkSlot.TAP_ADDRESS));
        out.append("    iifname \"%s\" ct status dnat tcp dport { %d, %d } accept\n".formatted(tap, DomainGate.HTTP_PORT, DomainGate.TLS_PORT));
        out.append("    iifname \"%s\" meta l4proto tcp reject with tcp reset\n".formatted(tap));
        out.append("    iifname \"%s\" drop\n  }\n".formatted(tap));
        out.append("}\n");
        return out.toString();
    }

    /**
     * Replaces the policy of a loaded ruleset in one transaction: a live policy change. The
     * addresses learnt for the old policy's names are forgotten.
     */
    public static String policyUpdate(NetworkPolicy policy) {
        return "flush chain inet " + TABLE + " " + POLICY_CHAIN + "\n"
                + "flush chain inet " + TABLE + " " + REDIRECT_CHAIN + "\n"
                + "flush set inet " + TABLE + " " + DNS_ALLOWED + "\n"
                + "table inet " + TABLE + " {\n  chain " + POLICY_CHAIN + " {\n" + policyRules(policy) + "  }\n"
                + "  chain " + REDIRECT_CHAIN + " {\n" + redirectRules(policy) + "  }\n}\n";
    }

    /**
     * For a policy with domain rules: DNS to the gateway stays in the namespace, for the
     * {@link DomainGate}'s resolver there, and connections to port 80 and 443 that the address
     * rules would refuse go to its HTTP and TLS ports (it lets through those whose Host or server
     * name an allowed domain). Nothing for other policies.
     */
    private static String redirectRules(NetworkPolicy policy) {
        if (policy.allowDomains().isEmpty()) {
            return "";
        }
        String gateway = NetworkSlot.TAP_ADDRESS;
        List<String> rules = new ArrayList<>();
        rules.add("ip daddr %s meta l4proto { tcp, udp } th dport 53 accept".formatted(gateway));
        if (!policy.allowCidrs().isEmpty()) {
            rules.add("ip daddr " + set(policy.allowCidrs()) + " return");
        }
        if (policy.allowInternet() && policy.denyOut().isEmpty()) {
            rules.add("return"); // the addresses refuse nothing: no connection needs a name
        } else {
            if (policy.allowInternet()) {
                rules.add("ip daddr != " + set(policy.denyOut()) + " return");
            }
            rules.add("ip daddr != %s tcp dport 80 redirect to :%d".formatted(gateway, DomainGate.HTTP_PORT));
            rules.add("ip daddr != %s tcp dport 443 redirect to :%d".formatted(gateway, DomainGate.TLS_PORT));
        }
        StringBuilder out = new StringBuilder();
        rules.forEach(r -> out.append("    ").append(r).append('\n'));
        return out.toString();
    }

    /** E2B's precedence: allowed first (addresses, and those answered for allowed names), then denied, then the default. */
    private static String policyRules(NetworkPolicy policy) {
        List<String> rules = new ArrayList<>();
        if (!policy.allowCidrs().isEmpty()) {
            rules.add("ip daddr " + set(policy.allowCidrs()) + " accept");
        }
        if (!policy.allowDomains().isEmpty()) {
            rules.add("ip daddr @" + DNS_ALLOWED + " accept");
        }
        if (!policy.denyOut().isEmpty()) {
            rules.add("ip daddr " + set(policy.denyOut()) + " goto refuse");
        }
        rules.add(policy.allowInternet() ? "accept" : "goto refuse");
        StringBuilder out = new StringBuilder();
        rules.forEach(r -> out.append("    ").append(r).append('\n'));
        return out.toString();
    }

    /**
     * An anonymous nft set: {@link Ipv4Cidr}-normalised (nothing but addresses gets in) and without
     * overlaps (which nft refuses).
     */
    private static String set(List<String> cidrs) {
        return "{ " + String.join(", ", Ipv4Cidr.collapse(cidrs).stream().map(Ipv4Cidr::toString).toList()) + " }";
    }
}
