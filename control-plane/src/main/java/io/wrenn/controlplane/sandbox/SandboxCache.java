package io.wrenn.controlplane.sandbox;

import io.wrenn.controlplane.instance.Notifications;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's sandbox reads ({@code GET /v1/sandboxes/{id}} and the lists) answered from memory:
 * one query per read was their bound. What is kept is exactly what the database answered (a row,
 * or a page of rows for one query), filed under the team that asked, so a team is only ever
 * answered from its own file, as {@link SandboxStore#findForTeam} would.
 *
 * <p>Coherence: a team's file is dropped whole whenever any of its sandboxes changes. This
 * control plane's own writes drop it in {@link SandboxStore} once they are committed, before
 * the writer answers, so a client reads its own writes. Everyone's writes, this control plane's
 * and the others', are heard through a trigger's notification ({@code V80}) and drop it too. A
 * read takes the team's file before it asks the database and files the answer in that same
 * file; a file dropped meanwhile is reachable by nobody any more, so an answer read before a
 * change can never outlive the change's drop.
 *
 * <p>Notifications sent while this control plane does not listen are lost: while it does not
 * ({@link #deaf}), every read goes to the database and nothing is kept, and when it listens
 * again everything kept before is dropped ({@link #listening}). A lost notification therefore
 * costs reads their speed, never their freshness.
 */
public final class SandboxCache implements Notifications.Hearing {

    private static final Logger log = LoggerFactory.getLogger(SandboxCache.class);
    /** The channel {@code V80}'s trigger notifies: {@code <team id>:<sandbox id>}, or {@code *} for all. */
    public static final String CHANNEL = "wrenn_sandbox_changes";

    /*
     * Memory bounds. A row is about 1 KiB in memory (25 fields, two small JSON values), so
     * MAX_ROWS holds at most ~50 MiB whatever the clients ask; a row kept both alone and in a
     * page counts twice. Past it everything is dropped and filled again from what is read next
     * (cheaper to reason about than an eviction order, and rare: an idle team's file stays only
     * until its next change). One team may hold a tenth of it, so one large team cannot keep the
     * others out; a team's distinct list queries (filters, cursors, limits) are bounded too, since
     * each is a key chosen by the client. MAX_TEAMS bounds the files themselves, empty or not.
     */
    static final int MAX_ROWS = 50_000;
    static final int MAX_ROWS_PER_TEAM = MAX_ROWS / 10;
    static final int MAX_PAGES_PER_TEAM = 64;
    static final int MAX_TEAMS = 10_000;

    private final ConcurrentHashMap<UUID, TeamFile> teams = new ConcurrentHashMap<>();
    private final AtomicInteger rows = new AtomicInteger();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    /** Whether notifications are heard: only then is anything kept or answered from memory. */
    private volatile boolean coherent;

    /** Keeps this cache coherent with the writes {@code notifications} carries; deaf until it listens. */
    public void hear(Notifications notifications) {
        notifications.subscribe(CHANNEL, this::notified);
        notifications.watch(this);
    }

    /** One list query of a team: the same key is the same SQL with the same values. */
    record PageKey(Set<SandboxStatus> statuses, Map<String, String> metadata, List<String> after, int fetch) {
    }

    /**
     * The team's sandbox {@code id}: from memory, or from {@code load} (which must answer for
     * {@code teamId} only). Absent sandboxes are never kept, so unknown ids cannot fill memory.
     */
    Optional<Sandbox> find(UUID teamId, UUID id, Supplier<Optional<Sandbox>> load) {
        TeamFile file = file(teamId);
        if (file == null) {
            return load.get();
        }
        Sandbox kept = file.byId.get(id);
        if (kept != null) {
            hits.increment();
            return Optional.of(kept);
        }
        misses.increment();
        Optional<Sandbox> loaded = load.get();
        loaded.filter(s -> s.teamId().equals(teamId) && s.id().equals(id))
                .ifPresent(s -> keep(file, 1, () -> file.byId.putIfAbsent(id, s) == null));
        return loaded;
    }

    /** One page of the team's list: from memory, or from {@code load} (the team's rows only). */
    List<Sandbox> page(UUID teamId, PageKey key, Supplier<List<Sandbox>> load) {
        TeamFile file = file(teamId);
        if (file == null) {
            return load.get();
        }
        List<Sandbox> kept = file.pages.get(key);
        if (kept != null) {
            hits.increment();
            return kept;
        }
        misses.increment();
        List<Sandbox> loaded = List.copyOf(load.get());
        if (loaded.stream().allMatch(s -> s.teamId().equals(teamId))) {
            keep(file, Math.max(1, loaded.size()),
                    () -> file.pages.size() < MAX_PAGES_PER_TEAM && file.pages.putIfAbsent(key, loaded) == null);
        }
        return loaded;
    }

    /**
     * What {@code render} makes of a team's read (its JSON answer), kept beside the rows it was
     * made from and dropped with them: a kept answer then costs no serialisation either.
     * {@code render} must read through this cache or the team-scoped store (it runs after the
     * team's file is taken, so what it read is as fresh as anything filed there); an exception
     * from it (a 404) is thrown, nothing kept. Weighs a row per KiB against the memory bound.
     */
    byte[] rendered(UUID teamId, Object key, Supplier<byte[]> render) {
        TeamFile file = file(teamId);
        if (file == null) {
            return render.get();
        }
        byte[] kept = file.rendered.get(key);
        if (kept != null) {
            hits.increment();
            return kept;
        }
        byte[] made = render.get();
        keep(file, 1 + made.length / 1024, () -> file.rendered.putIfAbsent(key, made) == null);
        return made;
    }

    /** Something of {@code teamId}'s sandboxes changed (committed): nothing kept of the team is answered again. */
    public void changed(UUID teamId) {
        TeamFile file = teams.remove(teamId);
        if (file != null) {
            file.drop(rows);
        }
    }

    /** Drops everything kept. */
    public void clear() {
        for (Map.Entry<UUID, TeamFile> entry : teams.entrySet()) {
            if (teams.remove(entry.getKey(), entry.getValue())) {
                entry.getValue().drop(rows);
            }
        }
    }

    /** Listening (again): what was kept may have missed changes while nobody listened. */
    @Override
    public void listening() {
        clear();
        coherent = true;
        log.debug("sandbox reads are answered from memory");
    }

    /** Not listening: changes made elsewhere would go unheard, so nothing is kept or trusted. */
    @Override
    public void deaf() {
        coherent = false;
        clear();
        log.debug("sandbox reads go to the database until this control plane listens again");
    }

    /** Whether reads may be answered from memory now. */
    public boolean coherent() {
        return coherent;
    }

    /** Reads answered from memory since start (for tests and metrics). */
    public long hits() {
        return hits.sum();
    }

    /** Reads that went to the database while coherent (for tests and metrics). */
    public long misses() {
        return misses.sum();
    }

    private void notified(String payload) {
        int colon = payload == null ? -1 : payload.indexOf(':');
        if (colon > 0) {
            try {
                changed(UUID.fromString(payload.substring(0, colon)));
                return;
            } catch (IllegalArgumentException e) {
                // below: not knowing which team changed, assume every one did
            }
        }
        if (!"*".equals(payload)) {
            log.warn("a sandbox change that names no team: {}; dropping every team's reads",
                    payload == null ? null : payload.substring(0, Math.min(payload.length(), 100)));
        }
        clear();
    }

    /** The team's file to read and fill, or null when reads must go to the database. */
    private TeamFile file(UUID teamId) {
        if (!coherent) {
            return null;
        }
        TeamFile file = teams.get(teamId);
        if (file != null) {
            return file;
        }
        if (teams.size() >= MAX_TEAMS) {
            clear();
        }
        return teams.computeIfAbsent(teamId, TeamFile::new);
    }

    /** Runs {@code put} (which says whether it added) unless the file was dropped or memory is full. */
    private void keep(TeamFile file, int count, Supplier<Boolean> put) {
        if (!file.keep(count, rows, put)) {
            clear();
        }
    }

    /** What is kept of one team. Once dropped it is out of {@link #teams} for good and keeps nothing. */
    private static final class TeamFile {

        final UUID teamId;
        final ConcurrentHashMap<UUID, Sandbox> byId = new ConcurrentHashMap<>();
        final ConcurrentHashMap<PageKey, List<Sandbox>> pages = new ConcurrentHashMap<>();
        final ConcurrentHashMap<Object, byte[]> rendered = new ConcurrentHashMap<>();
        private int count; // guarded by this
        private boolean dropped; // guarded by this

        TeamFile(UUID teamId) {
            this.teamId = teamId;
        }

        /** False when the whole cache is over its budget (the caller drops everything). */
        synchronized boolean keep(int added, AtomicInteger total, Supplier<Boolean> put) {
            if (dropped || count + added > MAX_ROWS_PER_TEAM) {
                return true;
            }
            if (total.get() + added > MAX_ROWS) {
                return false;
            }
            if (put.get()) {
                count += added;
                total.addAndGet(added);
            }
            return true;
        }

        synchronized void drop(AtomicInteger total) {
            if (!dropped) {
                dropped = true;
                total.addAndGet(-count);
            }
        }
    }
}
