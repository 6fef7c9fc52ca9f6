package io.wrenn.hostagent.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.HostAgentServer;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.protocol.CreateSandboxRequest;
import io.wrenn.hostagent.protocol.ExecEvent;
import io.wrenn.hostagent.protocol.ExecRequest;
import io.wrenn.hostagent.protocol.HostAgentGrpc;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A host agent on a throw-away home with the shared image cache, and a gRPC client of it.
 * Tests that use it are skipped when not root or when the images are not built yet.
 */
class AgentFixture implements AutoCloseable {

    static final Path IMAGES = Path.of(System.getenv().getOrDefault("WRENN_IMAGES", "/root/.wrenn/images"));
    static final String SECRET = "test-secret-" + UUID.randomUUID();

    final Path home;
    final Path images;
    HostAgentServer server;
    ManagedChannel channel;
    HostAgentGrpc.HostAgentBlockingStub stub;
    HostAgentGrpc.HostAgentStub asyncStub;

    static void assumeVmsPossible() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (namespaces, taps)");
        Layout layout = Layout.of(Path.of("/nonexistent"), IMAGES);
        assumeTrue(Files.isRegularFile(layout.kernelImage()) && Files.isRegularFile(layout.initrdImage()),
                "no guest kernel in " + IMAGES + " yet (images/build.sh)");
        assumeTrue(Files.isRegularFile(layout.templateRootfs(Layout.PLATFORM_TEAM, "minimal")),
                "no minimal template in " + IMAGES + " yet (images/build.sh)");
    }

    AgentFixture(Path home) {
        this(home, IMAGES);
    }

    /** An agent whose images are {@code images} instead of the shared cache. */
    AgentFixture(Path home, Path images) {
        this.home = home;
        this.images = images;
    }

    /** Warm starts as the environment says ({@code WRENN_WARM_STARTS}), unless a test chose. */
    private Boolean warmStarts;

    /**
     * Whether the agent restores creates of platform images from their warm snapshots; tests of
     * what a cold boot does turn them off.
     */
    AgentFixture warmStarts(boolean value) {
        warmStarts = value;
        return this;
    }

    HostAgentConfig config(HostAgentConfig.ShutdownPolicy policy) {
        HostAgentConfig config = HostAgentConfig.defaults(Layout.of(home, images), SECRET)
                .withAccelerator(HostAgentConfig.AcceleratorChoice.TCG)
                .withShutdownPolicy(policy)
                .withBoot(Duration.ofSeconds(25), 3);
        return warmStarts == null ? config : config.withWarmStarts(warmStarts);
    }

    AgentFixture start(HostAgentConfig.ShutdownPolicy policy) {
        return start(new HostAgentServer(config(policy)));
    }

    /** Starts {@code unstarted} (prepared by the caller) and connects to it. */
    AgentFixture start(HostAgentServer unstarted) {
        server = unstarted.start();
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + SECRET);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .intercept(MetadataUtils.newAttachHeadersInterceptor(headers)).build();
        stub = HostAgentGrpc.newBlockingStub(channel);
        asyncStub = HostAgentGrpc.newStub(channel);
        return this;
    }

    /** Closes the client and the server (the server's policy decides what happens to VMs). */
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
            channel = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    static CreateSandboxRequest.Builder minimal(String id) {
        return CreateSandboxRequest.newBuilder()
                .setSandboxId(id)
                .setTeamId(UUID.randomUUID().toString())
                .setTemplateTeamId(Layout.PLATFORM_TEAM)
                .setTemplateName("minimal")
                .setVcpus(1)
                .setMemoryMb(256)
                .setDiskSizeMb(1024);
    }

    /** The collected result of one exec. */
    record ExecResult(String stdout, String stderr, ExecEvent.Exited exited, boolean started) {
    }

    ExecResult exec(ExecRequest request) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExecEvent.Exited exited = null;
        boolean started = false;
        Iterator<ExecEvent> events = stub.withDeadlineAfter(2, TimeUnit.MINUTES).exec(request);
        while (events.hasNext()) {
            ExecEvent event = events.next();
            switch (event.getEventCase()) {
                case STARTED -> started = true;
                case STDOUT -> out.writeBytes(event.getStdout().toByteArray());
                case STDERR -> err.writeBytes(event.getStderr().toByteArray());
                case EXITED -> exited = event.getExited();
                case EVENT_NOT_SET -> { }
            }
        }
        return new ExecResult(out.toString(), err.toString(), exited, started);
    }

    /** Uploads {@code content} in 100 kB messages; the future holds the answer or the failure. */
    java.util.concurrent.CompletableFuture<io.wrenn.hostagent.protocol.WriteFileResponse> writeFile(
            String sandboxId, String path, byte[] content) {
        var done = new java.util.concurrent.CompletableFuture<io.wrenn.hostagent.protocol.WriteFileResponse>();
        var upload = asyncStub.writeFile(new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(io.wrenn.hostagent.protocol.WriteFileResponse value) {
                done.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        upload.onNext(io.wrenn.hostagent.protocol.WriteFileRequest.newBuilder().setHeader(
                io.wrenn.hostagent.protocol.WriteFileHeader.newBuilder().setSandboxId(sandboxId).setPath(path)).build());
        for (int offset = 0; offset < content.length; offset += 100_000) {
            int n = Math.min(100_000, content.length - offset);
            upload.onNext(io.wrenn.hostagent.protocol.WriteFileRequest.newBuilder()
                    .setData(com.google.protobuf.ByteString.copyFrom(content, offset, n)).build());
        }
        upload.onCompleted();
        return done;
    }

    /** The output of a shell script that must succeed (its stderr says why when it does not). */
    String stdoutOf(String sandboxId, String script) {
        ExecResult result = sh(sandboxId, script);
        org.assertj.core.api.Assertions.assertThat(result.exited().getExitCode()).as(result.stderr()).isZero();
        return result.stdout().strip();
    }

    ExecResult sh(String sandboxId, String script) {
        return exec(ExecRequest.newBuilder().setSandboxId(sandboxId).setCmd("/bin/sh").addArgs("-c").addArgs(script).build());
    }
}
