package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennClient.Person;
import io.wrenn.testkit.WrennClient.Response;
import io.wrenn.testkit.WrennFixture;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The isolation matrix, generated from the served OpenAPI document so that a new route is covered
 * as soon as it is documented: team B, with its owner's token and with its API key, calls every
 * route on team A's real sandbox (one real VM), key, team, members, pending invitation and audit entries. Each answer
 * must be 404 (403 on routes closed to that credential or to non-admins), equal to the answer for
 * a made-up id, and no body may carry team A's data. A path parameter without a rule fails the test.
 */
@TestInstance(Lifecycle.PER_CLASS)
@Tag("vm")
class TenantIsolationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern PARAMETER = Pattern.compile("([^/]+)/\\{([a-z_]+)}");

    private WrennFixture wrenn;
    private WrennClient anonymous;
    private TeamA a;
    private Person bob;
    private WrennClient bobKey;
    private OpenAPI spec;

    /** Team A's real resources, the values the matrix puts in paths and bodies. */
    record TeamA(Person alice, Person carol, String teamId, String teamName, String sandboxId, String keyId, String key,
                 String marker, String snapshot, String snapshotId, String buildId, String invitationId, String invitedEmail,
                 String invitationToken) {
        /** Strings that must never appear in an answer to team B. */
        List<String> secrets() {
            return List.of(teamId, teamName, sandboxId, keyId, key, key.substring(0, 12), marker, alice.userId(), alice.email(),
                    carol.userId(), carol.email(), carol.name(), alice.name(), snapshot, snapshotId, buildId, invitationId,
                    invitedEmail, invitationToken);
        }
    }

    /** Which of team A's ids fills a path parameter, keyed by the segment before it and its name. */
    private static final Map<String, Function<TeamA, String>> RULES = Map.ofEntries(
            Map.entry("sandboxes/{id}", TeamA::sandboxId),
            Map.entry("teams/{id}", TeamA::teamId),
            Map.entry("members/{user_id}", a -> a.carol().userId()),
            Map.entry("invitations/{invitation_id}", TeamA::invitationId),
            Map.entry("api-keys/{id}", TeamA::keyId),
            Map.entry("users/{id}", a -> a.carol().userId()),
            // A process id means something only inside its sandbox, which carries the tenancy.
            Map.entry("processes/{pid}", a -> "1"),
            Map.entry("snapshots/{name}", TeamA::snapshot),
            Map.entry("templates/{id}", TeamA::snapshotId),
            Map.entry("builds/{id}", TeamA::buildId),
            // Public routes: no team owns a login provider; the matrix skips public routes.
            Map.entry("oauth/{provider}", a -> "github"));

    @BeforeAll
    void start() {
        wrenn = WrennFixture.start();
        anonymous = wrenn.client().withKey(null);
        String run = UUID.randomUUID().toString().substring(0, 8);
        Person alice = anonymous.signup("alice-" + run + "@example.com", "alice-long-password", "Alice Alpha" + run);
        Person carol = anonymous.signup("carol-" + run + "@example.com", "carol-long-password", "Carol Alpha" + run);
        String teamName = "Alpha " + run;
        assertThat(alice.client().patch("/v1/teams/" + alice.teamId(), Map.of("name", teamName)).status()).isEqualTo(200);
        // Carol joins the way people join: an invitation, accepted.
        Response invitedCarol = alice.client().post("/v1/teams/" + alice.teamId() + "/invitations", Map.of("email", carol.email()));
        assertThat(invitedCarol.status()).isEqualTo(201);
        assertThat(carol.client().post("/v1/invitations/accept", Map.of("token", invitedCarol.json().get("token").asString()))
                .status()).isEqualTo(200);
        // And one still pending, for team B to try to list and revoke.
        String invitedEmail = "dave-" + run + "@example.com";
        JsonNode pending = alice.client().post("/v1/teams/" + alice.teamId() + "/invitations",
                Map.of("email", invitedEmail, "role", "admin")).json();
        JsonNode key = alice.client().post("/v1/api-keys", Map.of("name", "alpha-key")).json();
        String marker = "alpha-marker-" + run;
        String sandbox = alice.client().withKey(key.get("key").asString())
                .createSandbox(Map.of("template", "minimal", "metadata", Map.of("owner", marker))).get("id").asString();
        String snapshot = "alpha-snap-" + run;
        Response snapshotted = alice.client().post("/v1/snapshots", Map.of("sandbox_id", sandbox, "name", snapshot));
        assertThat(snapshotted.status()).isEqualTo(201);
        // A build from the snapshot (a restore, not a boot), whatever state it is in when team B asks.
        JsonNode build = alice.client().post("/v1/builds", Map.of("name", "alpha-built-" + run, "skip_pre_post", true,
                "recipe", "FROM " + snapshot + "\nRUN echo " + marker)).json();
        a = new TeamA(alice, carol, alice.teamId(), teamName, sandbox, key.get("id").asString(), key.get("key").asString(), marker,
                snapshot, snapshotted.json().get("id").asString(), build.get("id").asString(), pending.get("id").asString(),
                invitedEmail, pending.get("token").asString());

        bob = anonymous.signup("bob-" + run + "@example.com", "bob-long-password", "Bob Beta");
        bobKey = bob.client().withKey(bob.client().post("/v1/api-keys", Map.of("name", "beta-key")).json().get("key").asString());
        io.swagger.v3.parser.core.models.ParseOptions options = new io.swagger.v3.parser.core.models.ParseOptions();
        options.setResolveFully(true); // parameters and bodies by $ref come inlined
        spec = new OpenAPIV3Parser().readContents(anonymous.get("/openapi.yaml").text(), null, options).getOpenAPI();
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    @Test
    void teamBCannotReachOrSeeAnythingOfTeamA() {
        int checked = 0;
        for (Map.Entry<String, PathItem> path : spec.getPaths().entrySet()) {
            for (Map.Entry<PathItem.HttpMethod, Operation> op : path.getValue().readOperationsMap().entrySet()) {
                checked += check(path.getKey(), path.getValue(), op.getKey().name(), op.getValue());
            }
        }
        assertThat(checked).as("calls made by the matrix").isGreaterThan(30);
        teamAIsIntact();
    }

    private int check(String template, PathItem item, String method, Operation op) {
        List<SecurityRequirement> security = op.getSecurity() != null ? op.getSecurity() : spec.getSecurity();
        String realPath = fill(template, a);
        if (security.isEmpty()) {
            return 0; // public: sign-up, login, OAuth, docs act on no team's resources
        }
        boolean keysAllowed = security.stream().anyMatch(s -> s.containsKey("apiKey"));
        boolean adminOnly = template.startsWith("/v1/admin/");
        Body body = body(op);
        boolean touchesA = !realPath.equals(template) || body.namesTeamA();
        if (!touchesA && !method.equals("GET")) {
            return 0; // acts on the caller's own team only (create a sandbox, a key, a team)
        }
        int calls = 0;
        for (Map.Entry<String, WrennClient> credential : Map.of("B's token", bob.client(), "B's API key", bobKey).entrySet()) {
            String what = credential.getKey() + " " + method + " " + template;
            Response answer = credential.getValue().send(method, realPath + query(item, op), body.contentType(), body.bytes());
            calls++;
            assertNoLeak(what, answer);
            int expected;
            if (adminOnly || (!keysAllowed && credential.getKey().equals("B's API key"))) {
                expected = 403;
            } else if (touchesA) {
                expected = 404;
            } else {
                expected = 200; // a listing of B's own things
            }
            assertThat(answer.status()).as(what + " → " + answer).isEqualTo(expected);
            if (touchesA) {
                // Indistinguishable from an id that names nothing at all.
                String madeUp = fill(template, null);
                Response unknown = credential.getValue().send(method, madeUp + query(item, op), body.contentType(),
                        body.namesTeamA() ? body.withMadeUpIds() : body.bytes());
                assertThat(answer.status()).as(what + " vs a made-up id").isEqualTo(unknown.status());
                assertThat(answer.json().get("code").asString()).as(what + " vs a made-up id")
                        .isEqualTo(unknown.json().get("code").asString());
            }
        }
        return calls;
    }

    private void assertNoLeak(String what, Response answer) {
        String text = answer.text();
        for (String secret : a.secrets()) {
            assertThat(text).as(what + " must not carry team A's " + secret).doesNotContain(secret);
        }
        assertThat(text).as(what).doesNotContain("Exception").doesNotContain("/root/").doesNotContain("wrenn-test-");
    }

    /** {@code template} with every path parameter filled by its rule from {@code teamA}, or a made-up id of the same kind. */
    private static String fill(String template, TeamA teamA) {
        Matcher m = PARAMETER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String rule = m.group(1) + "/{" + m.group(2) + "}";
            Function<TeamA, String> value = RULES.get(rule);
            if (value == null) {
                fail("no isolation rule for the path parameter " + rule + " in " + template
                        + ": add which of team A's resources fills it to TenantIsolationTest.RULES");
            }
            String filled = teamA == null ? madeUp(value.apply(PLACEHOLDER)) : value.apply(teamA);
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + "/" + filled));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Shapes of ids, to make up ids of the same kind. */
    private static final TeamA PLACEHOLDER = new TeamA(
            new Person(null, "usr-placeholder", "team-placeholder", "x@example.com", "x", "x"),
            new Person(null, "usr-placeholder", "team-placeholder", "x@example.com", "x", "x"),
            "team-placeholder", "x", "sb-placeholder", "key-placeholder", "wrn_placeholder", "x", "no-such-snapshot",
            "tpl-placeholder", "bld-placeholder", "inv-placeholder", "x@example.com", "x");

    private static String madeUp(String kind) {
        if (!kind.contains("-")) {
            return kind;
        }
        String prefix = kind.substring(0, kind.indexOf('-') + 1);
        return prefix + "0".repeat(24) + "1";
    }

    private static String query(PathItem item, Operation op) {
        List<Parameter> parameters = new ArrayList<>();
        if (item.getParameters() != null) {
            parameters.addAll(item.getParameters());
        }
        if (op.getParameters() != null) {
            parameters.addAll(op.getParameters());
        }
        StringBuilder query = new StringBuilder();
        for (Parameter p : parameters) {
            if ("query".equals(p.getIn()) && Boolean.TRUE.equals(p.getRequired())) {
                query.append(query.isEmpty() ? "?" : "&").append(p.getName()).append('=')
                        .append(URLEncoder.encode(String.valueOf(p.getExample()), StandardCharsets.UTF_8));
            }
        }
        return query.toString();
    }

    /** The documented example body, with every id in it replaced by team A's id of that kind. */
    private Body body(Operation op) {
        if (op.getRequestBody() == null) {
            return new Body(null, null, false, null);
        }
        Map.Entry<String, MediaType> media = op.getRequestBody().getContent().entrySet().iterator().next();
        Object example = media.getValue().getExample();
        if (!media.getKey().equals("application/json")) {
            return new Body(media.getKey(), String.valueOf(example).getBytes(StandardCharsets.UTF_8), false, null);
        }
        JsonNode tree = JSON.readTree(io.swagger.v3.core.util.Json.pretty(example));
        JsonNode madeUp = tree.deepCopy();
        boolean named = replaceIds(tree, a) | replaceIds(madeUp, null);
        return new Body(media.getKey(), JSON.writeValueAsBytes(tree), named, JSON.writeValueAsBytes(madeUp));
    }

    private static boolean replaceIds(JsonNode node, TeamA teamA) {
        boolean replaced = false;
        if (node instanceof ObjectNode object) {
            for (String field : new ArrayList<>(object.propertyNames())) {
                JsonNode value = object.get(field);
                if (value.isString()) {
                    String id = idOfTeamA(value.asString(), teamA);
                    if (id != null) {
                        object.put(field, id);
                        replaced = true;
                    }
                } else {
                    replaced |= replaceIds(value, teamA);
                }
            }
        }
        return replaced;
    }

    private static String idOfTeamA(String example, TeamA teamA) {
        Map<String, Function<TeamA, String>> byPrefix = new LinkedHashMap<>();
        byPrefix.put("sb-", TeamA::sandboxId);
        byPrefix.put("team-", TeamA::teamId);
        byPrefix.put("usr-", x -> x.carol().userId());
        byPrefix.put("key-", TeamA::keyId);
        byPrefix.put("inv-", TeamA::invitationId);
        for (Map.Entry<String, Function<TeamA, String>> kind : byPrefix.entrySet()) {
            if (example.matches(Pattern.quote(kind.getKey()) + "[0-9a-z]{25}")) {
                return teamA == null ? kind.getKey() + "0".repeat(24) + "1" : kind.getValue().apply(teamA);
            }
        }
        return null;
    }

    record Body(String contentType, byte[] bytes, boolean namesTeamA, byte[] withMadeUpIds) {
    }

    /** After everything team B tried, team A's things are as they were. */
    private void teamAIsIntact() {
        WrennClient alice = a.alice().client();
        JsonNode sandbox = alice.get("/v1/sandboxes/" + a.sandboxId()).json();
        assertThat(sandbox.get("status").asString()).isEqualTo("running");
        assertThat(alice.withKey(a.key()).exec(a.sandboxId(), "echo", "still here").get("stdout").asString()).isEqualTo("still here\n");
        assertThat(alice.get("/v1/teams/" + a.teamId()).json().get("name").asString()).isEqualTo(a.teamName());
        assertThat(alice.get("/v1/teams/" + a.teamId() + "/members").json().findValuesAsString("user_id"))
                .contains(a.alice().userId(), a.carol().userId());
        assertThat(alice.get("/v1/api-keys").json().findValuesAsString("id")).contains(a.keyId());
        assertThat(alice.get("/v1/teams/" + a.teamId() + "/invitations").json().findValuesAsString("id")).contains(a.invitationId());
        assertThat(anonymous.post("/v1/invitations/preview", Map.of("token", a.invitationToken())).status()).isEqualTo(200);
        assertThat(alice.get("/v1/snapshots/" + a.snapshot()).status()).isEqualTo(200);
        Response log = alice.get("/v1/audit-logs?limit=200");
        assertThat(log.status()).isEqualTo(200);
        assertThat(log.json().get("entries").findValuesAsString("action")).contains("POST /v1/api-keys", "POST /v1/sandboxes");
        assertThat(log.text()).doesNotContain(bob.userId()).doesNotContain(bob.email());
    }
}
