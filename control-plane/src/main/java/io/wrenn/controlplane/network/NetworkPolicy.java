package io.wrenn.controlplane.network;

import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.Jsons;
import io.wrenn.hostagent.protocol.DomainRule;
import io.wrenn.hostagent.protocol.Ipv4Cidr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A sandbox's network settings, validated: egress (E2B's semantics — an address in
 * {@code allowOut} is reachable whatever {@code denyOut} says, one in {@code denyOut} is refused,
 * anything else is reachable unless internet access is off) and inbound access to its ports.
 * The host enforces the egress part; the platform's own refusals (host, other sandboxes,
 * link-local, private ranges) hold whatever it says.
 *
 * @param allowInternetAccess false: every address not in {@code allowOut} is refused
 * @param allowOut            IPv4 addresses and CIDR blocks, and domain rules, normalised
 * @param denyOut             IPv4 addresses and CIDR blocks, normalised
 * @param allowPublicTraffic  the sandbox's ports answer without its traffic token
 * @param maskRequestHost     the Host header its servers see, {@code ${PORT}} standing for the port; null: unchanged
 */
public record NetworkPolicy(boolean allowInternetAccess, List<String> allowOut, List<String> denyOut,
        boolean allowPublicTraffic, String maskRequestHost) {

    /** Entries per list at most (documented in api/openapi.yaml). */
    public static final int MAX_RULES = 500;

    private static final Pattern MASK = Pattern.compile("[A-Za-z0-9.:_\\[\\]${}-]{1,255}");

    private static final Set<String> WRENN_FIELDS = Set.of("allow_internet_access", "allow_out", "deny_out",
            "allow_public_traffic", "mask_request_host");
    private static final Set<String> E2B_FIELDS = Set.of("allowOut", "denyOut", "allowPublicTraffic",
            "maskRequestHost", "rules", "egressProxy", "httpsPorts");

    public NetworkPolicy {
        allowOut = List.copyOf(allowOut);
        denyOut = List.copyOf(denyOut);
    }

    /** Nothing asked for: internet as the operator configured, no lists, public ports. */
    public static NetworkPolicy defaults(boolean internet) {
        return new NetworkPolicy(internet, List.of(), List.of(), true, null);
    }

    /** Wrenn's {@code network} object (snake_case); fields left out take their defaults. */
    public static NetworkPolicy parseWrenn(JsonBody network, boolean internetDefault) {
        return new NetworkPolicy(
                network.bool("allow_internet_access", internetDefault),
                entries("allow_out", network.stringList("allow_out"), true),
                entries("deny_out", network.stringList("deny_out"), false),
                network.bool("allow_public_traffic", true),
                mask("mask_request_host", network.string("mask_request_host")));
    }

    /** The fields of Wrenn's {@code network} object, for bodies that hold it at the top level. */
    public static Set<String> wrennFields() {
        return WRENN_FIELDS;
    }

    /**
     * E2B's create fields: {@code allow_internet_access} beside {@code network: {allowOut, denyOut,
     * allowPublicTraffic, maskRequestHost}}. Options Wrenn does not have (per-domain header
     * transforms, an egress proxy, custom HTTPS ports) are refused, never dropped.
     */
    public static NetworkPolicy parseE2bCreate(JsonBody body, boolean internetDefault) {
        boolean internet = body.bool("allow_internet_access", internetDefault);
        if (!body.has("network")) {
            return defaults(internet);
        }
        JsonBody network = body.object("network", E2B_FIELDS);
        refuseUnsupported(network);
        return new NetworkPolicy(internet, entries("allowOut", network.stringList("allowOut"), true),
                entries("denyOut", network.stringList("denyOut"), false), network.bool("allowPublicTraffic", true),
                mask("maskRequestHost", network.string("maskRequestHost")));
    }

    /**
     * E2B's {@code PUT /sandboxes/{id}/network}: the egress lists are replaced whole (left out:
     * empty); {@code allow_internet_access} left out keeps its value, so an update never opens
     * access it did not name; inbound settings are not part of it and stay.
     */
    public NetworkPolicy withE2bUpdate(JsonBody body) {
        refuseUnsupported(body);
        return new NetworkPolicy(body.bool("allow_internet_access", allowInternetAccess),
                entries("allowOut", body.stringList("allowOut"), true), entries("denyOut", body.stringList("denyOut"), false),
                allowPublicTraffic, maskRequestHost);
    }

    /** The fields E2B's update body may carry. */
    public static Set<String> e2bUpdateFields() {
        return Set.of("allowOut", "denyOut", "allow_internet_access", "rules", "egressProxy");
    }

    private static void refuseUnsupported(JsonBody network) {
        for (String name : List.of("rules", "egressProxy", "httpsPorts")) {
            if (network.has(name)) {
                throw ApiException.invalid("'" + name + "' is not supported by this server");
            }
        }
    }

    /**
     * Validated entries: IPv4 addresses and CIDR blocks, and in allow lists domain rules
     * ({@link DomainRule}: {@code example.com}, {@code *.example.com}, {@code *}); E2B takes no
     * domains in deny lists (a name cannot be refused by address), nor does Wrenn.
     */
    private static List<String> entries(String field, List<String> values, boolean domains) {
        if (values.size() > MAX_RULES) {
            throw ApiException.invalid("'" + field + "' has more than " + MAX_RULES + " entries");
        }
        return values.stream().map(v -> entry(field, v, domains)).distinct().toList();
    }

    private static String entry(String field, String value, boolean domains) {
        if (Ipv4Cidr.isValid(value)) {
            return Ipv4Cidr.parse(value).toString();
        }
        String shown = value.length() > 64 ? value.substring(0, 64) + "…" : value;
        String prefix = "'" + field + "' entry '" + shown + "'";
        if (value.matches("[0-9./\\s]*")) {
            throw ApiException.invalid(prefix + " is not an IPv4 address or CIDR block");
        }
        if (value.contains(":")) {
            throw ApiException.invalid(prefix + ": IPv6 and ports are not supported (sandboxes have no IPv6)");
        }
        DomainRule rule;
        try {
            rule = DomainRule.parse(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(prefix + ": " + e.getMessage()
                    + "; entries are IPv4 addresses, CIDR blocks or domain names ('example.com', '*.example.com')");
        }
        if (!domains) {
            throw ApiException.invalid(prefix + ": domain names are accepted only in the allow list"
                    + " (deny everything else with '0.0.0.0/0')");
        }
        return rule.toString();
    }

    private static String mask(String field, Optional<String> value) {
        if (value.isEmpty()) {
            return null;
        }
        if (!MASK.matcher(value.get()).matches()) {
            throw ApiException.invalid("'" + field + "' must be a host name or host:port (with ${PORT} for the port)");
        }
        return value.get();
    }

    /** What the host enforces. */
    public io.wrenn.hostagent.protocol.NetworkPolicy toProto() {
        return io.wrenn.hostagent.protocol.NetworkPolicy.newBuilder().setAllowInternetAccess(allowInternetAccess)
                .addAllAllowOut(allowOut).addAllDenyOut(denyOut).build();
    }

    /** Wrenn's view (snake_case), as stored and shown. */
    public Map<String, Object> wrennView() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("allow_internet_access", allowInternetAccess);
        view.put("allow_out", allowOut);
        view.put("deny_out", denyOut);
        view.put("allow_public_traffic", allowPublicTraffic);
        view.put("mask_request_host", maskRequestHost);
        return view;
    }

    /** E2B's {@code network} object of a sandbox's detail. */
    public Map<String, Object> e2bView() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("allowOut", allowOut);
        view.put("denyOut", denyOut);
        view.put("allowPublicTraffic", allowPublicTraffic);
        if (maskRequestHost != null) {
            view.put("maskRequestHost", maskRequestHost);
        }
        return view;
    }

    public String toJson() {
        return Jsons.mapper().writeValueAsString(wrennView());
    }

    /** A stored policy; stored values were validated when written. */
    public static NetworkPolicy fromJson(String json) {
        return parseWrenn(JsonBody.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), WRENN_FIELDS), true);
    }
}
