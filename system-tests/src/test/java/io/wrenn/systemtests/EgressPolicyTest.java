package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.hostagent.net.EgressSettings;
import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennClient.Response;
import io.wrenn.testkit.WrennFixture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Egress policies with real VMs, through Wrenn's API and the E2B facade. Sandbox egress goes out of
 * a {@link TestInternet} (a namespace on this machine), never to the network: an allowed address
 * answers there, a refused one is never hit there. One sandbox boots cold and is snapshotted; the
 * others are restored from the snapshot.
 */
@Tag("vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EgressPolicyTest {

    private TestInternet internet;
    private WrennFixture wrenn;
    private WrennClient api;
    private String template;

    @BeforeAll
    void start() {
        internet = TestInternet.start();
        wrenn = WrennFixture.start(EgressSettings.forThisHost(internet.uplink(), internet.resolver(), List.of()));
        api = wrenn.client();
        String source = coldBoot();
        template = "egress-base";
        Response snapshot = api.post("/v1/snapshots", Map.of("sandbox_id", source, "name", template));
        assertThat(snapshot.status()).as(snapshot.toString()).isEqualTo(201);
        api.delete("/v1/sandboxes/" + source);
    }

    /** The one cold boot, tried again after a host timeout (a loaded machine can miss the boot deadline). */
    private String coldBoot() {
        Response created = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            created = api.post("/v1/sandboxes", Map.of("template", "debian"));
            if (created.status() != 503 && created.status() != 504) {
                break;
            }
        }
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
        if (internet != null) {
            internet.close();
        }
    }

    @Test
    void aDefaultSandboxReachesThePublicInternetByIpAndByNameButNeverPrivateOrMetadataAddresses() {
        String sandbox = api.createSandbox(Map.of("template", template)).get("id").asString();

        assertThat(probe(sandbox, internet.allowed())).isEqualTo("ok " + internet.allowed());
        assertThat(sh(sandbox, "python3 -c \"import socket; print(socket.gethostbyname('allowed.test.wrenn'))\""))
                .as("the guest's resolver is forwarded to the host's").isEqualTo(internet.allowed());
        assertThat(probe(sandbox, "allowed.test.wrenn")).isEqualTo("ok " + internet.allowed());

        long deniedBefore = denied(sandbox);
        assertThat(probe(sandbox, internet.privateAddress())).isEqualTo("refused");
        assertThat(probe(sandbox, TestInternet.METADATA)).isEqualTo("refused");
        assertThat(internet.hits(internet.privateAddress())).isZero();
        assertThat(internet.hits(TestInternet.METADATA)).isZero();
        assertThat(denied(sandbox)).isGreaterThanOrEqualTo(deniedBefore + 2);
        api.delete("/v1/sandboxes/" + sandbox);
    }

    @Test
    void aSpoofedSourceAddressNeverLeaves() {
        String sandbox = api.createSandbox(Map.of("template", template)).get("id").asString();
        long before = internet.hits(internet.allowed());

        String result = root(sandbox, "/opt/wrenn/bin/busybox ip addr add 192.168.77.7/32 dev eth0 && python3 -c \""
                + "import socket\ns=socket.socket(); s.settimeout(3); s.bind(('192.168.77.7', 0))\n"
                + "try:\n  s.connect(('" + internet.allowed() + "', 80)); print('connected')\n"
                + "except Exception as e:\n  print(type(e).__name__)\"");

        assertThat(result).isNotEqualTo("connected");
        assertThat(internet.hits(internet.allowed())).isEqualTo(before);
        api.delete("/v1/sandboxes/" + sandbox);
    }

    @Test
    void allowBeatsDenyAPolicyChangesLiveAndSurvivesPauseAndResume() {
        String sandbox = api.createSandbox(Map.of("template", template,
                "network", Map.of("deny_out", List.of(internet.blocked())))).get("id").asString();
        long blockedHits = internet.hits(internet.blocked()); // other tests of this class reach it too
        assertThat(probe(sandbox, internet.allowed())).isEqualTo("ok " + internet.allowed());
        assertThat(probe(sandbox, internet.blocked())).isEqualTo("refused");
        assertThat(internet.hits(internet.blocked())).isEqualTo(blockedHits);

        Response changed = api.put("/v1/sandboxes/" + sandbox + "/network", json(Map.of("allow_internet_access", false,
                "allow_out", List.of(internet.blocked()), "deny_out", List.of(internet.blocked() + "/32"))));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(probe(sandbox, internet.allowed())).isEqualTo("refused");
        assertThat(probe(sandbox, internet.blocked())).as("allow_out wins over deny_out").isEqualTo("ok " + internet.blocked());

        assertThat(api.post("/v1/sandboxes/" + sandbox + "/pause", Map.of()).status()).isEqualTo(200);
        assertThat(api.post("/v1/sandboxes/" + sandbox + "/resume", Map.of()).status()).isEqualTo(200);
        assertThat(probe(sandbox, internet.allowed())).isEqualTo("refused");
        assertThat(probe(sandbox, internet.blocked())).isEqualTo("ok " + internet.blocked());
        api.delete("/v1/sandboxes/" + sandbox);
    }

    @Test
    void theE2bFacadeTakesE2bsFieldsAtCreateAndLive() {
        Response created = api.post("/e2b/v2/sandboxes", Map.of("templateID", template, "timeout", 600, "allow_internet_access", false,
                "network", Map.of("allowOut", List.of(internet.allowed()))));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String sandbox = created.json().get("sandboxID").asString();
        assertThat(probe(sandbox, internet.allowed())).isEqualTo("ok " + internet.allowed());
        assertThat(probe(sandbox, internet.blocked())).isEqualTo("refused");

        Response updated = api.put("/e2b/sandboxes/" + sandbox + "/network",
                json(Map.of("allow_internet_access", true, "denyOut", List.of(internet.allowed()))));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(204);
        assertThat(probe(sandbox, internet.allowed())).isEqualTo("refused");
        assertThat(probe(sandbox, internet.blocked())).isEqualTo("ok " + internet.blocked());
        JsonNode detail = api.get("/e2b/sandboxes/" + sandbox).json();
        assertThat(detail.get("allowInternetAccess").asBoolean()).isTrue();
        assertThat(detail.get("network").get("denyOut").get(0).asString()).isEqualTo(internet.allowed());
        api.delete("/e2b/sandboxes/" + sandbox);
    }

    @Test
    void aDomainRuleHoldsOnTheResolverOnHostAndSniAndAgainstAGuestThatResolvesNamesItself() {
        String sandbox = api.createSandbox(Map.of("template", template, "network", Map.of("allow_internet_access", false,
                "allow_out", List.of("Allowed.Test.Wrenn", internet.resolver())))).get("id").asString();
        long blockedHits = internet.hits(internet.blocked());
        long blockedTls = internet.tlsHits(internet.blocked());
        long denied = denied(sandbox);

        // The guest's resolver answers allowed names, refuses the others.
        assertThat(resolve(sandbox, "allowed.test.wrenn")).isEqualTo(internet.allowed());
        assertThat(resolve(sandbox, "blocked.test.wrenn")).isEqualTo("NXDOMAIN");
        assertThat(sh(sandbox, tcpLookup("blocked.test.wrenn"))).as("over TCP too").isEqualTo("rcode 3");
        assertThat(sh(sandbox, tcpLookup("allowed.test.wrenn"))).isEqualTo("rcode 0 " + internet.allowed());
        assertThat(probe(sandbox, "allowed.test.wrenn")).isEqualTo("ok " + internet.allowed());
        // The addresses answered for an allowed name are reachable on other ports too, for the TTL.
        assertThat(probe(sandbox, "allowed.test.wrenn:8080")).isEqualTo("ok " + internet.allowed());
        assertThat(probe(sandbox, internet.blocked() + ":8080")).isEqualTo("refused");

        // A guest with a resolver of its own (allowed by address) learns the blocked name's address;
        // the Host header and the server name still decide.
        String viaOwnResolver = sh(sandbox, ownResolverLookup("blocked.test.wrenn"));
        assertThat(viaOwnResolver).isEqualTo(internet.blocked());
        assertThat(httpWithHost(sandbox, viaOwnResolver, "blocked.test.wrenn")).isEqualTo("refused");
        assertThat(httpWithHost(sandbox, viaOwnResolver, "allowed.test.wrenn"))
                .as("an allowed name is reached by name, never at the address the guest chose").isEqualTo("ok " + internet.allowed());
        long allowedTls = internet.tlsHits(internet.allowed());
        assertThat(tls(sandbox, viaOwnResolver, "blocked.test.wrenn")).isEqualTo("refused");
        tls(sandbox, viaOwnResolver, "allowed.test.wrenn");
        assertThat(internet.tlsHits(internet.allowed())).isEqualTo(allowedTls + 1);

        assertThat(internet.hits(internet.blocked())).isEqualTo(blockedHits);
        assertThat(internet.tlsHits(internet.blocked())).isEqualTo(blockedTls);
        assertThat(internet.hits8080(internet.blocked())).isZero();
        assertThat(denied(sandbox)).isGreaterThanOrEqualTo(denied + 3);
        api.delete("/v1/sandboxes/" + sandbox);
    }

    @Test
    void domainRulesThroughTheE2bFacadeAtCreateAndLive() {
        Response created = api.post("/e2b/v2/sandboxes", Map.of("templateID", template, "timeout", 600,
                "network", Map.of("allowOut", List.of("allowed.test.wrenn"), "denyOut", List.of("0.0.0.0/0"))));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String sandbox = created.json().get("sandboxID").asString();
        assertThat(probe(sandbox, "allowed.test.wrenn")).isEqualTo("ok " + internet.allowed());
        assertThat(resolve(sandbox, "blocked.test.wrenn")).isEqualTo("NXDOMAIN");
        assertThat(httpWithHost(sandbox, internet.blocked(), "blocked.test.wrenn")).isEqualTo("refused");

        Response updated = api.put("/e2b/sandboxes/" + sandbox + "/network",
                json(Map.of("allowOut", List.of("*.test.wrenn"), "denyOut", List.of("0.0.0.0/0"))));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(204);
        assertThat(probe(sandbox, "blocked.test.wrenn")).isEqualTo("ok " + internet.blocked());
        assertThat(resolve(sandbox, "test.wrenn")).as("a subdomain wildcard is not the domain itself").isEqualTo("NXDOMAIN");

        Response refused = api.put("/e2b/sandboxes/" + sandbox + "/network",
                json(Map.of("allowOut", List.of("a.*.wrenn"), "denyOut", List.of("0.0.0.0/0"))));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(probe(sandbox, "blocked.test.wrenn")).as("a refused change changes nothing").isEqualTo("ok " + internet.blocked());
        api.delete("/e2b/sandboxes/" + sandbox);
    }

    /** The address the guest's own resolver gives, or NXDOMAIN. */
    private String resolve(String sandbox, String name) {
        return sh(sandbox, "python3 -c \"import socket\ntry:\n  print(socket.gethostbyname('" + name + "'))\n"
                + "except socket.gaierror as e:\n  print('NXDOMAIN' if e.errno == socket.EAI_NONAME else 'gaierror ' + str(e))\"");
    }

    /** A script that asks the test internet's DNS server directly (not the guest's resolver) for an A record. */
    private String ownResolverLookup(String name) {
        return "python3 -c \"import socket, struct\n"
                + "q = struct.pack('>HHHHHH', 7, 0x100, 1, 0, 0, 0) + b''.join(bytes([len(p)]) + p.encode() for p in '" + name
                + "'.split('.')) + b'\\0' + struct.pack('>HH', 1, 1)\n"
                + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(10)\n"
                + "s.sendto(q, ('" + internet.resolver() + "', 53)); print(socket.inet_ntoa(s.recv(512)[-4:]))\"";
    }

    /** A DNS query over TCP to the guest's resolver: "rcode N" and the last answer's address when there is one. */
    private static String tcpLookup(String name) {
        return "python3 -c \"import socket, struct\n"
                + "q = struct.pack('>HHHHHH', 9, 0x100, 1, 0, 0, 0) + b''.join(bytes([len(p)]) + p.encode() for p in '" + name
                + "'.split('.')) + b'\\0' + struct.pack('>HH', 1, 1)\n"
                + "s = socket.create_connection(('169.254.0.22', 53), timeout=10); s.sendall(struct.pack('>H', len(q)) + q)\n"
                + "n = struct.unpack('>H', s.recv(2))[0]; r = b''\n"
                + "while len(r) < n: r += s.recv(n - len(r))\n"
                + "an = struct.unpack('>H', r[6:8])[0]\n"
                + "print('rcode %d' % (r[3] & 15) + (' ' + socket.inet_ntoa(r[-4:]) if an else ''))\"";
    }

    /** An HTTP GET to {@code address} with the Host header {@code host}: as {@link #probe}. */
    private String httpWithHost(String sandbox, String address, String host) {
        return sh(sandbox, "python3 -c \"import urllib.request\n"
                + "try:\n  print('ok ' + urllib.request.urlopen(urllib.request.Request('http://" + address + "/', headers={'Host': '"
                + host + "'}), timeout=20).read().decode())\n"
                + "except Exception as e:\n  r = getattr(e, 'reason', e)\n"
                + "  print('refused' if isinstance(r, (ConnectionRefusedError, ConnectionResetError)) "
                + "or getattr(r, 'errno', 0) in (111, 113, 13, 101) else type(r).__name__ + ' ' + str(r))\"");
    }

    /** A TLS hello to {@code address}:443 naming {@code name}: "refused" when reset before any answer. */
    private String tls(String sandbox, String address, String name) {
        return sh(sandbox, "python3 -c \"import socket, ssl\n"
                + "c = ssl.create_default_context(); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE\n"
                + "try:\n  c.wrap_socket(socket.create_connection(('" + address + "', 443), timeout=20), server_hostname='" + name
                + "'); print('handshake')\n"
                + "except ConnectionResetError:\n  print('refused')\n"
                + "except Exception as e:\n  print(type(e).__name__)\"");
    }

    /** An HTTP GET from the guest: "ok <body>", "refused" (reset or prohibited: it failed at once), or what else happened. */
    private String probe(String sandbox, String host) {
        return sh(sandbox, "python3 -c \"import urllib.request\n"
                + "try:\n  print('ok ' + urllib.request.urlopen('http://" + host + "/', timeout=20).read().decode())\n"
                + "except Exception as e:\n  r = getattr(e, 'reason', e)\n"
                + "  print('refused' if isinstance(r, (ConnectionRefusedError, ConnectionResetError)) "
                + "or getattr(r, 'errno', 0) in (111, 113, 13, 101) else type(r).__name__ + ' ' + str(r))\"");
    }

    private long denied(String sandbox) {
        return api.get("/v1/sandboxes/" + sandbox + "/network").json().get("denied_connections").asLong();
    }

    private String sh(String sandbox, String script) {
        JsonNode result = api.exec(sandbox, "sh", "-c", script);
        assertThat(result.get("exit_code").asInt()).as(result.toString()).isZero();
        return result.get("stdout").asString().strip();
    }

    private String root(String sandbox, String script) {
        JsonNode result = api.exec(sandbox, Map.of("cmd", "sh", "args", List.of("-c", script), "user", "root"));
        assertThat(result.get("exit_code").asInt()).as(result.toString()).isZero();
        return result.get("stdout").asString().strip();
    }

    private static byte[] json(Object body) {
        return io.wrenn.controlplane.http.Jsons.mapper().writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    }
}
