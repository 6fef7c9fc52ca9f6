package io.wrenn.controlplane.host;

import io.wrenn.hostagent.protocol.HostInfo;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Hosts in PostgreSQL. */
public final class HostStore {

    private final Jdbi jdbi;

    public HostStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Records the host called {@code name}, now reachable at {@code address}, and marks it
     * online. The name is the identity: a host that comes back on a new address keeps its id,
     * and with it its sandboxes.
     */
    public UUID upsert(String name, String address) {
        return jdbi.withHandle(h -> h.createQuery("""
                        INSERT INTO hosts (id, name, address, status, last_seen_at) VALUES (:id, :name, :address, 'online', now())
                        ON CONFLICT (name) DO UPDATE SET address = excluded.address, status = 'online', last_seen_at = now()
                        RETURNING id""")
                .bind("id", UUID.randomUUID())
                .bind("name", name)
                .bind("address", address)
                .mapTo(UUID.class)
                .one());
    }

    public List<Host> all() {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, address, status FROM hosts ORDER BY created_at")
                .map((rs, ctx) -> new Host(rs.getObject("id", UUID.class), rs.getString("address"), rs.getString("status")))
                .list());
    }

    public List<Host> online() {
        return all().stream().filter(Host::online).toList();
    }

    public Optional<Host> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, address, status FROM hosts WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Host(rs.getObject("id", UUID.class), rs.getString("address"), rs.getString("status")))
                .findOne());
    }

    public void markOnline(UUID id) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE hosts SET status = 'online', last_seen_at = now() WHERE id = :id")
                .bind("id", id).execute());
    }

    /**
     * Marks the host unreachable, unless it has registered again at another address since
     * {@code address} failed: a reconciler pass that started before an agent's restart must not
     * take the restarted agent offline. Returns whether it marked the host.
     */
    public boolean markUnreachable(UUID id, String address) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE hosts SET status = 'unreachable' WHERE id = :id AND address = :address")
                .bind("id", id).bind("address", address).execute()) == 1;
    }

    /** Keeps the facts a host reports about itself, for operators and the scheduler. */
    public void recordInfo(UUID id, HostInfo info) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE hosts SET accelerator = :accelerator, version = :version, cpu_count = :cpus,
                            memory_mb = :memory, disk_free_mb = :disk, status = 'online', last_seen_at = now()
                        WHERE id = :id""")
                .bind("id", id)
                .bind("accelerator", info.getAccelerator())
                .bind("version", info.getVersion())
                .bind("cpus", info.getCpuCount())
                .bind("memory", info.getMemoryMb())
                .bind("disk", info.getDiskFreeMb())
                .execute());
    }
}
