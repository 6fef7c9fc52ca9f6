package io.wrenn.sdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A sandbox's network settings. Egress: an address in {@code allowOut} is reachable whatever
 * {@code denyOut} says, one in {@code denyOut} is refused, anything else is reachable unless
 * internet access is off. Entries are IPv4 addresses or CIDR blocks, and in {@code allowOut} also
 * domain rules ({@code example.com}, {@code *.example.com}); the server normalises them
 * ({@code 10.1.2.3/8} becomes {@code 10.0.0.0/8}, {@code 1.1.1.1/32} becomes {@code 1.1.1.1}) and
 * refuses IPv6 and domains in {@code denyOut}. Whatever the policy says, a sandbox never reaches the host,
 * other sandboxes or private ranges. Immutable; build one with {@link #builder()}:
 *
 * <pre>{@code
 * NetworkPolicy onlyPyPi = NetworkPolicy.builder()
 *         .internet(false)
 *         .allowOut("151.101.0.0/16")
 *         .build();
 * }</pre>
 *
 * @param allowInternetAccess false: every address not in {@code allowOut} is refused; null (when
 *                            asking) takes the server's default, as read it is never null
 * @param allowOut            addresses and blocks always reachable
 * @param denyOut             addresses and blocks refused (unless in {@code allowOut})
 * @param allowPublicTraffic  the sandbox's ports answer without its traffic token
 * @param maskRequestHost     the Host header its servers see ({@code ${PORT}} stands for the port), or null
 */
public record NetworkPolicy(Boolean allowInternetAccess, List<String> allowOut, List<String> denyOut,
                            boolean allowPublicTraffic, String maskRequestHost) {
    public NetworkPolicy {
        allowOut = List.copyOf(allowOut);
        denyOut = List.copyOf(denyOut);
    }

    /** @return a builder with the server's defaults: internet as configured, no lists, public ports */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder starting from this policy, to change one part of it */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.internet = allowInternetAccess;
        builder.allowOut.addAll(allowOut);
        builder.denyOut.addAll(denyOut);
        builder.publicTraffic = allowPublicTraffic;
        builder.maskRequestHost = maskRequestHost;
        return builder;
    }

    /** Builds a {@link NetworkPolicy}; not thread-safe. */
    public static final class Builder {
        private Boolean internet;
        private final List<String> allowOut = new ArrayList<>();
        private final List<String> denyOut = new ArrayList<>();
        private boolean publicTraffic = true;
        private String maskRequestHost;

        private Builder() {
        }

        /** Internet access for every address not listed; off leaves only {@code allowOut} reachable. */
        public Builder internet(boolean allowed) {
            this.internet = allowed;
            return this;
        }

        /** Adds addresses, CIDR blocks or domain rules that are always reachable. */
        public Builder allowOut(String... entries) {
            for (String entry : entries) {
                allowOut.add(Objects.requireNonNull(entry, "entry"));
            }
            return this;
        }

        /** Adds addresses or CIDR blocks that are refused unless also in {@code allowOut}. */
        public Builder denyOut(String... entries) {
            for (String entry : entries) {
                denyOut.add(Objects.requireNonNull(entry, "entry"));
            }
            return this;
        }

        /** Replaces the allowed entries. */
        public Builder allowOut(List<String> entries) {
            allowOut.clear();
            return allowOut(entries.toArray(new String[0]));
        }

        /** Replaces the denied entries. */
        public Builder denyOut(List<String> entries) {
            denyOut.clear();
            return denyOut(entries.toArray(new String[0]));
        }

        /** Whether the sandbox's ports answer without its traffic token (default true). */
        public Builder allowPublicTraffic(boolean allowed) {
            this.publicTraffic = allowed;
            return this;
        }

        /** The Host header the sandbox's servers see, {@code ${PORT}} standing for the port; null: unchanged. */
        public Builder maskRequestHost(String host) {
            this.maskRequestHost = host;
            return this;
        }

        /** The policy. */
        public NetworkPolicy build() {
            return new NetworkPolicy(internet, allowOut, denyOut, publicTraffic, maskRequestHost);
        }
    }
}
