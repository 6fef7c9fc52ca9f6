package io.wrenn.hostagent.net;

import io.wrenn.hostagent.protocol.Ipv4Cidr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NftRulesetTest {

    private static final EgressSettings EGRESS = new EgressSettings("eth0", "10.255.255.53", List.of("10.9.0.0/16"),
            List.of("192.0.2.2", "127.0.0.1"));

    @Test
    void addressesAreNormalisedAndAnythingElseIsRefused() {
        assertThat(Ipv4Cidr.parse("10.1.2.3/8")).hasToString("10.0.0.0/8");
        assertThat(Ipv4Cidr.parse("8.8.8.8")).hasToString("8.8.8.8");
        assertThat(Ipv4Cidr.parse("8.8.8.8/32")).hasToString("8.8.8.8");
        assertThat(Ipv4Cidr.parse("0.0.0.0/0")).hasToString("0.0.0.0/0");
        for (String bad : List.of("", "10.0.0.0/33", "256.1.1.1", "1.2.3", "1.2.3.4/", "01.2.3.4", "example.com",
                "1.2.3.4; flush ruleset", "::1", "1.2.3.4/8 }", " ")) {
            assertThatThrownBy(() -> Ipv4Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void overlappingBlocksCollapseToTheWidest() {
        assertThat(Ipv4Cidr.collapse(List.of("10.1.0.0/16", "10.0.0.0/8", "10.1.2.3", "8.8.8.8")))
                .extracting(Ipv4Cidr::toString).containsExactly("8.8.8.8", "10.0.0.0/8");
    }

    @Test
    void aPolicyIsCheckedAfterThePlatformsOwnRefusalsAllowBeforeDeny() {
        String rules = NftRuleset.forSlot(new NetworkSlot(1),
                EGRESS, new NetworkPolicy(false, List.of("1.1.1.1"), List.of("1.0.0.0/8")));

        assertThat(rules).contains("ip daddr 10.231.0.6 meta l4proto tcp dnat ip to 169.254.0.21");
        assertThat(rules).contains("iifname \"tap0\" ip daddr 169.254.0.22 meta l4proto { tcp, udp } th dport 53 dnat ip to 10.255.255.53");
        assertThat(rules).contains("iifname \"tap0\" ip saddr != 169.254.0.21 drop");
        assertThat(rules.indexOf("ct state invalid drop")).as("before anything can answer with a reset")
                .isPositive().isLessThan(rules.indexOf("jump egress"));
        int host = rules.indexOf("ip daddr { 127.0.0.1, 192.0.2.2 } goto refuse");
        int optedIn = rules.indexOf("ip daddr { 10.9.0.0/16 } goto egress_policy");
        int never = rules.indexOf("ip daddr { 0.0.0.0/8, 10.0.0.0/8");
        int allow = rules.indexOf("ip daddr { 1.1.1.1 } accept");
        int deny = rules.indexOf("ip daddr { 1.0.0.0/8 } goto refuse");
        int otherwise = rules.indexOf("goto refuse", deny + 1);
        assertThat(List.of(host, optedIn, never, allow, deny, otherwise)).doesNotContain(-1).isSorted();
    }

    @Test
    void anOpenPolicyAcceptsWhatThePlatformAllows() {
        assertThat(NftRuleset.policyUpdate(NetworkPolicy.OPEN))
                .isEqualTo("flush chain inet wrenn egress_policy\nflush chain inet wrenn policy_redirect\n"
                        + "flush set inet wrenn dns_allowed\ntable inet wrenn {\n  chain egress_policy {\n    accept\n  }\n"
                        + "  chain policy_redirect {\n  }\n}\n");
    }

    @Test
    void domainRulesSendDnsAndWhatTheAddressesWouldRefuseOnPorts80And443ToTheGate() {
        String rules = NftRuleset.forSlot(new NetworkSlot(1), EGRESS,
                new NetworkPolicy(false, List.of("1.1.1.1", "*.example.com"), List.of()));

        assertThat(rules).contains("iifname \"tap0\" jump policy_redirect");
        assertThat(rules.indexOf("jump policy_redirect")).as("before the plain DNS forward")
                .isLessThan(rules.indexOf("th dport 53 dnat ip to 10.255.255.53"));
        int dns = rules.indexOf("ip daddr 169.254.0.22 meta l4proto { tcp, udp } th dport 53 accept");
        int allowed = rules.indexOf("ip daddr { 1.1.1.1 } return");
        int http = rules.indexOf("tcp dport 80 redirect to :10080");
        int tls = rules.indexOf("tcp dport 443 redirect to :10443");
        assertThat(List.of(dns, allowed, http, tls)).doesNotContain(-1).isSorted();
        assertThat(rules).contains("iifname \"tap0\" ct status dnat tcp dport { 10080, 10443 } accept");
        assertThat(rules).contains("ip daddr @dns_allowed accept").contains("set dns_allowed");
        assertThat(rules).doesNotContain("example.com");
    }

    @Test
    void withInternetOnOnlyDeniedAddressesGoToTheGate() {
        String rules = NftRuleset.policyUpdate(
                new NetworkPolicy(true, List.of("example.com"), List.of("203.0.113.0/24")));
        assertThat(rules).contains("ip daddr != { 203.0.113.0/24 } return");
        assertThat(NftRuleset.policyUpdate(new NetworkPolicy(true, List.of("example.com"), List.of())))
                .contains("th dport 53 accept").contains("    return\n").doesNotContain("tcp dport 80");
        assertThat(NftRuleset.policyUpdate(new NetworkPolicy(false, List.of("1.1.1.1"), List.of())))
                .doesNotContain("redirect to");
    }

    @Test
    void domainsAreAcceptedOnlyInTheAllowList() {
        assertThat(new NetworkPolicy(true, List.of("Example.COM.", "*.a.example.com", "*"), List.of()).allowOut())
                .containsExactly("example.com", "*.a.example.com", "*");
        assertThatThrownBy(() -> new NetworkPolicy(true, List.of(), List.of("example.com")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NetworkPolicy(true, List.of("a.*.com"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void moreRulesThanTheLimitAreRefused() {
        List<String> many = java.util.stream.IntStream.range(0, NetworkPolicy.MAX_RULES + 1)
                .mapToObj(i -> "1.2." + (i / 256) + "." + (i % 256)).toList();
        assertThatThrownBy(() -> new NetworkPolicy(true, many, List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
