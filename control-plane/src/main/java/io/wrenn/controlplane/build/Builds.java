package io.wrenn.controlplane.build;

import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.host.HostStore;
import io.wrenn.controlplane.sandbox.FileTransfer;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.template.SnapshotService;
import io.wrenn.controlplane.template.TemplateStore;
import java.nio.file.Path;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;

/** Template builds wired together: the service the routes use, and the queue's workers. */
public final class Builds implements AutoCloseable {

    private final BuildService service;
    private final BuildWorkers workers;

    public Builds(Jdbi jdbi, SandboxService sandboxes, SnapshotService snapshots, TemplateStore templates, HostStore hosts,
                  HostAgents agents, Path filesDir, int perHost, io.wrenn.controlplane.team.QuotaStore quotas) {
        BuildStore store = new BuildStore(jdbi);
        BuildFiles files = new BuildFiles(filesDir, store, ArchiveNormalizer.Limits.defaults());
        FileTransfer transfer = new FileTransfer(sandboxes, agents, sandboxes.limits().maxUploadBytes());
        BuildRunner runner = new BuildRunner(store, sandboxes, snapshots, templates, hosts, agents, files, transfer, Clock.systemUTC());
        this.workers = new BuildWorkers(store, runner, sandboxes, hosts, perHost);
        this.service = new BuildService(store, files, workers, templates, sandboxes, quotas);
    }

    public BuildService service() {
        return service;
    }

    public BuildRoutes routes() {
        return new BuildRoutes(service);
    }

    public void start() {
        workers.start();
    }

    @Override
    public void close() {
        workers.close();
    }
}
