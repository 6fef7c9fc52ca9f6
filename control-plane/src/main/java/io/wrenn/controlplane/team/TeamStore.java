package io.wrenn.controlplane.team;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.auth.Role;
import io.wrenn.controlplane.http.ApiException;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import io.wrenn.controlplane.http.Paging;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Teams and memberships in PostgreSQL. A deleted team keeps its row (deleted_at) and is invisible. */
public final class TeamStore {

    private final Jdbi jdbi;

    public TeamStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A person's membership of a live team. */
    public record Membership(UUID teamId, String teamName, Role role, Instant teamCreatedAt) {
    }

    public record Member(UUID userId, String email, String name, Role role, Instant joinedAt) {
    }

    /** Inserts a team whose only member, its owner, is {@code ownerId}; returns its id. */
    public static UUID insertWithOwner(Handle h, String name, UUID ownerId) {
        UUID teamId = UUID.randomUUID();
        h.createUpdate("INSERT INTO teams (id, name) VALUES (:id, :name)").bind("id", teamId).bind("name", name).execute();
        h.createUpdate("INSERT INTO team_members (team_id, user_id, role) VALUES (:team, :user, 'owner')")
                .bind("team", teamId).bind("user", ownerId).execute();
        return teamId;
    }

    public UUID create(String name, UUID ownerId) {
        return jdbi.inTransaction(h -> insertWithOwner(h, name, ownerId));
    }

    public Optional<Membership> membership(UUID teamId, UUID userId) {
        return jdbi.withHandle(h -> h.createQuery(MEMBERSHIPS + " AND m.team_id = :team")
                .bind("user", userId).bind("team", teamId)
                .map((rs, ctx) -> new Membership(rs.getObject("id", UUID.class), rs.getString("name"),
                        Role.fromWire(rs.getString("role")), rs.getObject("created_at", OffsetDateTime.class).toInstant()))
                .findOne());
    }

    public List<Membership> teamsOf(UUID userId) {
        return jdbi.withHandle(h -> h.createQuery(MEMBERSHIPS + " ORDER BY m.created_at, t.id")
                .bind("user", userId)
                .map((rs, ctx) -> new Membership(rs.getObject("id", UUID.class), rs.getString("name"),
                        Role.fromWire(rs.getString("role")), rs.getObject("created_at", OffsetDateTime.class).toInstant()))
                .list());
    }

    /** One page of the person's teams, oldest team first (ties by id): {@code page.fetch()} rows after the cursor. */
    public List<Membership> teamsOf(UUID userId, Paging.PageRequest page) {
        // Read the cursor before touching the database: a forged one is a 400, not a failed query.
        OffsetDateTime afterAt = page.after() == null ? null : OffsetDateTime.ofInstant(page.after().instant(0), ZoneOffset.UTC);
        UUID afterId = page.after() == null ? null : page.after().uuid(1);
        String after = afterId == null ? "" : " AND (t.created_at, t.id) > (:afterAt, :afterId)";
        return jdbi.withHandle(h -> {
            var query = h.createQuery(MEMBERSHIPS + after + " ORDER BY t.created_at, t.id LIMIT :fetch")
                    .bind("user", userId).bind("fetch", page.fetch());
            if (afterId != null) {
                query.bind("afterAt", afterAt).bind("afterId", afterId);
            }
            return query.map((rs, ctx) -> new Membership(rs.getObject("id", UUID.class), rs.getString("name"),
                    Role.fromWire(rs.getString("role")), rs.getObject("created_at", OffsetDateTime.class).toInstant())).list();
        });
    }

    private static final String MEMBERSHIPS = """
            SELECT t.id, t.name, t.created_at, m.role FROM team_members m JOIN teams t ON t.id = m.team_id
            WHERE m.user_id = :user AND t.deleted_at IS NULL""";

    public void rename(UUID teamId, String name) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE teams SET name = :name WHERE id = :id AND deleted_at IS NULL")
                .bind("id", teamId).bind("name", name).execute());
    }

    /** Marks the team deleted; returns whether it was live. */
    public boolean softDelete(UUID teamId) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE teams SET deleted_at = now() WHERE id = :id AND deleted_at IS NULL")
                .bind("id", teamId).execute()) == 1;
    }

    /** One page of the team's members, first to join first (ties by id): {@code page.fetch()} rows after the cursor. */
    public List<Member> members(UUID teamId, Paging.PageRequest page) {
        OffsetDateTime afterAt = page.after() == null ? null : OffsetDateTime.ofInstant(page.after().instant(0), ZoneOffset.UTC);
        UUID afterId = page.after() == null ? null : page.after().uuid(1);
        String after = afterId == null ? "" : " AND (m.created_at, u.id) > (:afterAt, :afterId)";
        return jdbi.withHandle(h -> {
            var query = h.createQuery(MEMBERS + after + " ORDER BY m.created_at, u.id LIMIT :fetch")
                    .bind("team", teamId).bind("fetch", page.fetch());
            if (afterId != null) {
                query.bind("afterAt", afterAt).bind("afterId", afterId);
            }
            return query.map((rs, ctx) -> member(rs)).list();
        });
    }

    public Optional<Member> member(UUID teamId, UUID userId) {
        return jdbi.withHandle(h -> h.createQuery(MEMBERS + " AND m.user_id = :user")
                .bind("team", teamId).bind("user", userId).map((rs, ctx) -> member(rs)).findOne());
    }

    private static final String MEMBERS = """
            SELECT u.id, u.email, u.name, m.role, m.created_at FROM team_members m JOIN users u ON u.id = m.user_id
            WHERE m.team_id = :team""";

    private static Member member(java.sql.ResultSet rs) throws SQLException {
        return new Member(rs.getObject("id", UUID.class), rs.getString("email"), rs.getString("name"),
                Role.fromWire(rs.getString("role")), rs.getObject("created_at", OffsetDateTime.class).toInstant());
    }

    /**
     * Changes a member's role ({@code role} non-null) or removes them ({@code role} null), unless
     * that would leave the team without an owner. The team's member rows are locked first, so
     * two owners demoting each other at once cannot both succeed.
     */
    public void changeOrRemove(UUID teamId, UUID userId, Role role) {
        jdbi.useTransaction(h -> {
            List<String> roles = h.createQuery("SELECT role FROM team_members WHERE team_id = :team ORDER BY user_id FOR UPDATE")
                    .bind("team", teamId).mapTo(String.class).list();
            Optional<String> current = h.createQuery("SELECT role FROM team_members WHERE team_id = :team AND user_id = :user")
                    .bind("team", teamId).bind("user", userId).mapTo(String.class).findOne();
            if (current.isEmpty()) {
                throw new ApiException(ErrorCode.MEMBER_NOT_FOUND, "no such member in this team");
            }
            long owners = roles.stream().filter(r -> r.equals(Role.OWNER.wire())).count();
            if (current.get().equals(Role.OWNER.wire()) && role != Role.OWNER && owners == 1) {
                throw new ApiException(ErrorCode.LAST_OWNER,
                        "the team's last owner cannot leave, be removed or be demoted: make someone else owner first");
            }
            if (role == null) {
                h.createUpdate("DELETE FROM team_members WHERE team_id = :team AND user_id = :user")
                        .bind("team", teamId).bind("user", userId).execute();
            } else {
                h.createUpdate("UPDATE team_members SET role = :role WHERE team_id = :team AND user_id = :user")
                        .bind("team", teamId).bind("user", userId).bind("role", role.wire()).execute();
            }
        });
    }
}
