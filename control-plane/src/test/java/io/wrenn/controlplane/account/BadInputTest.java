package io.wrenn.controlplane.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile input in every field of the people routes: refused with a 4xx {code, message} and
 * nothing stored (the row counts do not move).
 */
class BadInputTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static Http anonymous;
    static Person owner;

    static final List<String> BAD_EMAILS = List.of(
            "", "plain", "@example.com", "a@", "a@@example.com", "a b@example.com", "a@exa mple.com", "a..b@example.com",
            ".a@example.com", "a@-example.com", "a@example..com", "a@example.com.", "x".repeat(250) + "@example.com",
            "а@example.com" /* Cyrillic а */, "admin@examрle.com" /* Cyrillic р */, "ａｄｍｉｎ@example.com" /* full width */,
            "a\u200b@example.com" /* zero width space */, "a'--@example.com", "a\"@example.com", "a;DROP TABLE users@example.com",
            "' OR '1'='1", "a@example.com\u0000", "\u0000", "a\u202e@example.com");

    static final List<String> BAD_NAMES = List.of(
            "", "   ", "x".repeat(65), "Robert'); DROP TABLE teams;--", "a\"b", "back\\slash", "<script>", "semi;colon",
            "nul\u0000byte", "rtl\u202eoverride", "zero\u200bwidth", "tab\there", "new\nline", "two  spaces", "slash/name", "`tick`");

    @BeforeAll
    static void start() {
        anonymous = wrenn.http.withKey(null);
        owner = wrenn.signup("Owner");
    }

    static String json(Map<String, String> fields) {
        StringBuilder out = new StringBuilder("{");
        fields.forEach((k, v) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append('"').append(k).append("\":\"").append(escape(v)).append('"');
        });
        return out.append('}').toString();
    }

    static String escape(String value) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static long rows(String table) throws Exception {
        try (Connection c = DriverManager.getConnection(wrenn.jdbcUrl, io.wrenn.controlplane.testing.TestPostgres.user(), io.wrenn.controlplane.testing.TestPostgres.password());
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void refused(Http.Response response, String what) {
        assertThat(response.status()).as(what + " → " + response).isBetween(400, 499);
        assertThat(response.contentType()).as(what).startsWith("application/json");
        assertThat(response.json().get("code").stringValue()).as(what).matches("[a-z_]+");
        assertThat(response.text()).as(what).doesNotContain("Exception").doesNotContain("SQL").doesNotContain("/work/");
    }

    @Test
    void badEmailsAreRefusedEverywhereAndNothingIsStored() throws Exception {
        long users = rows("users");
        long members = rows("team_members");
        long invitations = rows("team_invitations");
        for (String email : BAD_EMAILS) {
            refused(anonymous.post("/v1/auth/signup", json(Map.of("email", email, "password", "long-enough-phrase", "name", "Eve"))),
                    "signup email " + email);
            refused(anonymous.post("/v1/auth/login", json(Map.of("email", email, "password", "long-enough-phrase"))), "login " + email);
            refused(owner.http().post("/v1/teams/" + owner.teamId() + "/invitations", json(Map.of("email", email))), "invite " + email);
        }
        assertThat(rows("users")).isEqualTo(users);
        assertThat(rows("team_members")).isEqualTo(members);
        assertThat(rows("team_invitations")).isEqualTo(invitations);
    }

    @Test
    void aLookAlikeOfAnExistingEmailIsNotASecondAccount() throws Exception {
        long users = rows("users");
        String lookAlike = owner.email().replaceFirst("o", "о"); // Cyrillic o
        refused(anonymous.post("/v1/auth/signup", json(Map.of("email", lookAlike, "password", "long-enough-phrase", "name", "Eve"))),
                "look-alike signup");
        assertThat(rows("users")).isEqualTo(users);
    }

    @Test
    void badNamesAreRefusedEverywhereAndNothingIsStored() throws Exception {
        long users = rows("users");
        long teams = rows("teams");
        long keys = rows("api_keys");
        int n = 0;
        for (String name : BAD_NAMES) {
            n++;
            refused(anonymous.post("/v1/auth/signup",
                    json(Map.of("email", "named" + n + "@example.com", "password", "long-enough-phrase", "name", name))), "signup name " + name);
            refused(owner.http().post("/v1/teams", json(Map.of("name", name))), "team name " + name);
            refused(owner.http().patch("/v1/teams/" + owner.teamId(), json(Map.of("name", name))), "rename " + name);
            refused(owner.http().post("/v1/api-keys", json(Map.of("name", name))), "key name " + name);
        }
        assertThat(rows("users")).isEqualTo(users);
        assertThat(rows("teams")).isEqualTo(teams);
        assertThat(rows("api_keys")).isEqualTo(keys);
        assertThat(owner.http().get("/v1/teams/" + owner.teamId()).json().get("name").stringValue()).isEqualTo("Personal");
    }

    @Test
    void apostrophesAndAmpersandsInNamesAreStoredVerbatim() {
        Http.Response team = owner.http().post("/v1/teams", json(Map.of("name", "O'Brien & Sons (R+D)")));
        assertThat(team.status()).as(team.toString()).isEqualTo(201);
        assertThat(team.json().get("name").stringValue()).isEqualTo("O'Brien & Sons (R+D)");
    }

    @Test
    void nulAndControlCharactersInPasswordsAreRefused() throws Exception {
        long users = rows("users");
        for (String password : List.of("long-enough\u0000phrase", "long-enough\u0007phrase", "\u0000".repeat(12))) {
            refused(anonymous.post("/v1/auth/signup", json(Map.of("email", "ctl@example.com", "password", password, "name", "Ctl"))),
                    "signup password");
            refused(anonymous.post("/v1/auth/login", json(Map.of("email", owner.email(), "password", password))), "login password");
            refused(owner.http().post("/v1/me/password", json(Map.of("current_password", owner.password(), "new_password", password))),
                    "new password");
        }
        assertThat(rows("users")).isEqualTo(users);
    }

    @Test
    void malformedAndHugeBodiesAreRefused() throws Exception {
        long users = rows("users");
        for (String body : List.of("", "{", "[]", "null", "\"text\"", "{\"email\":1,\"password\":2,\"name\":3}",
                "{\"email\":\"a@example.com\",\"password\":\"long-enough-phrase\",\"name\":\"A\",\"is_admin\":true}",
                "{\"email\":\"a@example.com\",\"password\":\"long-enough-phrase\",\"name\":\"A\"} trailing")) {
            refused(anonymous.post("/v1/auth/signup", body), "signup body " + body);
        }
        String huge = "{\"email\":\"huge@example.com\",\"password\":\"long-enough-phrase\",\"name\":\"" + "x".repeat(2 << 20) + "\"}";
        try {
            // A connection of its own: the server may close it after refusing a body it will not read.
            Http.Response tooLarge = wrenn.http.withKey(null).post("/v1/auth/signup", huge);
            assertThat(tooLarge.status()).isEqualTo(413);
        } catch (java.io.UncheckedIOException closedWhileSending) {
            // Refused before the client finished sending: also a refusal; the row count below still holds.
        }
        refused(anonymous.post("/v1/auth/login", "{\"email\":\"a@example.com\",\"password\":\"" + "p".repeat(100_000) + "\"}"), "huge password");
        refused(owner.http().post("/v1/auth/switch-team", "{\"team_id\":\"team-' OR 1=1 --\"}"), "switch-team injection");
        refused(owner.http().patch("/v1/teams/" + owner.teamId() + "/members/" + owner.userId(), "{\"role\":\"god\"}"), "bad role");
        refused(owner.http().get("/v1/teams/team-%27%3BDROP%20TABLE%20teams"), "team id injection");
        refused(owner.http().get("/v1/audit-logs?cursor=%00"), "cursor");
        refused(owner.http().get("/v1/audit-logs?limit=0"), "limit");
        refused(owner.http().get("/v1/audit-logs?since=yesterday"), "since");
        refused(owner.http().get("/v1/audit-logs?actor=%27"), "actor");
        refused(owner.http().get("/v1/audit-logs?bogus=1"), "unknown parameter");
        assertThat(rows("users")).isEqualTo(users);
    }
}
