package io.wrenn.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.auth.Bootstrap;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import io.wrenn.controlplane.testing.TestPostgres;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Every paged list, through HTTP on a real database: walked in small pages it gives each row
 * once, in its order; rows added between pages never repeat one; bad limits and cursors (forged,
 * or another list's) are 400 and change nothing. Some rows share their creation time to the
 * microsecond, so the id tie-break is exercised.
 */
class PagedListsTest {

    private static final String SAME_TIME = "2026-01-01T00:00:00Z";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static Http admin;
    static Person alice;
    static List<Listing> listings;

    /** A list: who reads it, where, the array's field (null: the body is the array, E2B) and how to add a row. */
    private record Listing(String name, Http client, String path, String field, String idField, Order order,
                           Runnable addRow) {

        boolean e2b() {
            return field == null;
        }
    }

    private enum Order { NEWEST_FIRST, OLDEST_FIRST, ID_DESCENDING, BY_NAME, AS_IS }

    @BeforeAll
    static void start() throws Exception {
        Http.Response login = wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + Bootstrap.ADMIN_EMAIL + "\",\"password\":\"" + wrenn.adminPassword + "\"}");
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        admin = wrenn.http.withToken(login.json().get("token").stringValue());
        alice = wrenn.signup("Alice");
        List<String> sandboxes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sandboxes.add(createSandbox());
        }
        List<String> emails = new ArrayList<>();
        List<Person> people = new ArrayList<>();
        List<String> teams = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Person p = wrenn.signup("Person " + i);
            people.add(p);
            emails.add(p.email());
            teams.add(p.teamId());
        }
        for (int i = 0; i < 5; i++) {
            addTemplate(Instant.parse(SAME_TIME));
        }
        sql("UPDATE sandboxes SET created_at = '" + SAME_TIME + "' WHERE id IN ("
                + uuids(sandboxes.subList(1, 4), WireId.SANDBOX) + ")");
        sql("UPDATE teams SET created_at = '" + SAME_TIME + "' WHERE id IN (" + uuids(teams.subList(0, 3), WireId.TEAM) + ")");
        sql("UPDATE users SET created_at = '" + SAME_TIME + "' WHERE email IN ('" + String.join("','", emails.subList(0, 3)) + "')");
        for (int i = 0; i < 3; i++) {
            assertThat(alice.http().post("/v1/api-keys", "{\"name\":\"key " + i + "\"}").status()).isEqualTo(201);
        }
        // Alice's own teams, her team's members and keys: enough for several pages, some tied in time.
        List<String> aliceTeams = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            aliceTeams.add(newTeamOfAlice());
            addMemberToAlice(people.get(i));
        }
        for (int i = 3; i < 5; i++) {
            assertThat(alice.http().post("/v1/api-keys", "{\"name\":\"key " + i + "\"}").status()).isEqualTo(201);
        }
        UUID aliceTeam = WireId.TEAM.decode(alice.teamId()).orElseThrow();
        sql("UPDATE teams SET created_at = '" + SAME_TIME + "' WHERE id IN (" + uuids(aliceTeams.subList(0, 3), WireId.TEAM) + ")");
        sql("UPDATE team_members SET created_at = '" + SAME_TIME + "' WHERE team_id = '" + aliceTeam + "' AND user_id IN "
                + "(SELECT id FROM users WHERE email IN ('" + String.join("','", emails.subList(0, 3)) + "'))");
        sql("UPDATE api_keys SET created_at = '" + SAME_TIME + "' WHERE team_id = '" + aliceTeam + "' AND name IN ('key 1', 'key 2', 'key 3')");
        for (int i = 0; i < 5; i++) {
            inviteToAlice();
        }
        sql("UPDATE team_invitations SET created_at = '" + SAME_TIME + "' WHERE id IN (SELECT id FROM team_invitations"
                + " WHERE team_id = '" + aliceTeam + "' AND accepted_at IS NULL ORDER BY created_at LIMIT 3)");

        Runnable newSandbox = PagedListsTest::createSandbox;
        Runnable newPerson = () -> wrenn.signup("Late " + COUNTER.incrementAndGet());
        Runnable newAuditEntry = () -> assertThat(alice.http().post("/v1/api-keys", "{\"name\":\"late " + COUNTER.incrementAndGet() + "\"}")
                .status()).isEqualTo(201);
        listings = List.of(
                new Listing("sandboxes", alice.http(), "/v1/sandboxes", "sandboxes", "id", Order.NEWEST_FIRST, newSandbox),
                new Listing("audit", alice.http(), "/v1/audit-logs", "entries", "id", Order.ID_DESCENDING, newAuditEntry),
                new Listing("admin audit", admin, "/v1/admin/audit-logs", "entries", "id", Order.ID_DESCENDING, newAuditEntry),
                new Listing("admin teams", admin, "/v1/admin/teams", "teams", "id", Order.OLDEST_FIRST, newPerson),
                new Listing("admin users", admin, "/v1/admin/users", "users", "id", Order.OLDEST_FIRST, newPerson),
                new Listing("admin sandboxes", admin, "/v1/admin/sandboxes", "sandboxes", "id", Order.NEWEST_FIRST, newSandbox),
                new Listing("admin templates", admin, "/v1/admin/templates", "templates", "id", Order.OLDEST_FIRST,
                        () -> addTemplate(Instant.now())),
                new Listing("api keys", alice.http(), "/v1/api-keys", "api_keys", "id", Order.NEWEST_FIRST,
                        () -> assertThat(alice.http().post("/v1/api-keys", "{\"name\":\"late key " + COUNTER.incrementAndGet() + "\"}")
                                .status()).isEqualTo(201)),
                new Listing("teams", alice.http(), "/v1/teams", "teams", "id", Order.OLDEST_FIRST, PagedListsTest::newTeamOfAlice),
                new Listing("members", alice.http(), "/v1/teams/" + alice.teamId() + "/members", "members", "user_id", Order.AS_IS,
                        () -> addMemberToAlice(wrenn.signup("Member " + COUNTER.incrementAndGet()))),
                new Listing("invitations", alice.http(), "/v1/teams/" + alice.teamId() + "/invitations", "invitations", "id",
                        Order.NEWEST_FIRST, PagedListsTest::inviteToAlice),
                new Listing("snapshots", alice.http(), "/v1/snapshots", "snapshots", "id", Order.BY_NAME,
                        () -> addTemplate(Instant.now())),
                new Listing("e2b sandboxes", alice.http(), "/e2b/v2/sandboxes", null, "sandboxID", Order.AS_IS, newSandbox));
    }

    @Test
    void walkingAllPagesGivesEveryRowOnceInOrder() {
        for (Listing listing : listings) {
            List<JsonNode> all = onePage(listing);
            assertThat(all).as(listing.name()).hasSizeGreaterThanOrEqualTo(5);
            assertOrdered(listing, all);
            List<String> walked = walk(listing, 2, () -> { });
            assertThat(walked).as(listing.name()).containsExactlyElementsOf(ids(listing, all));
        }
    }

    @Test
    void aRowAddedBetweenPagesAppearsAtMostOnceAndNoOtherRowIsLost() {
        for (Listing listing : listings) {
            List<String> before = ids(listing, onePage(listing));
            List<String> walked = walk(listing, 2, listing.addRow());
            assertThat(walked).as(listing.name()).doesNotHaveDuplicates().containsAll(before);
            assertThat(walked.size()).as(listing.name()).isBetween(before.size(), before.size() + 1);
        }
    }

    @Test
    void aSandboxStoppedBetweenPagesIsLeftOutAndNoOtherIsSkipped() {
        Listing sandboxes = listings.getFirst();
        List<String> before = ids(sandboxes, onePage(sandboxes));
        String oldest = before.getLast();
        List<String> walked = walk(sandboxes, 2, () -> assertThat(alice.http().delete("/v1/sandboxes/" + oldest).status()).isEqualTo(204));
        assertThat(walked).containsExactlyElementsOf(before.subList(0, before.size() - 1));
    }

    @Test
    void badLimitsAndForgedOrForeignCursorsAre400AndChangeNothing() {
        Map<String, String> cursors = new HashMap<>();
        for (Listing listing : listings) {
            Http.Response first = listing.client().get(url(listing, "1", null));
            assertThat(first.status()).as(first.toString()).isEqualTo(200);
            cursors.put(listing.name(), next(listing, first));
            assertThat(cursors.get(listing.name())).as(listing.name()).isNotNull();
        }
        for (Listing listing : listings) {
            List<JsonNode> before = onePage(listing);
            List<String> bad = new ArrayList<>();
            for (String limit : new String[] {"0", "-3", "1001", "ten", "2.5", "99999999999"}) {
                bad.add(url(listing, limit, null));
            }
            for (String cursor : new String[] {"nonsense!", base64("sb:12:not-a-uuid"), base64("sb:99999999999999999999:x"),
                    base64("a:twelve"), base64(":")}) {
                bad.add(url(listing, null, cursor));
            }
            cursors.forEach((name, cursor) -> {
                if (!name.equals(listing.name())) {
                    bad.add(url(listing, null, cursor));
                }
            });
            for (String url : bad) {
                Http.Response refused = listing.client().get(url);
                assertThat(refused.status()).as(listing.name() + " " + url + " " + refused).isEqualTo(400);
                JsonNode body = refused.json();
                assertThat(body.get("message").stringValue()).as(url).isNotBlank().doesNotContain("Exception");
                if (listing.e2b()) {
                    assertThat(body.get("code").intValue()).isEqualTo(400);
                } else {
                    assertThat(body.get("code").stringValue()).isEqualTo("invalid_request");
                }
            }
            assertThat(onePage(listing)).as(listing.name()).isEqualTo(before);
        }
    }

    @Test
    void e2bPagesFilterByMetadataAndStateInTheDatabase() {
        String suite = "paging-" + COUNTER.incrementAndGet();
        List<String> tagged = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Http.Response created = alice.http().post("/v1/sandboxes",
                    "{\"template\":\"minimal\",\"metadata\":{\"suite\":\"" + suite + "\"}}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            tagged.add(created.json().get("id").stringValue());
        }
        Listing e2b = listings.getLast();
        Listing filtered = new Listing("e2b by metadata", e2b.client(), e2b.path() + "?state=running&metadata="
                + URLEncoder.encode("suite=" + suite, StandardCharsets.UTF_8), null, "sandboxID", Order.AS_IS, () -> { });
        assertThat(walk(filtered, 2, () -> { })).containsExactlyElementsOf(tagged.reversed());
        Listing paused = new Listing("e2b paused", e2b.client(), e2b.path() + "?state=paused", null, "sandboxID", Order.AS_IS,
                () -> { });
        assertThat(items(paused, paused.client().get(url(paused, "2", null)))).isEmpty();
    }

    /** The whole list in one page (the tests keep every list well under the largest page). */
    private static List<JsonNode> onePage(Listing listing) {
        Http.Response response = listing.client().get(url(listing, listing.path().contains("audit") ? "200" : "100", null));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(next(listing, response)).as(listing.name()).isNull();
        return items(listing, response);
    }

    private static List<String> walk(Listing listing, int limit, Runnable afterFirstPage) {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Http.Response response = listing.client().get(url(listing, Integer.toString(limit), cursor));
            assertThat(response.status()).as(listing.name() + " " + response).isEqualTo(200);
            List<JsonNode> items = items(listing, response);
            assertThat(items).as(listing.name()).hasSizeLessThanOrEqualTo(limit);
            seen.addAll(ids(listing, items));
            cursor = next(listing, response);
            if (++pages == 1) {
                afterFirstPage.run();
            }
            assertThat(pages).as(listing.name() + " ends").isLessThan(100);
        } while (cursor != null);
        assertThat(pages).as(listing.name()).isGreaterThan(1);
        return seen;
    }

    private static void assertOrdered(Listing listing, List<JsonNode> rows) {
        for (int i = 1; i < rows.size(); i++) {
            JsonNode a = rows.get(i - 1);
            JsonNode b = rows.get(i);
            switch (listing.order()) {
                case NEWEST_FIRST -> assertThat(created(a)).as(listing.name()).isAfterOrEqualTo(created(b));
                case OLDEST_FIRST -> assertThat(created(a)).as(listing.name()).isBeforeOrEqualTo(created(b));
                case ID_DESCENDING -> assertThat(Long.parseLong(a.get("id").stringValue()))
                        .isGreaterThan(Long.parseLong(b.get("id").stringValue()));
                case BY_NAME -> assertThat(a.get("name").stringValue()).as(listing.name())
                        .isLessThanOrEqualTo(b.get("name").stringValue());
                case AS_IS -> { }
            }
        }
        assertThat(new LinkedHashSet<>(ids(listing, rows))).as(listing.name()).hasSameSizeAs(rows);
    }

    private static Instant created(JsonNode row) {
        return Instant.parse(row.get("created_at").stringValue());
    }

    private static String url(Listing listing, String limit, String cursor) {
        List<String> query = new ArrayList<>();
        if (limit != null) {
            query.add("limit=" + URLEncoder.encode(limit, StandardCharsets.UTF_8));
        }
        if (cursor != null) {
            query.add((listing.e2b() ? "nextToken=" : "cursor=") + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        }
        return listing.path() + (query.isEmpty() ? "" : (listing.path().contains("?") ? "&" : "?") + String.join("&", query));
    }

    private static List<JsonNode> items(Listing listing, Http.Response response) {
        JsonNode array = listing.e2b() ? response.json() : response.json().get(listing.field());
        assertThat(array.isArray()).as(response.toString()).isTrue();
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    private static String next(Listing listing, Http.Response response) {
        if (listing.e2b()) {
            return response.header("X-Next-Token");
        }
        assertThat(response.json().has("next_cursor")).as(response.toString()).isTrue();
        JsonNode next = response.json().get("next_cursor");
        return next.isNull() ? null : next.stringValue();
    }

    private static List<String> ids(Listing listing, List<JsonNode> rows) {
        return rows.stream().map(row -> row.get(listing.idField()).stringValue()).toList();
    }

    private static String createSandbox() {
        Http.Response created = alice.http().post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").stringValue();
    }

    private static String newTeamOfAlice() {
        Http.Response created = alice.http().post("/v1/teams", "{\"name\":\"team " + COUNTER.incrementAndGet() + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").stringValue();
    }

    private static void addMemberToAlice(Person person) {
        TestControlPlane.join(alice.http(), alice.teamId(), person, "member");
    }

    private static void inviteToAlice() {
        Http.Response invited = TestControlPlane.invite(alice.http(), alice.teamId(),
                "invitee-" + COUNTER.incrementAndGet() + "@example.com", "member");
        assertThat(invited.status()).as(invited.toString()).isEqualTo(201);
    }

    private static void addTemplate(Instant createdAt) {
        UUID team = WireId.TEAM.decode(alice.teamId()).orElseThrow();
        sql("INSERT INTO templates (id, team_id, name, type, vcpus, memory_mb, created_at) VALUES ('" + UUID.randomUUID()
                + "', '" + team + "', 'tpl-" + COUNTER.incrementAndGet() + "', 'snapshot', 1, 512, '" + createdAt + "')");
    }

    private static String uuids(List<String> wireIds, WireId kind) {
        return String.join(",", wireIds.stream().map(id -> "'" + kind.decode(id).orElseThrow() + "'").toList());
    }

    private static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void sql(String statement) {
        try (Connection c = DriverManager.getConnection(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password());
             var s = c.createStatement()) {
            s.executeUpdate(statement);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
