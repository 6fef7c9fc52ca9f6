package io.wrenn.controlplane.sandbox;

import io.wrenn.controlplane.instance.ControlPlaneInstances;
import io.wrenn.controlplane.network.NetworkPolicy;
import io.wrenn.controlplane.http.Jsons;
import io.wrenn.controlplane.http.Paging;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import tools.jackson.core.type.TypeReference;

/**
 * Sandbox rows. Status changes are compare-and-set ({@link #transition}): the caller names the
 * states it expects, so a request and the reconciler racing on one row cannot undo each other.
 *
 * <p>The only writer of the table. Every write of a column a {@link Sandbox} holds names the
 * teams whose rows it changed ({@code RETURNING team_id}) and drops what {@link SandboxCache}
 * kept of them once it is committed, before the writer goes on: whoever wrote reads their write
 * through {@link #readForTeam} and {@link #readPage} on this control plane at once. (The
 * database's trigger tells every control plane too, this one included, a moment later.)
 */
public final class SandboxStore {

    private static final String SELECT = """
            SELECT s.id, s.team_id, s.host_id, s.template_id, t.name AS template_name, s.status, s.status_reason, s.host_call_lost,
                   s.vcpus, s.memory_mb, s.disk_size_mb, s.timeout_s, s.env_keys::text AS env_keys,
                   s.metadata::text AS metadata, s.boot_ms, s.created_at, s.updated_at, s.started_at,
                   s.expires_at, s.stopped_at, s.on_timeout, s.pause_generation, s.paused_at,
                   s.paused_without_memory, s.envd_version
            FROM sandboxes s JOIN templates t ON t.id = s.template_id
            """;
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };
    private static final tools.jackson.databind.ObjectReader ENV_KEYS_READER = Jsons.mapper().readerFor(STRING_LIST);
    private static final tools.jackson.databind.ObjectReader METADATA_READER = Jsons.mapper().readerFor(STRING_MAP);

    private final Jdbi jdbi;
    /**
     * The control plane whose calls move this store's rows (create, pause, resume, any
     * transition), named on each row it moves; null: none named, as in tests of other things.
     */
    private final UUID self;

    private final SandboxCache cache;

    public SandboxStore(Jdbi jdbi) {
        this(jdbi, null);
    }

    /** A store whose rows name {@code self}, the control plane that moves them, at each move. */
    public SandboxStore(Jdbi jdbi, UUID self) {
        // A cache that never hears notifications is never used: every read goes to the database.
        this(jdbi, self, new SandboxCache());
    }

    /** As {@link #SandboxStore(Jdbi, UUID)}, answering the API's reads from {@code cache} while it is coherent. */
    public SandboxStore(Jdbi jdbi, UUID self, SandboxCache cache) {
        this.jdbi = jdbi;
        this.self = self;
        this.cache = cache;
    }

    /**
     * Drops what the cache kept of {@code teams} once {@code h}'s work is committed: at once
     * outside a transaction (the statement was its own), else after the commit, since a read
     * before it would still see, and keep, the old row. Returns how many rows changed.
     */
    private int changed(org.jdbi.v3.core.Handle h, List<UUID> teams) {
        if (teams.isEmpty()) {
            return 0;
        }
        Runnable drop = () -> Set.copyOf(teams).forEach(cache::changed);
        if (h.isInTransaction()) {
            h.afterCommit(drop);
        } else {
            drop.run();
        }
        return teams.size();
    }

    /** The team's sandbox as {@link #findForTeam}, answered from memory while the cache is coherent. */
    public Optional<Sandbox> readForTeam(UUID teamId, UUID id) {
        return cache.find(teamId, id, () -> findForTeam(teamId, id));
    }

    /**
     * {@code render} of the team's sandbox {@code id} as {@link #readForTeam} finds it, kept with
     * it ({@code view} names the renderer); empty when the team has no such sandbox.
     */
    public Optional<byte[]> readRendered(UUID teamId, UUID id, String view, java.util.function.Function<Sandbox, byte[]> render) {
        try {
            return Optional.of(cache.rendered(teamId, List.of(view, id),
                    () -> render.apply(readForTeam(teamId, id).orElseThrow(Absent::new))));
        } catch (Absent e) {
            return Optional.empty();
        }
    }

    /** {@code render} of a page as {@link #readPage} answers it, kept with it ({@code view} names the renderer). */
    public byte[] readPageRendered(UUID teamId, Set<SandboxStatus> statuses, Map<String, String> metadata,
                                   Paging.PageRequest page, String view, java.util.function.Function<List<Sandbox>, byte[]> render) {
        return cache.rendered(teamId, List.of(view, pageKey(statuses, metadata, page)),
                () -> render.apply(readPage(teamId, statuses, metadata, page)));
    }

    /** No such sandbox in the team: nothing to render, nothing kept. */
    private static final class Absent extends RuntimeException {
        Absent() {
            super(null, null, false, false);
        }
    }

    private static SandboxCache.PageKey pageKey(Set<SandboxStatus> statuses, Map<String, String> metadata, Paging.PageRequest page) {
        // The cursor's parts as given: a forged one fails in page() and is never kept.
        List<String> after = page.after() == null ? null : List.of(page.after().text(0), page.after().text(1));
        return new SandboxCache.PageKey(Set.copyOf(statuses), Map.copyOf(metadata), after, page.fetch());
    }

    /** One page of a team's sandboxes as {@link #page}, answered from memory while the cache is coherent. */
    public List<Sandbox> readPage(UUID teamId, Set<SandboxStatus> statuses, Map<String, String> metadata,
                                  Paging.PageRequest page) {
        java.util.Objects.requireNonNull(teamId, "teamId");
        return cache.page(teamId, pageKey(statuses, metadata, page), () -> page(teamId, statuses, metadata, page));
    }

    public void insertStarting(UUID id, UUID teamId, UUID hostId, UUID templateId, int vcpus, int memoryMb,
                               int diskSizeMb, int timeoutS, Collection<String> envKeys, Map<String, String> metadata,
                               OnTimeout onTimeout) {
        jdbi.useHandle(h -> insertStarting(h, id, teamId, hostId, templateId, vcpus, memoryMb, diskSizeMb, timeoutS, envKeys,
                metadata, onTimeout));
    }

    /** As {@link #insertStarting(UUID, UUID, UUID, UUID, int, int, int, int, Collection, Map, OnTimeout)}, on {@code h}'s transaction. */
    public void insertStarting(org.jdbi.v3.core.Handle h, UUID id, UUID teamId, UUID hostId, UUID templateId, int vcpus,
                               int memoryMb, int diskSizeMb, int timeoutS, Collection<String> envKeys,
                               Map<String, String> metadata, OnTimeout onTimeout) {
        h.createUpdate("""
                        INSERT INTO sandboxes (id, team_id, host_id, template_id, status, vcpus, memory_mb, disk_size_mb,
                                               timeout_s, env_keys, metadata, on_timeout, moved_by)
                        VALUES (:id, :team, :host, :template, 'starting', :vcpus, :memory, :disk, :timeout,
                                CAST(:envKeys AS jsonb), CAST(:metadata AS jsonb), :onTimeout, CAST(:self AS uuid))""")
                .bind("onTimeout", onTimeout.wire())
                .bind("self", self)
                .bind("id", id)
                .bind("team", teamId)
                .bind("host", hostId)
                .bind("template", templateId)
                .bind("vcpus", vcpus)
                .bind("memory", memoryMb)
                .bind("disk", diskSizeMb)
                .bind("timeout", timeoutS)
                .bind("envKeys", Jsons.mapper().writeValueAsString(List.copyOf(envKeys)))
                .bind("metadata", Jsons.mapper().writeValueAsString(metadata))
                .execute();
        changed(h, List.of(teamId));
    }

    /**
     * The rows on {@code hostId} in a move ({@code starting}, {@code pausing}, {@code resuming})
     * whose moving control plane, another than {@code self}, is gone
     * ({@link ControlPlaneInstances#goneSql}). Nobody waits for their calls' answers any more.
     */
    public Set<UUID> movingOfGoneInstances(UUID hostId, UUID self) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT s.id FROM sandboxes s
                        WHERE s.host_id = :host AND s.status IN ('starting', 'pausing', 'resuming')
                          AND s.moved_by IS NOT NULL AND s.moved_by <> :self AND"""
                        + " " + ControlPlaneInstances.goneSql("s.moved_by"))
                .bind("host", hostId)
                .bind("self", self)
                .bind("gone", ControlPlaneInstances.goneAfterInterval())
                .mapTo(UUID.class)
                .set());
    }

    public Optional<Sandbox> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE s.id = :id")
                .bind("id", id)
                .map((rs, ctx) -> map(rs))
                .findOne());
    }

    /** The sandbox if it belongs to {@code teamId}; another team's sandbox is as absent as a missing one. */
    public Optional<Sandbox> findForTeam(UUID teamId, UUID id) {
        return find(id).filter(s -> s.teamId().equals(teamId));
    }

    /** The team's sandboxes, newest first, with one of {@code statuses}. */
    public List<Sandbox> listForTeam(UUID teamId, Set<SandboxStatus> statuses) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE s.team_id = :team AND s.status IN (<statuses>)"
                        + " ORDER BY s.created_at DESC, s.id")
                .bind("team", teamId)
                .bindList("statuses", statuses.stream().map(SandboxStatus::wire).toList())
                .map((rs, ctx) -> map(rs))
                .list());
    }

    /**
     * A page of the team's sandboxes with one of {@code statuses} ({@code teamId} null: every
     * team's) whose metadata holds every pair of {@code metadata}, in {@link #pageKey} order:
     * newest first, ties by id, so the order is total.
     */
    public List<Sandbox> page(UUID teamId, Set<SandboxStatus> statuses, Map<String, String> metadata,
                              Paging.PageRequest page) {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE s.status IN (<statuses>)");
        if (teamId != null) {
            sql.append(" AND s.team_id = :team");
        }
        if (!metadata.isEmpty()) {
            sql.append(" AND s.metadata @> CAST(:metadata AS jsonb)");
        }
        // Read the cursor before touching the database: a forged one is a 400, not a failed query.
        OffsetDateTime afterAt = page.after() == null ? null : OffsetDateTime.ofInstant(page.after().instant(0), ZoneOffset.UTC);
        UUID afterId = page.after() == null ? null : page.after().uuid(1);
        if (page.after() != null) {
            sql.append(" AND (s.created_at, s.id) < (:afterAt, :afterId)");
        }
        sql.append(" ORDER BY s.created_at DESC, s.id DESC LIMIT :fetch");
        return jdbi.withHandle(h -> {
            Query query = h.createQuery(sql.toString())
                    .bindList("statuses", statuses.stream().map(SandboxStatus::wire).toList())
                    .bind("fetch", page.fetch());
            if (teamId != null) {
                query.bind("team", teamId);
            }
            if (!metadata.isEmpty()) {
                query.bind("metadata", Jsons.mapper().writeValueAsString(metadata));
            }
            if (page.after() != null) {
                query.bind("afterAt", afterAt).bind("afterId", afterId);
            }
            return query.map((rs, ctx) -> map(rs)).list();
        });
    }

    /** A sandbox's place in {@link #page}'s order, as a cursor holds it. */
    public static List<String> pageKey(Sandbox sandbox) {
        return List.of(Paging.micros(sandbox.createdAt()), sandbox.id().toString());
    }

    /** Sandboxes placed on {@code hostId} that are not finished. */
    public List<Sandbox> listActiveOnHost(UUID hostId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE s.host_id = :host AND s.status NOT IN ('stopped', 'error')")
                .bind("host", hostId)
                .map((rs, ctx) -> map(rs))
                .list());
    }

    /** Memory reserved per host by sandboxes that are not finished. */
    public Map<UUID, Long> reservedMemory(List<UUID> hostIds) {
        if (hostIds.isEmpty()) {
            return Map.of();
        }
        return jdbi.withHandle(h -> {
            Map<UUID, Long> reserved = new HashMap<>();
            // Counted as admission counts it (Capacity): a paused sandbox at half its memory.
            h.createQuery("SELECT host_id, sum(CASE WHEN status = 'paused' THEN (memory_mb + 1) / 2 ELSE memory_mb END) AS mb"
                            + " FROM sandboxes WHERE host_id IN (<hosts>) AND status NOT IN ('stopped', 'error') GROUP BY host_id")
                    .bindList("hosts", hostIds)
                    .map((rs, ctx) -> Map.entry(rs.getObject("host_id", UUID.class), rs.getLong("mb")))
                    .forEach(e -> reserved.put(e.getKey(), e.getValue()));
            return reserved;
        });
    }

    /**
     * Moves the sandbox to {@code to} if it is in one of {@code from}; returns whether it did.
     * Entering {@code stopped} or {@code error} stamps stopped_at.
     */
    public boolean transition(UUID id, Set<SandboxStatus> from, SandboxStatus to, String reason) {
        return jdbi.withHandle(h -> transition(h, id, from, to, reason));
    }

    /** As {@link #transition(UUID, Set, SandboxStatus, String)}, on {@code h}'s transaction. */
    public boolean transition(org.jdbi.v3.core.Handle h, UUID id, Set<SandboxStatus> from, SandboxStatus to, String reason) {
        return changed(h, h.createQuery("""
                        UPDATE sandboxes SET status = :to, status_reason = :reason, host_call_lost = false, updated_at = now(),
                            stopped_at = CASE WHEN :terminal THEN now() ELSE stopped_at END,
                            moved_by = COALESCE(CAST(:self AS uuid), moved_by)
                        WHERE id = :id AND status IN (<from>) RETURNING team_id""")
                .bind("self", self)
                .bind("id", id)
                .bind("to", to.wire())
                .bind("reason", reason)
                .bind("terminal", to.terminal())
                .bindList("from", from.stream().map(SandboxStatus::wire).toList())
                .mapTo(UUID.class)
                .list()) == 1;
    }

    /**
     * Hands a {@code pausing} or {@code resuming} row whose host call was lost to the reconciler
     * ({@link Sandbox#hostCallLost()}); only while it is still in {@code status}, so a row the
     * reconciler already settled is left alone. Any later status change clears the flag.
     */
    public boolean markHostCallLost(UUID id, SandboxStatus status) {
        return jdbi.withHandle(h -> changed(h, h.createQuery("""
                        UPDATE sandboxes SET host_call_lost = true WHERE id = :id AND status = :status RETURNING team_id""")
                .bind("id", id)
                .bind("status", status.wire())
                .mapTo(UUID.class)
                .list())) == 1;
    }

    /** Settles a create: {@code starting → running} with the times the host reported. */
    public boolean markRunning(UUID id, Set<SandboxStatus> from, Instant startedAt, Instant expiresAt, Long bootMs) {
        return jdbi.withHandle(h -> changed(h, h.createQuery("""
                        UPDATE sandboxes SET status = 'running', status_reason = NULL, host_call_lost = false, updated_at = now(),
                            started_at = COALESCE(:started, started_at, now()), expires_at = :expires,
                            boot_ms = COALESCE(:boot, boot_ms)
                        WHERE id = :id AND status IN (<from>) RETURNING team_id""")
                .bind("id", id)
                .bind("started", startedAt == null ? null : OffsetDateTime.ofInstant(startedAt, java.time.ZoneOffset.UTC))
                .bind("expires", expiresAt == null ? null : OffsetDateTime.ofInstant(expiresAt, java.time.ZoneOffset.UTC))
                .bind("boot", bootMs)
                .bindList("from", from.stream().map(SandboxStatus::wire).toList())
                .mapTo(UUID.class)
                .list())) == 1;
    }

    /** Settles a pause: {@code → paused} with the generation the host saved. */
    public boolean markPaused(UUID id, Set<SandboxStatus> from, long generation, String reason) {
        return markPaused(id, from, generation, reason, false);
    }

    /** As {@link #markPaused(UUID, Set, long, String)}; {@code withoutMemory}: the pause kept only the disk. */
    public boolean markPaused(UUID id, Set<SandboxStatus> from, long generation, String reason, boolean withoutMemory) {
        return jdbi.withHandle(h -> changed(h, h.createQuery("""
                        UPDATE sandboxes SET status = 'paused', status_reason = :reason, host_call_lost = false, updated_at = now(),
                            pause_generation = :generation, paused_at = now(), expires_at = NULL,
                            paused_without_memory = :withoutMemory
                        WHERE id = :id AND status IN (<from>) RETURNING team_id""")
                .bind("id", id)
                .bind("withoutMemory", withoutMemory)
                .bind("generation", generation)
                .bind("reason", reason)
                .bindList("from", from.stream().map(SandboxStatus::wire).toList())
                .mapTo(UUID.class)
                .list())) == 1;
    }

    /** Settles a resume: {@code resuming → running} with the new expiry. */
    public boolean markResumed(UUID id, Instant expiresAt) {
        return jdbi.withHandle(h -> changed(h, h.createQuery("""
                        UPDATE sandboxes SET status = 'running', status_reason = NULL, host_call_lost = false, updated_at = now(),
                            paused_at = NULL, expires_at = :expires, paused_without_memory = false
                        WHERE id = :id AND status = 'resuming' RETURNING team_id""")
                .bind("id", id)
                .bind("expires", expiresAt == null ? null : OffsetDateTime.ofInstant(expiresAt, java.time.ZoneOffset.UTC))
                .mapTo(UUID.class)
                .list())) == 1;
    }

    /** Sandboxes not finished that were made from {@code templateId}. */
    public boolean anyActiveFromTemplate(UUID templateId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT EXISTS (SELECT 1 FROM sandboxes WHERE template_id = :t AND status NOT IN ('stopped', 'error'))")
                .bind("t", templateId)
                .mapTo(Boolean.class)
                .one());
    }

    /** Records the envd version a sandbox's guest reported when it started (create or resume); empty: unchanged. */
    public void saveEnvdVersion(UUID id, String version) {
        if (version == null || version.isEmpty()) {
            return;
        }
        jdbi.useHandle(h -> changed(h, h.createQuery("UPDATE sandboxes SET envd_version = :version WHERE id = :id RETURNING team_id")
                .bind("id", id)
                .bind("version", version)
                .mapTo(UUID.class)
                .list()));
    }

    // The writes below change columns no Sandbox holds (token, auto-resume, network), read from the
    // database each time: nothing kept of the row goes stale, and the trigger still tells everyone.

    /** Records the envd access token chosen for a sandbox at create. */
    public void saveAccessToken(UUID id, String token) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE sandboxes SET envd_access_token = :token WHERE id = :id")
                .bind("id", id)
                .bind("token", token)
                .execute());
    }

    /**
     * Replaces the sandbox's envd access token; whoever was handed the old one holds nothing of the
     * new, so its grants go in the same transaction.
     */
    public void replaceAccessToken(UUID id, String token) {
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE sandboxes SET envd_access_token = :token WHERE id = :id")
                    .bind("id", id)
                    .bind("token", token)
                    .execute();
            h.createUpdate("DELETE FROM access_token_grants WHERE sandbox_id = :id").bind("id", id).execute();
        });
    }

    /** The sandbox's envd access token (absent for sandboxes created before tokens were kept). */
    public Optional<String> accessToken(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT envd_access_token FROM sandboxes WHERE id = :id")
                .bind("id", id)
                .mapTo(String.class)
                .findOne()
                .filter(java.util.Objects::nonNull));
    }

    /** Running and paused sandboxes with their envd access tokens, for finding the one a signed URL names. */
    public java.util.Map<UUID, String> liveAccessTokens() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, envd_access_token FROM sandboxes
                        WHERE status IN ('running', 'paused') AND envd_access_token IS NOT NULL""")
                .reduceRows(new java.util.HashMap<UUID, String>(), (map, row) -> {
                    map.put(row.getColumn("id", UUID.class), row.getColumn("envd_access_token", String.class));
                    return map;
                }));
    }

    public void saveAutoResume(UUID id, boolean autoResume) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE sandboxes SET auto_resume = :on WHERE id = :id")
                .bind("id", id)
                .bind("on", autoResume)
                .execute());
    }

    public void saveNetwork(UUID id, NetworkPolicy policy) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE sandboxes SET network = CAST(:network AS jsonb) WHERE id = :id")
                .bind("id", id)
                .bind("network", policy.toJson())
                .execute());
    }

    /** The sandbox's network settings; a row from before they existed has the open defaults. */
    public NetworkPolicy network(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT network::text FROM sandboxes WHERE id = :id")
                .bind("id", id)
                .mapTo(String.class)
                .findOne()
                .map(NetworkPolicy::fromJson)
                .orElse(NetworkPolicy.defaults(true)));
    }

    /** Whether traffic to the sandbox resumes it when it is paused. */
    public boolean autoResume(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT auto_resume FROM sandboxes WHERE id = :id")
                .bind("id", id)
                .mapTo(Boolean.class)
                .findOne()
                .orElse(false));
    }

    /** A running sandbox's new expiry (null = never) and timeout; false when it is not running. */
    public boolean setExpiry(UUID id, Instant expiresAt, int timeoutS) {
        return jdbi.withHandle(h -> changed(h, h.createQuery("""
                        UPDATE sandboxes SET expires_at = :expires, timeout_s = :timeout, updated_at = now()
                        WHERE id = :id AND status = 'running' RETURNING team_id""")
                .bind("id", id)
                .bind("expires", expiresAt == null ? null : OffsetDateTime.ofInstant(expiresAt, java.time.ZoneOffset.UTC))
                .bind("timeout", timeoutS)
                .mapTo(UUID.class)
                .list())) == 1;
    }

    /** Every sandbox on {@code hostId} in {@code from} becomes {@code to}; returns how many. */
    public int transitionAllOnHost(UUID hostId, SandboxStatus from, SandboxStatus to, String reason) {
        return jdbi.withHandle(h -> changed(h, h.createQuery("""
                        UPDATE sandboxes SET status = :to, status_reason = :reason, host_call_lost = false, updated_at = now()
                        WHERE host_id = :host AND status = :from RETURNING team_id""")
                .bind("host", hostId)
                .bind("from", from.wire())
                .bind("to", to.wire())
                .bind("reason", reason)
                .mapTo(UUID.class)
                .list()));
    }

    private static Sandbox map(ResultSet rs) throws SQLException {
        return new Sandbox(
                rs.getObject("id", UUID.class),
                rs.getObject("team_id", UUID.class),
                rs.getObject("host_id", UUID.class),
                rs.getObject("template_id", UUID.class),
                rs.getString("template_name"),
                SandboxStatus.fromWire(rs.getString("status")),
                rs.getString("status_reason"),
                rs.getBoolean("host_call_lost"),
                rs.getInt("vcpus"),
                rs.getInt("memory_mb"),
                rs.getInt("disk_size_mb"),
                rs.getInt("timeout_s"),
                envKeys(rs.getString("env_keys")),
                metadata(rs.getString("metadata")),
                (Long) rs.getObject("boot_ms"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                instant(rs, "started_at"),
                instant(rs, "expires_at"),
                instant(rs, "stopped_at"),
                OnTimeout.fromColumn(rs.getString("on_timeout")),
                rs.getLong("pause_generation"),
                instant(rs, "paused_at"),
                rs.getBoolean("paused_without_memory"),
                rs.getString("envd_version"));
    }

    // Most sandboxes have neither: read on every GET and list, the empty ones skip the parser.
    // Unmodifiable: a row kept by the cache is shared by every read that answers it.
    private static List<String> envKeys(String json) {
        return json.equals("[]") ? List.of() : java.util.Collections.unmodifiableList(ENV_KEYS_READER.readValue(json));
    }

    private static Map<String, String> metadata(String json) {
        return json.equals("{}") ? Map.of() : java.util.Collections.unmodifiableMap(METADATA_READER.readValue(json));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
