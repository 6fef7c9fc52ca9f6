package io.wrenn.hostagent.net;

import io.wrenn.hostagent.os.Command;
import io.wrenn.hostagent.os.CommandResult;
import io.wrenn.hostagent.os.CommandRunner;
import io.wrenn.hostagent.os.NetNamespaces;
import io.wrenn.hostagent.protocol.Ipv4Cidr;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where domain rules are enforced (docs/ARCHITECTURE.md, "Network"): for each sandbox whose
 * policy names domains, three sockets opened inside its namespace on the guest's gateway
 * ({@link NetNamespaces}), served by this agent's threads:
 * <ul>
 * <li>DNS ({@code 169.254.0.22:53}, udp and tcp): a name no rule allows is answered NXDOMAIN when the
 * policy refuses unlisted addresses; other queries go to the host's resolver, and the addresses
 * answered for an allowed name join the namespace's set {@code dns_allowed} for the answer's TTL,
 * so they are reachable on every port;</li>
 * <li>HTTP and TLS ({@value #HTTP_PORT}, {@value #TLS_PORT}), where the namespace redirects the
 * guest's connections to port 80 and 443 that its address rules would refuse: the Host header or
 * the TLS server name is read, and if a rule allows it the gate connects to that name (resolved
 * through the host's resolver, never to the address the guest chose, so a guest that resolves
 * names itself is held to the rule) and relays the bytes; otherwise the connection is reset at
 * once and counted.</li>
 * </ul>
 * The sockets live in the namespace, so the guest's traffic never reaches the host's own
 * interfaces; the gate's upstream connections leave from the host, checked against the
 * addresses no guest may reach.
 */
public final class DomainGate implements AutoCloseable {

    /** The gate's ports on the guest's gateway, inside every namespace. */
    public static final int HTTP_PORT = 10080;
    public static final int TLS_PORT = 10443;

    private static final Logger LOG = LoggerFactory.getLogger(DomainGate.class);
    private static final int HEAD_TIMEOUT_MS = 10_000;
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final int DNS_TIMEOUT_MS = 4_000;

    /** One namespace's sockets and the policy they serve. */
    private final class Guest {
        final String namespace;
        volatile NetworkPolicy policy;
        final DatagramSocket dns;
        final ServerSocket dnsTcp;
        final ServerSocket http;
        final ServerSocket tls;
        final AtomicLong refused = new AtomicLong();

        Guest(String namespace, NetworkPolicy policy, DatagramSocket dns, ServerSocket dnsTcp, ServerSocket http, ServerSocket tls) {
            this.namespace = namespace;
            this.policy = policy;
            this.dns = dns;
            this.dnsTcp = dnsTcp;
            this.http = http;
            this.tls = tls;
        }

        void start() {
            Thread.ofVirtual().name("wrenn-gate-dns-" + namespace).start(() -> serveDns(this));
            Thread.ofVirtual().name("wrenn-gate-dns-tcp-" + namespace).start(() -> serveTcp(this, dnsTcp, 53));
            Thread.ofVirtual().name("wrenn-gate-http-" + namespace).start(() -> serveTcp(this, http, 80));
            Thread.ofVirtual().name("wrenn-gate-tls-" + namespace).start(() -> serveTcp(this, tls, 443));
        }

        void close() {
            closeQuietly(dns);
            closeQuietly(dnsTcp);
            closeQuietly(http);
            closeQuietly(tls);
        }
    }

    private final CommandRunner commands;
    private final EgressSettings settings;
    private final Map<String, Guest> guests = new ConcurrentHashMap<>();
    private final List<Ipv4Cidr> never;
    private final List<Ipv4Cidr> privateAllowed;

    public DomainGate(CommandRunner commands, EgressSettings settings) {
        this.commands = commands;
        this.settings = settings;
        List<Ipv4Cidr> forbidden = new ArrayList<>(NftRuleset.NEVER.stream().map(Ipv4Cidr::parse).toList());
        settings.hostAddresses().forEach(a -> forbidden.add(Ipv4Cidr.parse(a)));
        this.never = List.copyOf(forbidden);
        this.privateAllowed = settings.privateAllowed().stream().map(Ipv4Cidr::parse).toList();
    }

    /**
     * Serves the namespace under {@code policy}: opens its sockets the first time a policy names
     * domains, takes a new policy at once, closes them when the policy names none.
     */
    public synchronized void serve(String namespace, NetworkPolicy policy) {
        Guest guest = guests.get(namespace);
        if (policy.allowDomains().isEmpty()) {
            stop(namespace);
            return;
        }
        if (guest != null) {
            guest.policy = policy;
            return;
        }
        InetAddress gateway;
        try {
            gateway = InetAddress.getByName(NetworkSlot.TAP_ADDRESS);
            Guest opened = NetNamespaces.inNamespace(namespace, () -> {
                List<AutoCloseable> made = new ArrayList<>();
                try {
                    DatagramSocket dns = new DatagramSocket(new InetSocketAddress(gateway, 53));
                    made.add(dns);
                    ServerSocket dnsTcp = new ServerSocket(53, 64, gateway);
                    made.add(dnsTcp);
                    ServerSocket http = new ServerSocket(HTTP_PORT, 256, gateway);
                    made.add(http);
                    return new Guest(namespace, policy, dns, dnsTcp, http, new ServerSocket(TLS_PORT, 256, gateway));
                } catch (IOException e) {
                    made.forEach(DomainGate::closeQuietly);
                    throw e;
                }
            });
            guests.put(namespace, opened);
            opened.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the domain gate in " + namespace, e);
        }
    }

    /** Closes the namespace's sockets, if it has any. */
    public synchronized void stop(String namespace) {
        Guest guest = guests.remove(namespace);
        if (guest != null) {
            guest.close();
        }
    }

    /** Connections of the namespace's guest the gate refused. */
    public long refused(String namespace) {
        Guest guest = guests.get(namespace);
        return guest == null ? 0 : guest.refused.get();
    }

    private void serveDns(Guest guest) {
        while (!guest.dns.isClosed()) {
            DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
            try {
                guest.dns.receive(packet);
            } catch (IOException e) {
                continue; // closed: the loop ends
            }
            Thread.ofVirtual().start(() -> answer(guest, packet));
        }
    }

    private void answer(Guest guest, DatagramPacket query) {
        try {
            Optional<byte[]> reply = respond(guest, query.getData(), query.getLength());
            if (reply.isPresent()) {
                guest.dns.send(new DatagramPacket(reply.get(), reply.get().length, query.getSocketAddress()));
            }
        } catch (IOException e) {
            LOG.debug("domain gate: dns answer to {} failed: {}", guest.namespace, e.toString());
        }
    }

    /** DNS over TCP: two-byte length, message; a few queries per connection. */
    private void answerTcp(Guest guest, Socket connection) throws IOException {
        connection.setSoTimeout(HEAD_TIMEOUT_MS);
        var in = new java.io.DataInputStream(connection.getInputStream());
        var out = new java.io.DataOutputStream(connection.getOutputStream());
        for (int i = 0; i < 16; i++) {
            int length;
            try {
                length = in.readUnsignedShort();
            } catch (java.io.EOFException e) {
                return;
            }
            byte[] query = in.readNBytes(length);
            if (query.length < length) {
                return;
            }
            Optional<byte[]> reply = respond(guest, query, length);
            if (reply.isEmpty()) {
                return;
            }
            out.writeShort(reply.get().length);
            out.write(reply.get());
            out.flush();
        }
    }

    /**
     * The answer to a guest's query: NXDOMAIN for a name no rule allows when the policy refuses
     * unlisted addresses, the host resolver's answer otherwise (its addresses allowed for their
     * TTL when the name is); empty when there is nothing to answer (garbage, or no answer upstream).
     */
    private Optional<byte[]> respond(Guest guest, byte[] q, int length) {
        NetworkPolicy policy = guest.policy;
        try {
            DnsMessage.Question question = DnsMessage.question(q, length);
            boolean allowed = policy.allowsName(question.name());
            if (!allowed && policy.refusesByDefault()) {
                return Optional.of(DnsMessage.nxdomain(q, question));
            }
            Optional<byte[]> reply = askUpstream(q, length);
            if (reply.isPresent() && allowed && DnsMessage.isAnswer(reply.get(), reply.get().length)) {
                allowAddresses(guest, DnsMessage.addresses(reply.get(), reply.get().length));
            }
            return reply;
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not a query this gate answers: dropped, as a resolver drops garbage
        } catch (IOException | RuntimeException e) {
            LOG.debug("domain gate: dns query of {} failed: {}", guest.namespace, e.toString());
            return Optional.empty();
        }
    }

    private Optional<byte[]> askUpstream(byte[] query, int length) throws IOException {
        if (settings.resolver() == null) {
            return Optional.empty();
        }
        try (DatagramSocket upstream = new DatagramSocket()) {
            upstream.connect(new InetSocketAddress(InetAddress.getByName(settings.resolver()), 53));
            upstream.setSoTimeout(DNS_TIMEOUT_MS);
            upstream.send(new DatagramPacket(query, length));
            DatagramPacket reply = new DatagramPacket(new byte[4096], 4096);
            while (true) {
                upstream.receive(reply);
                if (reply.getLength() >= 2 && DnsMessage.id(reply.getData(), reply.getLength()) == DnsMessage.id(query, length)) {
                    byte[] out = new byte[reply.getLength()];
                    System.arraycopy(reply.getData(), 0, out, 0, out.length);
                    return Optional.of(out);
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return Optional.empty();
        }
    }

    /** Adds answered addresses to the namespace's {@code dns_allowed} set, each for its TTL (5 s to a day). */
    private void allowAddresses(Guest guest, List<DnsMessage.Address> addresses) {
        if (addresses.isEmpty()) {
            return;
        }
        String elements = addresses.stream()
                .map(a -> Ipv4Cidr.parse(a.address()).toString() + " timeout " + Math.clamp(a.ttlSeconds(), 5, 86_400) + "s")
                .distinct().collect(Collectors.joining(", "));
        CommandResult result = commands.runUnchecked(Command.of("ip", "netns", "exec", guest.namespace, "nft", "add", "element",
                "inet", NftRuleset.TABLE, NftRuleset.DNS_ALLOWED, "{ " + elements + " }"));
        if (result.exitCode() != 0) {
            LOG.warn("domain gate: could not allow the answer of {}: {}", guest.namespace, result.output().strip());
        }
    }

    private void serveTcp(Guest guest, ServerSocket server, int port) {
        while (!server.isClosed()) {
            Socket connection;
            try {
                connection = server.accept();
            } catch (IOException e) {
                continue; // closed: the loop ends
            }
            Thread.ofVirtual().start(() -> relay(guest, connection, port));
        }
    }

    private void relay(Guest known, Socket guest, int port) {
        if (port == 53) {
            try (guest) {
                answerTcp(known, guest);
            } catch (IOException e) {
                // the guest went away
            }
            return;
        }
        Socket upstream = null;
        try {
            guest.setSoTimeout(HEAD_TIMEOUT_MS);
            InputStream in = guest.getInputStream();
            ConnectionHead head = port == 443 ? ConnectionHead.readTls(in) : ConnectionHead.readHttp(in);
            Optional<String> name = head.name().filter(known.policy::allowsName);
            Optional<InetAddress> target = name.flatMap(this::resolve);
            if (target.isEmpty()) {
                known.refused.incrementAndGet();
                reset(guest);
                return;
            }
            upstream = new Socket();
            upstream.connect(new InetSocketAddress(target.get(), port), CONNECT_TIMEOUT_MS);
            guest.setSoTimeout(0);
            upstream.getOutputStream().write(head.bytes());
            Socket up = upstream;
            Thread back = Thread.ofVirtual().start(() -> copy(up, guest));
            copy(guest, upstream);
            back.join();
        } catch (IOException e) {
            reset(guest);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(guest);
            closeQuietly(upstream);
        }
    }

    /** The first address the host's resolver gives for {@code name} that a guest may reach. */
    private Optional<InetAddress> resolve(String name) {
        int id = ThreadLocalRandom.current().nextInt(65536);
        byte[] query = DnsMessage.queryA(id, name);
        try {
            Optional<byte[]> reply = askUpstream(query, query.length);
            if (reply.isEmpty() || !DnsMessage.isAnswer(reply.get(), reply.get().length)) {
                return Optional.empty();
            }
            for (DnsMessage.Address a : DnsMessage.addresses(reply.get(), reply.get().length)) {
                Ipv4Cidr address = Ipv4Cidr.parse(a.address());
                boolean forbidden = never.stream().anyMatch(c -> c.contains(address))
                        && privateAllowed.stream().noneMatch(c -> c.contains(address));
                if (!forbidden) {
                    return Optional.of(InetAddress.getByName(a.address()));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.debug("domain gate: could not resolve {}: {}", name, e.toString());
        }
        return Optional.empty();
    }

    private static void copy(Socket from, Socket to) {
        try {
            // Not try-with-resources: closing a socket's stream closes the socket, and the other
            // direction may still be running.
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(to);
        }
    }

    /** Closes with a reset, so the guest's connection fails at once. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // closed already
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception e) {
                // nothing left to do
            }
        }
    }

    /** Closes every namespace's sockets (the namespaces stay; a next agent opens them again). */
    @Override
    public synchronized void close() {
        guests.values().forEach(Guest::close);
        guests.clear();
    }
}
