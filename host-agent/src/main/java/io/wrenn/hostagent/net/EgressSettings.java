package io.wrenn.hostagent.net;

import io.wrenn.hostagent.protocol.Ipv4Cidr;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How this host lets its sandboxes out: the operator's part of the egress design
 * (docs/ARCHITECTURE.md, "Network").
 *
 * @param uplink         the interface sandbox traffic leaves by (masqueraded to its address);
 *                       traffic routed anywhere else is refused
 * @param resolver       the IPv4 DNS resolver a guest's queries to its gateway are forwarded to,
 *                       or null for none (the guest then resolves nothing)
 * @param privateAllowed private ranges the operator lets guests reach (none by default)
 * @param hostAddresses  this host's own IPv4 addresses: never reachable from a guest
 */
public record EgressSettings(String uplink, String resolver, List<String> privateAllowed, List<String> hostAddresses) {

    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern NAMESERVER = Pattern.compile("^\\s*nameserver\\s+(\\S+)", Pattern.MULTILINE);

    public EgressSettings {
        if (uplink == null || !INTERFACE.matcher(uplink).matches()) {
            throw new IllegalArgumentException("not an interface name: " + uplink);
        }
        resolver = resolver == null ? null : Ipv4Cidr.parse(resolver).toString();
        if (resolver != null && resolver.contains("/")) {
            throw new IllegalArgumentException("the resolver is one address, not a range: " + resolver);
        }
        privateAllowed = privateAllowed == null ? List.of()
                : privateAllowed.stream().map(c -> Ipv4Cidr.parse(c).toString()).toList();
        hostAddresses = hostAddresses == null ? List.of() : List.copyOf(hostAddresses);
    }

    /**
     * Settings for this host: each value given wins, the rest is found out — the uplink is the
     * default route's interface, the resolver the first IPv4 {@code nameserver} of
     * {@code /etc/resolv.conf} that is not on loopback.
     */
    public static EgressSettings forThisHost(String uplink, String resolver, List<String> privateAllowed) {
        String up = uplink != null && !uplink.isBlank() ? uplink : defaultRouteInterface().orElse("eth0");
        String dns = resolver != null && !resolver.isBlank() ? resolver : systemResolver().orElse(null);
        return new EgressSettings(up, dns, privateAllowed, hostIpv4Addresses());
    }

    /** The interface of the IPv4 default route, from {@code /proc/net/route}. */
    static Optional<String> defaultRouteInterface() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/route")).stream().skip(1).toList()) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 2 && f[1].equals("00000000")) {
                    return Optional.of(f[0]);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    static Optional<String> systemResolver() {
        try {
            var m = NAMESERVER.matcher(Files.readString(Path.of("/etc/resolv.conf")));
            while (m.find()) {
                String candidate = m.group(1);
                if (Ipv4Cidr.isValid(candidate) && !candidate.contains("/") && !candidate.startsWith("127.")) {
                    return Optional.of(candidate);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static List<String> hostIpv4Addresses() {
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                nic.inetAddresses().filter(a -> a instanceof Inet4Address).map(a -> a.getHostAddress())
                        .forEach(out::add);
            }
        } catch (SocketException e) {
            // none known: the host's own firewall table still refuses the guests (HostEgress)
        }
        return out;
    }
}
