package io.wrenn.controlplane.testing;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.wrenn.hostagent.protocol.CreateSandboxRequest;
import io.wrenn.hostagent.protocol.DestroySandboxRequest;
import io.wrenn.hostagent.protocol.DestroySandboxResponse;
import io.wrenn.hostagent.protocol.ExecEvent;
import io.wrenn.hostagent.protocol.ExecRequest;
import io.wrenn.hostagent.protocol.FileInfo;
import io.wrenn.hostagent.protocol.GetHostInfoRequest;
import io.wrenn.hostagent.protocol.HostAgentGrpc;
import io.wrenn.hostagent.protocol.HostInfo;
import io.wrenn.hostagent.protocol.ListSandboxesRequest;
import io.wrenn.hostagent.protocol.ListSandboxesResponse;
import io.wrenn.hostagent.protocol.ReadFileRequest;
import io.wrenn.hostagent.protocol.ReadFileResponse;
import io.wrenn.hostagent.protocol.Sandbox;
import io.wrenn.hostagent.protocol.SandboxState;
import io.wrenn.hostagent.protocol.TemplateImage;
import io.wrenn.hostagent.protocol.WriteFileHeader;
import io.wrenn.hostagent.protocol.WriteFileRequest;
import io.wrenn.hostagent.protocol.WriteFileResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory host agent speaking the real gRPC contract over an in-process channel. Its
 * "guest" runs a few scripted programs (see {@link #exec}) and keeps files in a map.
 */
public final class FakeHostAgent extends HostAgentGrpc.HostAgentImplBase implements AutoCloseable {

    public static final String SECRET = "test-secret";
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /**
     * Stands for the agent's traffic listener: a port in {@link #closedPorts} gets the listener's
     * own marked 502 (nothing listens there); any other port answers as the sandbox's server would,
     * with 502 for {@code /fail} and 200 otherwise.
     */
    private final com.sun.net.httpserver.HttpServer traffic = trafficListener();
    public final java.util.Set<Integer> closedPorts = ConcurrentHashMap.newKeySet();
    /** An address as a real agent's (host:port, the port unique), so the control plane's traffic route can reach {@link #traffic}. */
    private final String name = "127.0.0.1:" + traffic.getAddress().getPort();
    private final Server server;
    /** The host's view: every sandbox it has. */
    public final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
    /** Files per sandbox id, by path. */
    public final Map<String, Map<String, byte[]>> files = new ConcurrentHashMap<>();
    public final List<CreateSandboxRequest> creates = new CopyOnWriteArrayList<>();
    public final List<ExecRequest> execs = new CopyOnWriteArrayList<>();
    public final List<String> destroyed = new CopyOnWriteArrayList<>();
    /** Templates removed by DeleteTemplate, as {@code team-uuid/name}. */
    public final List<String> deletedTemplates = new CopyOnWriteArrayList<>();
    /** Largest data message seen by WriteFile: proves uploads arrive in chunks. */
    public volatile int largestWriteChunk;
    /** Names of the platform templates this host has images of. */
    public final java.util.Set<String> templates = ConcurrentHashMap.newKeySet();
    /** When true every call fails with UNAVAILABLE, as an unreachable host would. */
    public volatile boolean down;
    /** When set, CreateSandbox waits for it before answering (a slow boot). */
    public volatile java.util.concurrent.CountDownLatch createGate;
    /** When set, CreateSandbox fails with this status. */
    public volatile Status failCreate;
    /** When set, PauseSandbox waits for it to open (after recording the call in {@link #pauseCalls}). */
    public volatile java.util.concurrent.CountDownLatch pauseGate;
    /** When set, PauseSandbox and ResumeSandbox fail with this status and change nothing. */
    public volatile Status failPauseAndResume;
    /** Snapshot templates this host keeps, by {@code team-uuid/name}; GetHostInfo lists them. */
    public final Map<String, TemplateImage> snapshots = new ConcurrentHashMap<>();
    /** CreateSnapshot requests as they arrive, before any gate or failure. */
    public final List<io.wrenn.hostagent.protocol.CreateSnapshotRequest> snapshotCalls = new CopyOnWriteArrayList<>();
    /** When set, CreateSnapshot waits for it before doing anything (a slow snapshot). */
    public volatile java.util.concurrent.CountDownLatch snapshotGate;
    /** When set, CreateSnapshot fails with this status without making the snapshot. */
    public volatile Status failSnapshot;
    /** When set, CreateSnapshot makes the snapshot and then answers with this status (a lost answer). */
    public volatile Status loseSnapshotAnswer;

    public FakeHostAgent() {
        templates.add("minimal");
        templates.add("debian");
        ServerInterceptor auth = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                if (!("Bearer " + SECRET).equals(headers.get(AUTHORIZATION))) {
                    call.close(Status.UNAUTHENTICATED.withDescription("bad secret"), new Metadata());
                    return new ServerCall.Listener<>() {
                    };
                }
                if (down) {
                    call.close(Status.UNAVAILABLE.withDescription("host down"), new Metadata());
                    return new ServerCall.Listener<>() {
                    };
                }
                return next.startCall(call, headers);
            }
        };
        try {
            server = InProcessServerBuilder.forName(name)
                    .addService(ServerInterceptors.intercept(this, auth)).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The headers of the last request that reached a sandbox through {@link #traffic}. */
    public volatile com.sun.net.httpserver.Headers lastTrafficHeaders;

    private com.sun.net.httpserver.HttpServer trafficListener() {
        try {
            var listener = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 16);
            listener.createContext("/", exchange -> {
                try (exchange) {
                    exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
                    lastTrafficHeaders = exchange.getRequestHeaders();
                    if (exchange.getRequestURI().getPath().equals("/cookies")) {
                        // A sandbox's server that sets cookies and opens itself to every origin.
                        exchange.getResponseHeaders().add("Set-Cookie", "session=from-the-guest; Path=/");
                        exchange.getResponseHeaders().add("Access-Control-Allow-Origin", "*");
                        exchange.getResponseHeaders().add("Access-Control-Allow-Credentials", "true");
                    }
                    if (exchange.getRequestURI().getPath().equals("/hold")) {
                        // A long stream (a command's output): one message, then silence for 30 s.
                        exchange.sendResponseHeaders(200, 0);
                        exchange.getResponseBody().write("started\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        exchange.getResponseBody().flush();
                        try {
                            Thread.sleep(30_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return;
                    }
                    int port = Integer.parseInt(exchange.getRequestHeaders().getFirst(io.wrenn.hostagent.protocol.TrafficHeaders.SANDBOX_PORT));
                    byte[] body;
                    int status;
                    if (closedPorts.contains(port)) {
                        exchange.getResponseHeaders().set(io.wrenn.hostagent.protocol.TrafficHeaders.ERROR, "port_not_open");
                        body = "{\"code\":\"port_not_open\",\"message\":\"nothing answered\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        status = 502;
                    } else {
                        status = exchange.getRequestURI().getPath().equals("/fail") ? 502 : 200;
                        body = (status == 502 ? "the user's server failed" : "from the sandbox").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    }
                    exchange.sendResponseHeaders(status, body.length);
                    exchange.getResponseBody().write(body);
                }
            });
            // A held stream must not hold up other requests.
            listener.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            listener.start();
            return listener;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The address to register with the control plane. */
    public String address() {
        return name;
    }

    public static ManagedChannel channel(String address) {
        return InProcessChannelBuilder.forName(address).build();
    }

    /** Makes the VM of {@code sandboxId} vanish, as if its QEMU was killed and cleaned up. */
    public void vanish(UUID sandboxId) {
        sandboxes.remove(sandboxId.toString());
    }

    /** The host's size as it reports it: admission budgets follow from these. */
    public volatile int cpuCount = 16;
    public volatile long memoryMb = 24_000;
    public volatile long diskFreeMb = 1_000_000;

    @Override
    public void getHostInfo(GetHostInfoRequest request, StreamObserver<HostInfo> response) {
        String platform = new UUID(0, 0).toString();
        HostInfo.Builder info = HostInfo.newBuilder()
                .setVersion("fake")
                .setAccelerator("tcg")
                .setCpuCount(cpuCount)
                .setMemoryMb(memoryMb)
                .setDiskFreeMb(diskFreeMb)
                .setTrafficPort(traffic.getAddress().getPort());
        templates.forEach(name -> info.addTemplates(TemplateImage.newBuilder().setTeamId(platform).setName(name)
                .setImageSizeMb(256).setType("image")));
        info.addAllTemplates(snapshots.values());
        response.onNext(info.build());
        response.onCompleted();
    }

    @Override
    public void createSandbox(CreateSandboxRequest request, StreamObserver<Sandbox> response) {
        creates.add(request);
        guestTokens.put(request.getSandboxId(), request.getEnvdAccessToken());
        java.util.concurrent.CountDownLatch gate = createGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failCreate != null) {
            response.onError(failCreate.asRuntimeException());
            return;
        }
        long now = System.currentTimeMillis();
        Sandbox sandbox = Sandbox.newBuilder()
                .setSandboxId(request.getSandboxId())
                .setTeamId(request.getTeamId())
                .setState(SandboxState.SANDBOX_STATE_RUNNING)
                .setTemplateTeamId(request.getTemplateTeamId())
                .setTemplateName(request.getTemplateName())
                .setVcpus(request.getVcpus())
                .setMemoryMb(request.getMemoryMb())
                .setDiskSizeMb(request.getDiskSizeMb())
                .setStartedAtMs(now)
                .setExpiresAtMs(request.getTimeoutS() == 0 ? 0 : now + request.getTimeoutS() * 1000L)
                .setBootMs(42)
                .setEnvdVersion(envdVersion)
                .build();
        sandboxes.put(request.getSandboxId(), sandbox);
        networks.put(request.getSandboxId(), request.getNetwork());
        response.onNext(sandbox);
        response.onCompleted();
    }

    @Override
    public void createSnapshot(io.wrenn.hostagent.protocol.CreateSnapshotRequest request,
                               StreamObserver<io.wrenn.hostagent.protocol.TemplateImage> response) {
        snapshotCalls.add(request);
        java.util.concurrent.CountDownLatch gate = snapshotGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failSnapshot != null) {
            response.onError(failSnapshot.asRuntimeException());
            return;
        }
        Sandbox sandbox = sandboxes.get(request.getSandboxId());
        if (sandbox == null) {
            response.onError(Status.NOT_FOUND.withDescription("no such sandbox").asRuntimeException());
            return;
        }
        TemplateImage image = TemplateImage.newBuilder()
                .setTeamId(request.getTeamId()).setName(request.getName()).setType("snapshot")
                .setVcpus(sandbox.getVcpus()).setMemoryMb(sandbox.getMemoryMb()).setImageSizeMb(256)
                .setDiskSizeMb(sandbox.getDiskSizeMb()).setSizeBytes(1 << 20).setCreatedAtMs(System.currentTimeMillis())
                .build();
        snapshots.put(request.getTeamId() + "/" + request.getName(), image);
        if (loseSnapshotAnswer != null) {
            response.onError(loseSnapshotAnswer.asRuntimeException());
            return;
        }
        response.onNext(image);
        response.onCompleted();
    }

    /** An image of a sandbox's disk: kept with the snapshots (the same store on a real host), marked made. */
    @Override
    public void createImage(io.wrenn.hostagent.protocol.CreateImageRequest request,
                            StreamObserver<io.wrenn.hostagent.protocol.TemplateImage> response) {
        Sandbox sandbox = sandboxes.get(request.getSandboxId());
        if (sandbox == null) {
            response.onError(Status.NOT_FOUND.withDescription("no such sandbox").asRuntimeException());
            return;
        }
        TemplateImage image = TemplateImage.newBuilder()
                .setTeamId(request.getTeamId()).setName(request.getName()).setType("image").setMade(true)
                .setImageSizeMb(sandbox.getDiskSizeMb()).setDiskSizeMb(640).setSizeBytes(1 << 20)
                .setCreatedAtMs(System.currentTimeMillis())
                .setDefaultUser(request.getDefaultUser().isEmpty() ? "user" : request.getDefaultUser())
                .setDefaultWorkdir(request.getDefaultWorkdir().isEmpty() ? "/home/user" : request.getDefaultWorkdir())
                .putAllDefaultEnv(request.getDefaultEnvMap())
                .build();
        snapshots.put(request.getTeamId() + "/" + request.getName(), image);
        response.onNext(image);
        response.onCompleted();
    }

    @Override
    public void deleteTemplate(io.wrenn.hostagent.protocol.DeleteTemplateRequest request,
                               StreamObserver<io.wrenn.hostagent.protocol.DeleteTemplateResponse> response) {
        deletedTemplates.add(request.getTeamId() + "/" + request.getName());
        snapshots.remove(request.getTeamId() + "/" + request.getName());
        response.onNext(io.wrenn.hostagent.protocol.DeleteTemplateResponse.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void pauseSandbox(io.wrenn.hostagent.protocol.PauseSandboxRequest request, StreamObserver<Sandbox> response) {
        pauseCalls.add(request);
        java.util.concurrent.CountDownLatch gate = pauseGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        changeState(request.getSandboxId(), SandboxState.SANDBOX_STATE_RUNNING, SandboxState.SANDBOX_STATE_PAUSED,
                request.getDropMemory(), response);
    }

    /** The envd version the fake guests report. */
    public volatile String envdVersion = "0.6.3";

    /** Every pause and resume asked of this host, in order. */
    public final List<io.wrenn.hostagent.protocol.PauseSandboxRequest> pauseCalls = new CopyOnWriteArrayList<>();
    public final List<io.wrenn.hostagent.protocol.ResumeSandboxRequest> resumeCalls = new CopyOnWriteArrayList<>();

    @Override
    public void resumeSandbox(io.wrenn.hostagent.protocol.ResumeSandboxRequest request, StreamObserver<Sandbox> response) {
        resumeCalls.add(request);
        Sandbox before = sandboxes.get(request.getSandboxId());
        changeState(request.getSandboxId(), SandboxState.SANDBOX_STATE_PAUSED, SandboxState.SANDBOX_STATE_RUNNING, false, response);
        if (before != null && before.getState() == SandboxState.SANDBOX_STATE_PAUSED && failPauseAndResume == null
                && !request.getEnvdAccessToken().isEmpty()) {
            guestTokens.put(request.getSandboxId(), request.getEnvdAccessToken());
        }
    }

    /** The access token each sandbox's guest holds: given at create, resume and rotation. */
    public final Map<String, String> guestTokens = new ConcurrentHashMap<>();
    public final List<io.wrenn.hostagent.protocol.RotateAccessTokenRequest> rotateCalls = new CopyOnWriteArrayList<>();

    @Override
    public void rotateAccessToken(io.wrenn.hostagent.protocol.RotateAccessTokenRequest request, StreamObserver<Sandbox> response) {
        rotateCalls.add(request);
        Sandbox sandbox = sandboxes.get(request.getSandboxId());
        if (sandbox == null) {
            response.onError(Status.NOT_FOUND.withDescription("no such sandbox").asRuntimeException());
            return;
        }
        if (sandbox.getState() != SandboxState.SANDBOX_STATE_RUNNING) {
            response.onError(Status.FAILED_PRECONDITION.withDescription("sandbox is not running").asRuntimeException());
            return;
        }
        guestTokens.put(request.getSandboxId(), request.getEnvdAccessToken());
        response.onNext(sandbox);
        response.onCompleted();
    }

    /** A pause (which counts a new generation) or a resume, refused unless the sandbox is in {@code from}. */
    private void changeState(String sandboxId, SandboxState from, SandboxState to, boolean withoutMemory,
            StreamObserver<Sandbox> response) {
        if (failPauseAndResume != null) {
            response.onError(failPauseAndResume.asRuntimeException());
            return;
        }
        Sandbox sandbox = sandboxes.get(sandboxId);
        if (sandbox == null) {
            response.onError(Status.NOT_FOUND.withDescription("no such sandbox").asRuntimeException());
            return;
        }
        if (sandbox.getState() != from) {
            response.onError(Status.FAILED_PRECONDITION.withDescription("the sandbox is not " + from).asRuntimeException());
            return;
        }
        Sandbox.Builder changed = sandbox.toBuilder().setState(to).setPausedWithoutMemory(withoutMemory);
        if (to == SandboxState.SANDBOX_STATE_PAUSED) {
            changed.setPauseGeneration(sandbox.getPauseGeneration() + 1);
        }
        sandboxes.put(sandboxId, changed.build());
        response.onNext(changed.build());
        response.onCompleted();
    }

    /** The egress policy the host was last given per sandbox (at create or by a live change). */
    public final Map<String, io.wrenn.hostagent.protocol.NetworkPolicy> networks = new ConcurrentHashMap<>();
    /** When set, a network change is refused with this status. */
    public volatile Status failNetwork;

    @Override
    public void setSandboxNetwork(io.wrenn.hostagent.protocol.SetSandboxNetworkRequest request,
            StreamObserver<io.wrenn.hostagent.protocol.SandboxNetwork> response) {
        if (failNetwork != null) {
            response.onError(failNetwork.asRuntimeException());
            return;
        }
        if (!sandboxes.containsKey(request.getSandboxId())) {
            response.onError(Status.NOT_FOUND.withDescription("no such sandbox").asRuntimeException());
            return;
        }
        networks.put(request.getSandboxId(), request.getNetwork());
        response.onNext(io.wrenn.hostagent.protocol.SandboxNetwork.newBuilder().setNetwork(request.getNetwork()).build());
        response.onCompleted();
    }

    @Override
    public void getSandboxNetwork(io.wrenn.hostagent.protocol.GetSandboxNetworkRequest request,
            StreamObserver<io.wrenn.hostagent.protocol.SandboxNetwork> response) {
        var policy = networks.get(request.getSandboxId());
        if (policy == null) {
            response.onError(Status.NOT_FOUND.withDescription("no such sandbox").asRuntimeException());
            return;
        }
        response.onNext(io.wrenn.hostagent.protocol.SandboxNetwork.newBuilder().setNetwork(policy).setDeniedConnections(3).build());
        response.onCompleted();
    }

    /** What each sandbox's guest wrote to its console, by sandbox id (none: an empty console). */
    public final Map<String, String> consoles = new ConcurrentHashMap<>();
    /** Every ReadConsole asked of this host, in order. */
    public final List<io.wrenn.hostagent.protocol.ReadConsoleRequest> consoleReads = new CopyOnWriteArrayList<>();

    /** The console's last {@code max_bytes} characters (the fake's consoles are ASCII), as a host would cut them. */
    @Override
    public void readConsole(io.wrenn.hostagent.protocol.ReadConsoleRequest request,
            StreamObserver<io.wrenn.hostagent.protocol.ReadConsoleResponse> response) {
        consoleReads.add(request);
        if (!sandboxes.containsKey(request.getSandboxId())) {
            response.onError(Status.NOT_FOUND.withDescription("sandbox not found").asRuntimeException());
            return;
        }
        String console = consoles.getOrDefault(request.getSandboxId(), "");
        int keep = Math.min(console.length(), request.getMaxBytes() == 0 ? 64 * 1024 : request.getMaxBytes());
        response.onNext(io.wrenn.hostagent.protocol.ReadConsoleResponse.newBuilder()
                .setText(console.substring(console.length() - keep)).setTruncated(keep < console.length()).build());
        response.onCompleted();
    }

    @Override
    public void setSandboxTimeout(io.wrenn.hostagent.protocol.SetSandboxTimeoutRequest request, StreamObserver<Sandbox> response) {
        Sandbox sandbox = sandboxes.computeIfPresent(request.getSandboxId(), (id, before) -> before.toBuilder()
                .setExpiresAtMs(request.getTimeoutS() == 0 ? 0 : System.currentTimeMillis() + request.getTimeoutS() * 1000L)
                .build());
        if (sandbox == null) {
            response.onError(io.grpc.Status.NOT_FOUND.withDescription("no such sandbox").asRuntimeException());
            return;
        }
        response.onNext(sandbox);
        response.onCompleted();
    }

    @Override
    public void destroySandbox(DestroySandboxRequest request, StreamObserver<DestroySandboxResponse> response) {
        destroyed.add(request.getSandboxId());
        sandboxes.remove(request.getSandboxId());
        files.remove(request.getSandboxId());
        response.onNext(DestroySandboxResponse.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void listSandboxes(ListSandboxesRequest request, StreamObserver<ListSandboxesResponse> response) {
        response.onNext(ListSandboxesResponse.newBuilder().addAllSandboxes(new ArrayList<>(sandboxes.values())).build());
        response.onCompleted();
    }

    /**
     * Programs of the fake guest: {@code echo ARGS…}; {@code exit N}; {@code spew N} (N bytes
     * of 'a' on stdout and on stderr); {@code binary} (bytes that are not UTF-8);
     * {@code sleep} (times out); {@code env NAME} (prints the variable); {@code pwd}.
     */
    @Override
    public void exec(ExecRequest request, StreamObserver<ExecEvent> response) {
        execs.add(request);
        if (!sandboxes.containsKey(request.getSandboxId())) {
            response.onError(Status.NOT_FOUND.withDescription("no such sandbox").asRuntimeException());
            return;
        }
        response.onNext(ExecEvent.newBuilder().setStarted(ExecEvent.Started.newBuilder().setPid(7)).build());
        int exitCode = 0;
        boolean timedOut = false;
        switch (request.getCmd()) {
            case "echo" -> stdout(response, String.join(" ", request.getArgsList()) + "\n");
            case "exit" -> exitCode = Integer.parseInt(request.getArgs(0));
            case "spew" -> {
                int n = Integer.parseInt(request.getArgs(0));
                byte[] chunk = "a".repeat(64 * 1024).getBytes();
                for (int sent = 0; sent < n; sent += chunk.length) {
                    ByteString part = ByteString.copyFrom(chunk, 0, Math.min(chunk.length, n - sent));
                    response.onNext(ExecEvent.newBuilder().setStdout(part).build());
                    response.onNext(ExecEvent.newBuilder().setStderr(part).build());
                }
            }
            case "binary" -> response.onNext(ExecEvent.newBuilder().setStdout(ByteString.copyFrom(new byte[] {(byte) 0xff, 0, (byte) 0xfe})).build());
            case "sleep" -> {
                timedOut = true;
                exitCode = -1;
            }
            case "env" -> stdout(response, request.getEnvOrDefault(request.getArgs(0), ""));
            case "pwd" -> stdout(response, request.getCwd());
            default -> {
                response.onNext(ExecEvent.newBuilder().setExited(ExecEvent.Exited.newBuilder()
                        .setExitCode(-1).setError("executable not found")).build());
                response.onCompleted();
                return;
            }
        }
        response.onNext(ExecEvent.newBuilder().setExited(ExecEvent.Exited.newBuilder()
                .setExitCode(exitCode).setTimedOut(timedOut)).build());
        response.onCompleted();
    }

    private static void stdout(StreamObserver<ExecEvent> response, String text) {
        response.onNext(ExecEvent.newBuilder().setStdout(ByteString.copyFromUtf8(text)).build());
    }

    @Override
    public StreamObserver<WriteFileRequest> writeFile(StreamObserver<WriteFileResponse> response) {
        return new StreamObserver<>() {
            private WriteFileHeader header;
            private final ByteArrayOutputStream data = new ByteArrayOutputStream();
            private boolean failed;

            @Override
            public void onNext(WriteFileRequest message) {
                if (failed) {
                    return;
                }
                if (message.hasHeader()) {
                    header = message.getHeader();
                    if (!sandboxes.containsKey(header.getSandboxId())) {
                        failed = true;
                        response.onError(Status.NOT_FOUND.withDescription("no such sandbox").asRuntimeException());
                    }
                } else {
                    largestWriteChunk = Math.max(largestWriteChunk, message.getData().size());
                    data.writeBytes(message.getData().toByteArray());
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                files.computeIfAbsent(header.getSandboxId(), k -> new ConcurrentHashMap<>()).put(header.getPath(), data.toByteArray());
                response.onNext(WriteFileResponse.newBuilder().setBytesWritten(data.size()).build());
                response.onCompleted();
            }
        };
    }

    @Override
    public void readFile(ReadFileRequest request, StreamObserver<ReadFileResponse> response) {
        byte[] content = files.getOrDefault(request.getSandboxId(), Map.of()).get(request.getPath());
        if (content == null) {
            response.onError(Status.NOT_FOUND.withDescription("no such file: " + request.getPath()).asRuntimeException());
            return;
        }
        response.onNext(ReadFileResponse.newBuilder().setInfo(FileInfo.newBuilder().setSize(content.length)).build());
        // The range asked for, as the real agent serves it: from offset, at most length bytes (0 = to the end).
        int from = (int) Math.min(request.getOffset(), content.length);
        int end = request.getLength() == 0 ? content.length : (int) Math.min(content.length, from + request.getLength());
        int chunk = 64 * 1024;
        for (int offset = from; offset < end; offset += chunk) {
            response.onNext(ReadFileResponse.newBuilder()
                    .setData(ByteString.copyFrom(content, offset, Math.min(chunk, end - offset))).build());
        }
        response.onCompleted();
    }

    /** A file written through {@link #writeFile}; NOT_FOUND for anything else. */
    @Override
    public void statPath(io.wrenn.hostagent.protocol.PathRequest request,
                         StreamObserver<io.wrenn.hostagent.protocol.FileEntry> response) {
        byte[] content = files.getOrDefault(request.getSandboxId(), Map.of()).get(request.getPath());
        if (content == null) {
            response.onError(Status.NOT_FOUND.withDescription("no such file: " + request.getPath()).asRuntimeException());
            return;
        }
        String name = request.getPath().substring(request.getPath().lastIndexOf('/') + 1);
        response.onNext(io.wrenn.hostagent.protocol.FileEntry.newBuilder().setName(name).setPath(request.getPath())
                .setType("file").setSize(content.length).setMode(0644).setOwner("user").setGroup("user").build());
        response.onCompleted();
    }

    /** A directory is made as asked (every directory is empty here). */
    @Override
    public void makeDir(io.wrenn.hostagent.protocol.PathRequest request,
                        StreamObserver<io.wrenn.hostagent.protocol.FileEntry> response) {
        String name = request.getPath().substring(request.getPath().lastIndexOf('/') + 1);
        response.onNext(io.wrenn.hostagent.protocol.FileEntry.newBuilder().setName(name).setPath(request.getPath())
                .setType("dir").setMode(0755).setOwner("user").setGroup("user").build());
        response.onCompleted();
    }

    /** A file written through {@link #writeFile} moves to its new path; NOT_FOUND for anything else. */
    @Override
    public void movePath(io.wrenn.hostagent.protocol.MovePathRequest request,
                         StreamObserver<io.wrenn.hostagent.protocol.FileEntry> response) {
        Map<String, byte[]> ofSandbox = files.getOrDefault(request.getSandboxId(), Map.of());
        byte[] content = ofSandbox.get(request.getSource());
        if (content == null) {
            response.onError(Status.NOT_FOUND.withDescription("no such file: " + request.getSource()).asRuntimeException());
            return;
        }
        ofSandbox.remove(request.getSource());
        ofSandbox.put(request.getDestination(), content);
        String name = request.getDestination().substring(request.getDestination().lastIndexOf('/') + 1);
        response.onNext(io.wrenn.hostagent.protocol.FileEntry.newBuilder().setName(name).setPath(request.getDestination())
                .setType("file").setSize(content.length).setMode(0644).setOwner("user").setGroup("user").build());
        response.onCompleted();
    }

    /** Every directory is empty here. */
    @Override
    public void listDir(io.wrenn.hostagent.protocol.ListDirRequest request,
                        StreamObserver<io.wrenn.hostagent.protocol.ListDirResponse> response) {
        response.onNext(io.wrenn.hostagent.protocol.ListDirResponse.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void close() {
        server.shutdownNow();
        traffic.stop(0);
    }
}
