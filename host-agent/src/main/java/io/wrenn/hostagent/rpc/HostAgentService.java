package io.wrenn.hostagent.rpc;

import io.grpc.stub.StreamObserver;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.metrics.AgentMeters;
import io.wrenn.hostagent.metrics.AgentMetrics;
import io.wrenn.hostagent.metrics.Sample;
import io.wrenn.hostagent.metrics.SampleLog;
import io.wrenn.hostagent.protocol.*;
import io.wrenn.hostagent.protocol.CreateSandboxRequest;
import io.wrenn.hostagent.protocol.CreateImageRequest;
import io.wrenn.hostagent.protocol.CreateSnapshotRequest;
import io.wrenn.hostagent.protocol.DeleteTemplateRequest;
import io.wrenn.hostagent.protocol.DeleteTemplateResponse;
import io.wrenn.hostagent.protocol.PauseSandboxRequest;
import io.wrenn.hostagent.protocol.ResumeSandboxRequest;
import io.wrenn.hostagent.protocol.DestroySandboxRequest;
import io.wrenn.hostagent.protocol.DestroySandboxResponse;
import io.wrenn.hostagent.protocol.ExecEvent;
import io.wrenn.hostagent.protocol.ExecRequest;
import io.wrenn.hostagent.protocol.GetHostInfoRequest;
import io.wrenn.hostagent.protocol.HostAgentGrpc;
import io.wrenn.hostagent.protocol.HostInfo;
import io.wrenn.hostagent.protocol.ListSandboxesRequest;
import io.wrenn.hostagent.protocol.ListSandboxesResponse;
import io.wrenn.hostagent.protocol.ReadFileRequest;
import io.wrenn.hostagent.protocol.ReadFileResponse;
import io.wrenn.hostagent.protocol.SandboxState;
import io.wrenn.hostagent.protocol.TemplateImage;
import io.wrenn.hostagent.protocol.WriteFileRequest;
import io.wrenn.hostagent.protocol.WriteFileResponse;
import io.wrenn.hostagent.sandbox.Sandbox;
import io.wrenn.hostagent.sandbox.SandboxManager;
import io.wrenn.hostagent.sandbox.SandboxRecord;
import io.wrenn.hostagent.sandbox.SandboxSpec;
import io.wrenn.hostagent.net.NetworkPolicy;
import io.wrenn.hostagent.protocol.GetSandboxNetworkRequest;
import io.wrenn.hostagent.protocol.SandboxNetwork;
import io.wrenn.hostagent.protocol.SetSandboxNetworkRequest;
import io.wrenn.hostagent.sandbox.Template;
import io.wrenn.hostagent.sandbox.TemplateCatalog;
import java.util.concurrent.ScheduledExecutorService;

/** The gRPC face of the host agent: translates messages and statuses, the work is elsewhere. */
public final class HostAgentService extends HostAgentGrpc.HostAgentImplBase {

    private final String version;
    private final Layout layout;
    private final SandboxManager manager;
    private final TemplateCatalog templates;
    private final ExecHandler exec;
    private final WriteFileHandler writeFile;
    private final ReadFileHandler readFile;
    private final ProcessHandler processes;
    private final FilesystemHandler filesystem;
    private final java.util.function.IntSupplier trafficPort;
    private final java.util.function.IntSupplier tunnelPort;
    private final AgentMetrics metrics;

    public HostAgentService(String version, Layout layout, SandboxManager manager, TemplateCatalog templates,
            ScheduledExecutorService timers, java.util.function.IntSupplier trafficPort, java.util.function.IntSupplier tunnelPort, AgentMetrics metrics) {
        this.version = version;
        this.metrics = metrics;
        this.trafficPort = trafficPort;
        this.tunnelPort = tunnelPort;
        this.layout = layout;
        this.manager = manager;
        this.templates = templates;
        this.exec = new ExecHandler(manager, timers);
        this.writeFile = new WriteFileHandler(manager);
        this.readFile = new ReadFileHandler(manager);
        this.processes = new ProcessHandler(manager, timers);
        this.filesystem = new FilesystemHandler(manager);
    }

    @Override
    public void getHostInfo(GetHostInfoRequest request, StreamObserver<HostInfo> observer) {
        unary(observer, () -> {
            HostInfo.Builder info = HostInfo.newBuilder()
                    .setVersion(version)
                    .setAccelerator(manager.accelerator().wireName())
                    .setCpuCount(HostFacts.cpuCount())
                    .setMemoryMb(HostFacts.memoryMb())
                    .setDiskFreeMb(HostFacts.diskFreeMb(layout.sandboxesDir()))
                    .setTrafficPort(trafficPort.getAsInt())
                    .setTrafficTunnelPort(tunnelPort.getAsInt())
                    .setMetricsPort(metrics.port());
            for (Template template : templates.all()) {
                info.addTemplates(toProto(template));
            }
            return info.build();
        });
    }

    @Override
    public void createSandbox(CreateSandboxRequest request, StreamObserver<io.wrenn.hostagent.protocol.Sandbox> observer) {
        AgentMeters.Operation asked = templates.find(request.getTemplateTeamId(), request.getTemplateName())
                .filter(Template::isSnapshot).isPresent() ? AgentMeters.Operation.CREATE_SNAPSHOT : AgentMeters.Operation.CREATE_COLD;
        unary(observer, () -> {
            long start = System.nanoTime();
            AgentMeters.Operation operation = asked;
            boolean ok = false;
            try {
                Sandbox created = manager.create(new SandboxSpec(
                        request.getSandboxId(), request.getTeamId(), request.getTemplateTeamId(), request.getTemplateName(),
                        request.getVcpus(), request.getMemoryMb(), request.getDiskSizeMb(), request.getTimeoutS(),
                        request.getEnvMap(), onTimeout(request.getOnTimeout()),
                        request.hasNetwork() ? policy(request.getNetwork()) : NetworkPolicy.OPEN), request.getEnvdAccessToken());
                // An image's create that a warm snapshot served is timed apart from cold boots.
                if (created.startedFrom() == Sandbox.StartedFrom.WARM) {
                    operation = AgentMeters.Operation.CREATE_WARM;
                }
                ok = true;
                return toProto(created);
            } finally {
                metrics.meters().record(operation, ok, java.time.Duration.ofNanos(System.nanoTime() - start));
            }
        });
    }

    private static NetworkPolicy policy(io.wrenn.hostagent.protocol.NetworkPolicy wire) {
        try {
            return new NetworkPolicy(wire.getAllowInternetAccess(), wire.getAllowOutList(), wire.getDenyOutList());
        } catch (IllegalArgumentException e) {
            throw Statuses.invalid("network: " + e.getMessage());
        }
    }

    private static io.wrenn.hostagent.protocol.NetworkPolicy toProto(NetworkPolicy policy) {
        return io.wrenn.hostagent.protocol.NetworkPolicy.newBuilder().setAllowInternetAccess(policy.allowInternet())
                .addAllAllowOut(policy.allowOut()).addAllDenyOut(policy.denyOut()).build();
    }

    @Override
    public void setSandboxNetwork(SetSandboxNetworkRequest request, StreamObserver<SandboxNetwork> observer) {
        unary(observer, () -> {
            var sandbox = manager.setNetworkPolicy(request.getSandboxId(), policy(request.getNetwork()));
            return SandboxNetwork.newBuilder().setNetwork(toProto(sandbox.record().spec().network()))
                    .setDeniedConnections(manager.deniedConnections(request.getSandboxId())).build();
        });
    }

    @Override
    public void getSandboxNetwork(GetSandboxNetworkRequest request, StreamObserver<SandboxNetwork> observer) {
        unary(observer, () -> {
            NetworkPolicy policy = manager.networkPolicy(request.getSandboxId());
            return SandboxNetwork.newBuilder().setNetwork(toProto(policy))
                    .setDeniedConnections(manager.deniedConnections(request.getSandboxId())).build();
        });
    }

    private static SandboxSpec.OnTimeout onTimeout(io.wrenn.hostagent.protocol.OnTimeout value) {
        return switch (value) {
            case ON_TIMEOUT_UNSPECIFIED, ON_TIMEOUT_DESTROY -> SandboxSpec.OnTimeout.DESTROY;
            case ON_TIMEOUT_PAUSE -> SandboxSpec.OnTimeout.PAUSE;
            case ON_TIMEOUT_PAUSE_FILESYSTEM -> SandboxSpec.OnTimeout.PAUSE_FILESYSTEM;
            case UNRECOGNIZED -> throw Statuses.invalid("on_timeout: a value this host agent does not know");
        };
    }

    private static io.wrenn.hostagent.protocol.OnTimeout toProto(SandboxSpec.OnTimeout value) {
        return switch (value) {
            case DESTROY -> io.wrenn.hostagent.protocol.OnTimeout.ON_TIMEOUT_DESTROY;
            case PAUSE -> io.wrenn.hostagent.protocol.OnTimeout.ON_TIMEOUT_PAUSE;
            case PAUSE_FILESYSTEM -> io.wrenn.hostagent.protocol.OnTimeout.ON_TIMEOUT_PAUSE_FILESYSTEM;
        };
    }

    @Override
    public void pauseSandbox(PauseSandboxRequest request, StreamObserver<io.wrenn.hostagent.protocol.Sandbox> observer) {
        unary(observer, () -> toProto(metrics.meters().timed(AgentMeters.Operation.PAUSE,
                () -> manager.pause(request.getSandboxId(), !request.getDropMemory()))));
    }

    @Override
    public void resumeSandbox(ResumeSandboxRequest request, StreamObserver<io.wrenn.hostagent.protocol.Sandbox> observer) {
        unary(observer, () -> toProto(metrics.meters().timed(AgentMeters.Operation.RESUME,
                () -> manager.resume(request.getSandboxId(), request.getGeneration(), request.getTimeoutS(),
                        request.getReboot(), request.getEnvdAccessToken()))));
    }

    @Override
    public void rotateAccessToken(io.wrenn.hostagent.protocol.RotateAccessTokenRequest request,
            StreamObserver<io.wrenn.hostagent.protocol.Sandbox> observer) {
        unary(observer, () -> toProto(manager.rotateAccessToken(request.getSandboxId(), request.getEnvdAccessToken())));
    }

    @Override
    public void createSnapshot(CreateSnapshotRequest request, StreamObserver<TemplateImage> observer) {
        unary(observer, () -> toProto(metrics.meters().timed(AgentMeters.Operation.SNAPSHOT,
                () -> manager.snapshot(request.getSandboxId(), request.getTeamId(), request.getName(),
                        new io.wrenn.hostagent.sandbox.GuestDefaults(request.getDefaultUser(), request.getDefaultWorkdir(),
                                request.getDefaultEnvMap())))));
    }

    @Override
    public void createImage(CreateImageRequest request, StreamObserver<TemplateImage> observer) {
        unary(observer, () -> toProto(manager.makeImage(request.getSandboxId(), request.getTeamId(), request.getName(),
                request.getDefaultUser(), request.getDefaultWorkdir(), request.getDefaultEnvMap())));
    }

    @Override
    public void deleteTemplate(DeleteTemplateRequest request, StreamObserver<DeleteTemplateResponse> observer) {
        unary(observer, () -> {
            manager.deleteTemplate(request.getTeamId(), request.getName());
            return DeleteTemplateResponse.getDefaultInstance();
        });
    }

    @Override
    public void setSandboxTimeout(SetSandboxTimeoutRequest request, StreamObserver<io.wrenn.hostagent.protocol.Sandbox> observer) {
        unary(observer, () -> toProto(manager.setTimeout(request.getSandboxId(), request.getTimeoutS())));
    }

    @Override
    public void destroySandbox(DestroySandboxRequest request, StreamObserver<DestroySandboxResponse> observer) {
        unary(observer, () -> {
            manager.destroy(request.getSandboxId());
            return DestroySandboxResponse.getDefaultInstance();
        });
    }

    @Override
    public void listSandboxes(ListSandboxesRequest request, StreamObserver<ListSandboxesResponse> observer) {
        unary(observer, () -> {
            ListSandboxesResponse.Builder response = ListSandboxesResponse.newBuilder();
            manager.list().forEach(s -> response.addSandboxes(toProto(s)));
            return response.build();
        });
    }

    @Override
    public void exec(ExecRequest request, StreamObserver<ExecEvent> observer) {
        exec.exec(request, observer);
    }

    @Override
    public StreamObserver<WriteFileRequest> writeFile(StreamObserver<WriteFileResponse> observer) {
        return writeFile.writeFile(observer);
    }

    @Override
    public void readFile(ReadFileRequest request, StreamObserver<ReadFileResponse> observer) {
        readFile.readFile(request, observer);
    }

    @Override
    public StreamObserver<ProcessClientMessage> process(StreamObserver<ProcessServerMessage> observer) {
        return processes.process(observer);
    }

    @Override
    public void listProcesses(ListProcessesRequest request, StreamObserver<ListProcessesResponse> observer) {
        unary(observer, () -> processes.list(request));
    }

    @Override
    public void signalProcess(SignalProcessRequest request, StreamObserver<SignalProcessResponse> observer) {
        unary(observer, () -> processes.signal(request));
    }

    @Override
    public void statPath(PathRequest request, StreamObserver<FileEntry> observer) {
        unary(observer, () -> filesystem.stat(request));
    }

    @Override
    public void listDir(ListDirRequest request, StreamObserver<ListDirResponse> observer) {
        unary(observer, () -> filesystem.listDir(request));
    }

    @Override
    public void makeDir(PathRequest request, StreamObserver<FileEntry> observer) {
        unary(observer, () -> filesystem.makeDir(request));
    }

    @Override
    public void removePath(PathRequest request, StreamObserver<RemovePathResponse> observer) {
        unary(observer, () -> filesystem.remove(request));
    }

    @Override
    public void movePath(MovePathRequest request, StreamObserver<FileEntry> observer) {
        unary(observer, () -> filesystem.move(request));
    }

    @Override
    public void watchDir(WatchDirRequest request, StreamObserver<WatchDirEvent> observer) {
        filesystem.watch(request, observer);
    }

    /** The samples waiting since the reader's last one; at most 5,000 per call. */
    @Override
    public void readMetrics(ReadMetricsRequest request, StreamObserver<ReadMetricsResponse> observer) {
        unary(observer, () -> {
            int limit = request.getLimit() == 0 ? 5000 : Math.min(request.getLimit(), 5000);
            SampleLog.Batch batch = metrics.samples().read(request.getEpoch(), request.getAfterSequence(), limit);
            ReadMetricsResponse.Builder response = ReadMetricsResponse.newBuilder()
                    .setEpoch(batch.epoch())
                    .setMore(batch.more());
            for (Sample sample : batch.samples()) {
                response.addSamples(MetricSample.newBuilder()
                        .setSequence(sample.sequence())
                        .setSandboxId(sample.sandboxId())
                        .setTeamId(sample.teamId())
                        .setAtMs(sample.atMs())
                        .setVcpus(sample.vcpus())
                        .setCpuPct(sample.cpuPct())
                        .setMemUsedBytes(sample.memUsedBytes())
                        .setMemTotalBytes(sample.memTotalBytes())
                        .setDiskUsedBytes(sample.diskUsedBytes())
                        .setDiskTotalBytes(sample.diskTotalBytes())
                        .setNetRxBytes(sample.netRxBytes())
                        .setNetTxBytes(sample.netTxBytes()));
            }
            return response.build();
        });
    }

    @Override
    public void readConsole(ReadConsoleRequest request, StreamObserver<ReadConsoleResponse> observer) {
        unary(observer, () -> {
            var tail = manager.console(request.getSandboxId(), request.getMaxBytes());
            return ReadConsoleResponse.newBuilder().setText(tail.text()).setTruncated(tail.truncated()).build();
        });
    }

    static TemplateImage toProto(Template template) {
        TemplateImage.Builder image = TemplateImage.newBuilder()
                .setTeamId(template.teamId())
                .setName(template.name())
                .setImageSizeMb((int) template.imageSizeMb())
                .setDiskSizeMb((int) template.minDiskSizeMb())
                .setSizeBytes(template.sizeBytes())
                .setType(template.type())
                .setMade(template.made())
                .setCreatedAtMs(template.createdAtMs())
                .setDefaultUser(template.defaultUser())
                .setDefaultWorkdir(template.defaultWorkdir())
                .putAllDefaultEnv(template.defaultEnv());
        if (template.isSnapshot()) {
            image.setVcpus(template.snapshot().vcpus()).setMemoryMb(template.snapshot().memoryMb());
        }
        return image.build();
    }

    private io.wrenn.hostagent.protocol.Sandbox toProto(Sandbox sandbox) {
        SandboxRecord record = sandbox.record();
        SandboxSpec spec = record.spec();
        return io.wrenn.hostagent.protocol.Sandbox.newBuilder()
                .setSandboxId(spec.sandboxId())
                .setTeamId(spec.teamId())
                .setState(switch (sandbox.state()) {
                    case STARTING -> SandboxState.SANDBOX_STATE_STARTING;
                    case RUNNING -> SandboxState.SANDBOX_STATE_RUNNING;
                    case STOPPING -> SandboxState.SANDBOX_STATE_STOPPING;
                    case STOPPED -> SandboxState.SANDBOX_STATE_STOPPED;
                    case PAUSING -> SandboxState.SANDBOX_STATE_PAUSING;
                    case PAUSED -> SandboxState.SANDBOX_STATE_PAUSED;
                    case RESUMING -> SandboxState.SANDBOX_STATE_RESUMING;
                })
                .setTemplateTeamId(spec.templateTeamId())
                .setTemplateName(spec.templateName())
                .setVcpus(spec.vcpus())
                .setMemoryMb(spec.memoryMb())
                .setDiskSizeMb(spec.diskSizeMb())
                .setStartedAtMs(record.startedAtMs())
                .setExpiresAtMs(record.expiresAtMs())
                .setBootMs(record.bootMs())
                .setPauseGeneration(record.pauseGeneration())
                .setOnTimeout(toProto(spec.onTimeout()))
                .setPausedWithoutMemory(manager.pausedWithoutMemory(sandbox))
                .setEnvdVersion(sandbox.state() == Sandbox.State.RUNNING && sandbox.envdVersion() != null ? sandbox.envdVersion() : "")
                .setStartedFrom(sandbox.startedFrom() == null ? "" : sandbox.startedFrom().name().toLowerCase(java.util.Locale.ROOT))
                .build();
    }

    /** Runs a unary call on the calling (virtual) thread and maps failures to statuses. */
    private static <T> void unary(StreamObserver<T> observer, java.util.function.Supplier<T> work) {
        T result;
        try {
            result = work.get();
        } catch (RuntimeException e) {
            observer.onError(Statuses.toStatus(e));
            return;
        }
        observer.onNext(result);
        observer.onCompleted();
    }
}
