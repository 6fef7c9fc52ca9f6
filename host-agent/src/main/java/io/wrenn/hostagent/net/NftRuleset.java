package io.wrenn.hostagent.net;

/**
 * The nftables ruleset loaded into each sandbox's namespace.
 *
 * <p>What it enforces: TCP from the host to the namespace end is rewritten to the guest (so the
 * host reaches any guest port); forwarding is dropped except replies and host→guest traffic; the
 * namespace itself accepts nothing from the guest. Together: a guest cannot open a connection to
 * the host, another sandbox or the internet.
 */
public final class NftRuleset {

    private NftRuleset() {
    }

    public static String forSlot(NetworkSlot slot) {
        String veth = NetworkSlot.NAMESPACE_VETH;
        String tap = NetworkSlot.TAP_NAME;
        return """
                table inet wrenn {
                  chain prerouting {
                    type nat hook prerouting priority dstnat; policy accept;
                    iifname "%s" ip daddr %s meta l4proto tcp dnat ip to %s
                  }
                  chain forward {
                    type filter hook forward priority filter; policy drop;
                    ct state established,related accept
                    iifname "%s" oifname "%s" accept
                  }
                  chain input {
                    type filter hook input priority filter; policy accept;
                    iifname "%s" drop
                  }
                }
                """.formatted(veth, slot.namespaceAddress(), NetworkSlot.GUEST_ADDRESS, veth, tap, tap);
    }
}
