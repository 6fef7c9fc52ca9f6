package io.wrenn.cli;

import io.wrenn.controlplane.ids.WireId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * `wrenn smoke`: checks freshly built guest images the way users meet them. A private all-in-one
 * Wrenn (its own home, the shared images) cold-boots each template through the host agent's own
 * QEMU command line, network namespace and ruleset, and runs a few checks in the guest through
 * the API. Prints one line per boot; exits 1 when any boot or check fails, with the end of that
 * guest's console.
 */
@Command(name = "smoke", description = "Boot each guest image through a private Wrenn and check it.",
        footer = {"", "Examples:", "  ./wrenn smoke                  # minimal and debian, one boot each",
                "  ./wrenn smoke debian -n 3      # three boots of debian"})
final class SmokeCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What each guest must answer: a description, a command for sh -c, and its expected output (a regex). */
    private static final List<Check> CHECKS = List.of(
            new Check("runs as the default user in its home", "id -un; pwd", "user\n/home/user"),
            new Check("root filesystem at the image's size", "df -m / | awk 'NR==2 {print ($2 > 4500)}'", "1"),
            new Check("resolver is the sandbox's gateway", "grep -c '^nameserver 169.254.0.22$' /etc/resolv.conf", "1"),
            new Check("clock within a minute of the host's", "date +%s", "CLOCK"),
            new Check("writes and reads its disk", "echo wrenn > /tmp/smoke && cat /tmp/smoke", "wrenn"));

    private record Check(String what, String script, String expected) {
    }

    @Parameters(arity = "0..*", paramLabel = "TEMPLATE", description = "templates to boot (default: minimal debian)")
    List<String> templates = new ArrayList<>(List.of("minimal", "debian"));

    @Option(names = "-n", defaultValue = "1", description = "boots of each template")
    int boots;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String base;
    private String key;

    @Override
    public Integer call() throws Exception {
        int failures = 0;
        try (PrivateWrenn own = PrivateWrenn.start("smoke")) {
            base = own.baseUrl();
            key = own.wrenn().apiKey();
            // Each create is to boot the image: a warm snapshot of it would check the snapshot, not the boot.
            own.wrenn().agent().sandboxes().warmStarts(false);
            for (String template : templates) {
                for (int boot = 1; boot <= boots; boot++) {
                    failures += smoke(own.wrenn(), template, boot) ? 0 : 1;
                }
            }
        }
        System.out.println(failures == 0 ? "smoke: all boots passed" : "smoke: " + failures + " boot(s) failed");
        return failures == 0 ? 0 : 1;
    }

    /** One cold create of {@code template}, its checks, and its removal; true when all passed. */
    private boolean smoke(AllInOne wrenn, String template, int boot) throws Exception {
        long t0 = System.nanoTime();
        Reply created = call("POST", "/v1/sandboxes", Map.of("template", template));
        // A private Wrenn's host may still be coming online right after the start.
        for (long end = System.nanoTime() + Duration.ofMinutes(1).toNanos(); created.status == 503
                && "no_host_available".equals(created.body.path("code").asString("")) && System.nanoTime() < end; ) {
            Thread.sleep(500);
            t0 = System.nanoTime();
            created = call("POST", "/v1/sandboxes", Map.of("template", template));
        }
        if (created.status != 201) {
            System.out.printf("%s #%d: create answered %d %s%n", template, boot, created.status, created.body);
            return false;
        }
        String id = created.body.get("id").asString();
        long createMs = (System.nanoTime() - t0) / 1_000_000;
        List<String> failed = new ArrayList<>();
        try {
            for (Check check : CHECKS) {
                Reply run = call("POST", "/v1/sandboxes/" + id + "/exec",
                        Map.of("cmd", "sh", "args", List.of("-c", check.script())));
                String out = run.status == 200 ? run.body.get("stdout").asString().strip() : run.body.toString();
                if (!passes(check, out)) {
                    failed.add(check.what() + ": got '" + out + "'");
                }
            }
            System.out.printf("%s #%d: created in %d ms; %d/%d checks passed%n", template, boot, createMs,
                    CHECKS.size() - failed.size(), CHECKS.size());
            failed.forEach(f -> System.out.println("  failed: " + f));
            if (!failed.isEmpty()) {
                printConsoleTail(wrenn, id);
            }
        } finally {
            call("DELETE", "/v1/sandboxes/" + id, null);
        }
        return failed.isEmpty();
    }

    private static boolean passes(Check check, String out) {
        if (check.expected().equals("CLOCK")) {
            try {
                return Math.abs(Long.parseLong(out) - System.currentTimeMillis() / 1000) < 60;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return out.matches(check.expected());
    }

    private static void printConsoleTail(AllInOne wrenn, String wireId) {
        String uuid = WireId.SANDBOX.decode(wireId).map(Object::toString).orElse(wireId);
        Path serial = wrenn.layout().sandboxSerialLog(uuid);
        System.out.println("  console (" + serial + "), last lines:");
        System.out.println(tail(serial, 2000).indent(4));
    }

    /** The last {@code bytes} of a file, as text ("" when it cannot be read). */
    private static String tail(Path file, int bytes) {
        try (var channel = java.nio.channels.FileChannel.open(file)) {
            long start = Math.max(0, channel.size() - bytes);
            var buffer = java.nio.ByteBuffer.allocate((int) (channel.size() - start));
            channel.read(buffer, start);
            return new String(buffer.array(), 0, buffer.position(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private record Reply(int status, JsonNode body) {
    }

    private Reply call(String method, String path, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("X-API-Key", key).header("Content-Type", "application/json").timeout(Duration.ofMinutes(3))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(JSON.writeValueAsString(body)));
        var response = http.send(request.build(), BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body().isEmpty() ? null : JSON.readTree(response.body()));
    }
}
