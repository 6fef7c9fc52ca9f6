package io.wrenn.hostagent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.NetworkSlot;
import io.wrenn.hostagent.net.SandboxNetwork;
import io.wrenn.hostagent.protocol.DestroySandboxRequest;
import io.wrenn.hostagent.protocol.ExecRequest;
import io.wrenn.hostagent.protocol.GetHostInfoRequest;
import io.wrenn.hostagent.protocol.HostInfo;
import io.wrenn.hostagent.protocol.ListSandboxesRequest;
import io.wrenn.hostagent.protocol.ReadFileRequest;
import io.wrenn.hostagent.protocol.ReadFileResponse;
import io.wrenn.hostagent.protocol.Sandbox;
import io.wrenn.hostagent.protocol.SandboxState;
import io.wrenn.hostagent.protocol.WriteFileHeader;
import io.wrenn.hostagent.protocol.WriteFileRequest;
import io.wrenn.hostagent.protocol.WriteFileResponse;
import io.wrenn.hostagent.sandbox.SandboxRecord;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The host agent end to end with real VMs (QEMU TCG here), driven through its gRPC API. VMs are
 * booted sparingly: one sandbox serves most assertions, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("vm")
class SandboxLifecycleTest {

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    static Path home;

    private AgentFixture agent;
    private final String id = UUID.randomUUID().toString();
    private Sandbox created;

    @BeforeAll
    void startAgent() {
        AgentFixture.assumeVmsPossible();
        // Closing this agent leaves VMs running (the restart test needs that); @AfterAll destroys them.
        // Cold boots only: this class is about what booting an image does (disks, sizes, the boot itself).
        agent = new AgentFixture(home).warmStarts(false).start(HostAgentConfig.ShutdownPolicy.LEAVE_RUNNING);
    }

    @AfterAll
    void stopAgent() throws Exception {
        if (agent != null) {
            // A fresh agent with the destroy policy removes whatever a failed test left behind.
            agent.stop();
            try (AgentFixture cleaner = new AgentFixture(home).warmStarts(false).start(HostAgentConfig.ShutdownPolicy.DESTROY_VMS)) {
                cleaner.server.sandboxes().list().forEach(s -> cleaner.server.sandboxes().destroy(s.id()));
            }
        }
    }

    private Layout layout() {
        return Layout.of(home, AgentFixture.IMAGES);
    }

    private long pidOf(String sandboxId) throws Exception {
        return Long.parseLong(Files.readString(layout().sandboxPidFile(sandboxId)).strip());
    }

    private static boolean namespaceExists(String sandboxId) {
        return Files.exists(Path.of("/run/netns", SandboxNetwork.namespaceName(sandboxId)));
    }

    private List<String> listedIds() {
        return agent.stub.listSandboxes(ListSandboxesRequest.getDefaultInstance()).getSandboxesList().stream()
                .map(Sandbox::getSandboxId).toList();
    }

    @Test
    @Order(1)
    void rejectsCallsWithoutTheSecret() {
        var unauthenticated = io.wrenn.hostagent.protocol.HostAgentGrpc.newBlockingStub(
                io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", agent.server.port())
                        .usePlaintext().build());
        assertThatThrownBy(() -> unauthenticated.listSandboxes(ListSandboxesRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @Test
    @Order(2)
    void reportsHostInfo() {
        HostInfo info = agent.stub.getHostInfo(GetHostInfoRequest.getDefaultInstance());

        assertThat(info.getAccelerator()).isEqualTo("tcg");
        assertThat(info.getCpuCount()).isPositive();
        assertThat(info.getMemoryMb()).isPositive();
        assertThat(info.getTemplatesList()).anySatisfy(t -> {
            assertThat(t.getName()).isEqualTo("minimal");
            assertThat(t.getTeamId()).isEqualTo(Layout.PLATFORM_TEAM);
            assertThat(t.getImageSizeMb()).isPositive();
        });
    }

    @Test
    @Order(3)
    void refusesBadCreates() {
        assertThatThrownBy(() -> agent.stub.createSandbox(AgentFixture.minimal(UUID.randomUUID().toString())
                .setTemplateName("no-such-template").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> agent.stub.createSandbox(AgentFixture.minimal(UUID.randomUUID().toString())
                .setDiskSizeMb(16).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThatThrownBy(() -> agent.stub.createSandbox(AgentFixture.minimal("not-a-uuid").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThat(listedIds()).isEmpty();
    }

    @Test
    @Order(10)
    void createsASandbox() throws Exception {
        long t0 = System.nanoTime();
        created = agent.stub.createSandbox(AgentFixture.minimal(id).putEnv("WRENN_TEST", "from-create").build());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("create minimal: " + ms + " ms, boot_ms " + created.getBootMs());

        assertThat(created.getState()).isEqualTo(SandboxState.SANDBOX_STATE_RUNNING);
        assertThat(created.getBootMs()).isPositive();
        assertThat(created.getDiskSizeMb()).isEqualTo(1024);
        assertThat(listedIds()).containsExactly(id);
        SandboxRecord record = JsonMapper.builder().build().readValue(layout().sandboxJson(id).toFile(), SandboxRecord.class);
        assertThat(record.spec().env()).containsEntry("WRENN_TEST", "from-create");
        assertThat(record.slot()).isPositive();
        assertThat(namespaceExists(id)).isTrue();

        // Only the agent can drive the guest: envd wants the access token the agent set at /init.
        var http = java.net.http.HttpClient.newHttpClient();
        var address = new NetworkSlot(record.slot()).namespaceAddress();
        var envs = java.net.URI.create("http://" + address + ":49983/envs");
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(envs).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(envs).header("X-Access-Token", record.envdAccessToken()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body()).contains("from-create");
        assertThat(Files.getPosixFilePermissions(layout().sandboxJson(id)))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

        // Creating the same id again returns the running sandbox.
        Sandbox again = agent.stub.createSandbox(AgentFixture.minimal(id).build());
        assertThat(again.getStartedAtMs()).isEqualTo(created.getStartedAtMs());
    }

    @Test
    @Order(11)
    void execRunsAProgramAndStreamsItsOutput() {
        long t0 = System.nanoTime();
        AgentFixture.ExecResult hello = agent.exec(ExecRequest.newBuilder().setSandboxId(id).setCmd("echo").addArgs("hello").build());
        System.out.println("exec echo: " + (System.nanoTime() - t0) / 1_000_000 + " ms");

        assertThat(hello.started()).isTrue();
        assertThat(hello.stdout()).isEqualTo("hello\n");
        assertThat(hello.exited().getExitCode()).isZero();
        assertThat(hello.exited().getError()).isEmpty();
        assertThat(hello.exited().getTimedOut()).isFalse();

        StringBuilder timings = new StringBuilder();
        for (int i = 0; i < 15; i++) {
            long t1 = System.nanoTime();
            assertThat(agent.exec(ExecRequest.newBuilder().setSandboxId(id).setCmd("true").build()).exited().getExitCode()).isZero();
            timings.append((System.nanoTime() - t1) / 1_000_000).append(" ms ");
        }
        System.out.println("exec true x15 through gRPC: " + timings);

        // The same through the envd client directly, to see what the agent's hop costs.
        var envd = agent.server.sandboxes().running(id).guest();
        StringBuilder direct = new StringBuilder();
        for (int i = 0; i < 15; i++) {
            long t1 = System.nanoTime();
            try (var stream = envd.start(new io.wrenn.hostagent.guest.GuestConnection.StartSpec("true", List.of(), java.util.Map.of(), "", "user"))) {
                while (stream.next() != null) {
                    // drain
                }
            }
            direct.append((System.nanoTime() - t1) / 1_000_000).append(" ms ");
        }
        System.out.println("exec true x15 direct to envd: " + direct);
    }

    @Test
    @Order(12)
    void execHonoursEnvCwdUserAndExitCodes() {
        AgentFixture.ExecResult env = agent.exec(ExecRequest.newBuilder().setSandboxId(id).setCmd("/bin/sh")
                .addArgs("-c").addArgs("echo $FOO $WRENN_TEST; pwd; id -un; echo oops >&2; exit 3")
                .putEnv("FOO", "bar").setCwd("/tmp").build());

        assertThat(env.stdout()).isEqualTo("bar from-create\n/tmp\nuser\n");
        assertThat(env.stderr()).isEqualTo("oops\n");
        assertThat(env.exited().getExitCode()).isEqualTo(3);
        assertThat(env.exited().getError()).isEmpty();

        AgentFixture.ExecResult defaults = agent.sh(id, "pwd; id -un");
        assertThat(defaults.stdout()).isEqualTo("/home/user\nuser\n");

        AgentFixture.ExecResult root = agent.exec(ExecRequest.newBuilder().setSandboxId(id).setCmd("id").addArgs("-u")
                .setUser("root").build());
        assertThat(root.stdout()).isEqualTo("0\n");
    }

    @Test
    @Order(13)
    void execOfAMissingProgramEndsWithAnError() {
        AgentFixture.ExecResult missing = agent.exec(ExecRequest.newBuilder().setSandboxId(id).setCmd("/no/such/program").build());

        assertThat(missing.exited()).isNotNull();
        assertThat(missing.exited().getExitCode()).isNotZero();
        assertThat(missing.exited().getError()).isNotEmpty();
    }

    @Test
    @Order(14)
    void execTimeoutKillsTheProcess() {
        long t0 = System.nanoTime();
        AgentFixture.ExecResult slow = agent.exec(ExecRequest.newBuilder().setSandboxId(id).setCmd("sleep").addArgs("60")
                .setTimeoutS(1).build());

        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(20_000);
        assertThat(slow.exited().getTimedOut()).isTrue();
        assertThat(slow.exited().getError()).isNotEmpty();
    }

    @Test
    @Order(16)
    void aCancelledExecKillsItsProcess() {
        io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
        CompletableFuture<Void> started = new CompletableFuture<>();
        context.run(() -> agent.asyncStub.exec(ExecRequest.newBuilder().setSandboxId(id).setCmd("sleep").addArgs("313").build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(io.wrenn.hostagent.protocol.ExecEvent value) {
                        if (value.hasStarted()) {
                            started.complete(null);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        started.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                }));
        assertThat(started).succeedsWithin(Duration.ofSeconds(30));
        assertThat(agent.sh(id, "ps | grep -c '[s]leep 313'").stdout().strip()).isEqualTo("1");

        context.cancel(null);

        await().atMost(Duration.ofSeconds(15))
                .until(() -> agent.sh(id, "ps | grep -c '[s]leep 313'").stdout().strip().equals("0"));
    }

    @Test
    @Order(17)
    void aGuestFloodingItsConsoleKeepsItsLogWithinTheBound() {
        Path log = Layout.of(home, AgentFixture.IMAGES).sandboxSerialLog(id);
        long bound = io.wrenn.hostagent.vm.ConsoleLog.DEFAULT_MAX_BYTES;
        // Root in its guest, the tenant writes three times the bound to its serial console.
        AgentFixture.ExecResult flood = agent.exec(io.wrenn.hostagent.protocol.ExecRequest.newBuilder().setSandboxId(id)
                .setUser("root").setCmd("/bin/sh").addArgs("-c")
                .addArgs("head -c " + 3 * bound + " /dev/zero | tr '\\0' 'w' > /dev/ttyS0; echo console-flood-end > /dev/ttyS0")
                .setTimeoutS(110).build());
        assertThat(flood.exited().getExitCode()).as(flood.stderr()).isZero();

        // The reaper's next pass brings it back within the bound, its newest bytes kept.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            long total = Files.size(log) + Files.size(io.wrenn.hostagent.vm.ConsoleLog.rotated(log));
            assertThat(total).isLessThanOrEqualTo(2 * bound);
            assertThat(Files.readString(log) + Files.readString(io.wrenn.hostagent.vm.ConsoleLog.rotated(log)))
                    .contains("console-flood-end");
        });
        assertThat(agent.sh(id, "echo alive").stdout()).isEqualTo("alive\n");
    }

    @Test
    @Order(15)
    void execStreamsLargeOutputCompletely() {
        AgentFixture.ExecResult big = agent.sh(id, "head -c 3000000 /dev/zero | tr '\\0' 'x'");

        assertThat(big.stdout()).hasSize(3_000_000);
        assertThat(big.exited().getExitCode()).isZero();
    }

    @Test
    @Order(20)
    void writesAndReadsBackAFileByteForByte() throws Exception {
        byte[] content = new byte[5 * 1024 * 1024 + 123];
        new Random(7).nextBytes(content);

        long t0 = System.nanoTime();
        CompletableFuture<WriteFileResponse> done = agent.writeFile(id, "/home/user/data/blob.bin", content);
        assertThat(done.get(2, TimeUnit.MINUTES).getBytesWritten()).isEqualTo(content.length);
        long writeMs = (System.nanoTime() - t0) / 1_000_000;

        t0 = System.nanoTime();
        Iterator<ReadFileResponse> parts = agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).readFile(
                ReadFileRequest.newBuilder().setSandboxId(id).setPath("/home/user/data/blob.bin").build());
        ReadFileResponse first = parts.next();
        assertThat(first.hasInfo()).isTrue();
        assertThat(first.getInfo().getSize()).isEqualTo(content.length);
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        while (parts.hasNext()) {
            ReadFileResponse part = parts.next();
            assertThat(part.getData().size()).isLessThanOrEqualTo(64 * 1024);
            read.writeBytes(part.getData().toByteArray());
        }
        System.out.println("5 MiB write " + writeMs + " ms, read " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertThat(read.toByteArray()).isEqualTo(content);

        AgentFixture.ExecResult owner = agent.sh(id, "stat -c %U /home/user/data/blob.bin");
        assertThat(owner.stdout()).isEqualTo("user\n");

        // An empty file round-trips too: info says 0 and no data follows.
        assertThat(agent.writeFile(id, "/tmp/empty", new byte[0]).get(1, TimeUnit.MINUTES).getBytesWritten()).isZero();
        Iterator<ReadFileResponse> empty = agent.stub.readFile(ReadFileRequest.newBuilder().setSandboxId(id)
                .setPath("/tmp/empty").build());
        assertThat(empty.next().getInfo().getSize()).isZero();
        assertThat(empty.hasNext()).isFalse();
    }

    @Test
    @Order(21)
    void fileErrorsMapToStatuses() {
        assertThatThrownBy(() -> agent.stub.readFile(ReadFileRequest.newBuilder().setSandboxId(id)
                .setPath("/no/such/file").build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).doesNotContain(home.toString());
                });
        assertThatThrownBy(() -> agent.stub.readFile(ReadFileRequest.newBuilder().setSandboxId(id)
                .setPath("/tmp").build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
        assertThatThrownBy(() -> agent.stub.readFile(ReadFileRequest.newBuilder().setSandboxId(id)
                .setPath("/etc/hostname").setUser("nobody-such").build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThatThrownBy(() -> agent.stub.readFile(ReadFileRequest.newBuilder().setSandboxId(id)
                .setPath("relative").build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));

        assertThatThrownBy(() -> agent.stub.readFile(ReadFileRequest.newBuilder()
                .setSandboxId(UUID.randomUUID().toString()).setPath("/etc/hostname").build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    @Order(30)
    void guestReachesNeitherTheHostNorAnotherSandbox() throws Exception {
        // The other sandbox runs the debian template, which also checks that template's boot and defaults.
        String other = UUID.randomUUID().toString();
        boolean debian = Files.isRegularFile(layout().templateRootfs(Layout.PLATFORM_TEAM, "debian"));
        long t0 = System.nanoTime();
        // debian's compact image is larger than the fixture's 1 GiB disk: it gets the default size.
        agent.stub.createSandbox(AgentFixture.minimal(other).setTemplateName(debian ? "debian" : "minimal")
                .setDiskSizeMb(debian ? 5120 : 1024).build());
        System.out.println("create " + (debian ? "debian" : "minimal") + ": " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        if (debian) {
            AgentFixture.ExecResult bash = agent.exec(ExecRequest.newBuilder().setSandboxId(other).setCmd("/bin/bash")
                    .addArgs("-lc").addArgs("echo ${BASH_VERSION%%.*} $(whoami) $PWD; python3 -c 'print(6*7)'").build());
            assertThat(bash.stdout()).isEqualTo("5 user /home/user\n42\n");
        }
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("0.0.0.0", 0));
            int port = listener.getLocalPort();
            Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    try {
                        listener.accept().close();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            NetworkSlot mine = new NetworkSlot(readRecord(id).slot());
            NetworkSlot theirs = new NetworkSlot(readRecord(other).slot());

            // The probe works at all: the guest reaches its own envd through loopback.
            AgentFixture.ExecResult control = agent.sh(id, "nc -w 3 127.0.0.1 49983 </dev/null && echo open");
            assertThat(control.stdout()).contains("open");
            // The host itself answers on the veth address.
            try (var socket = new java.net.Socket()) {
                socket.connect(new InetSocketAddress(mine.hostAddress(), port), 2000);
            }

            for (String target : List.of(mine.hostAddress() + " " + port, NetworkSlot.TAP_ADDRESS + " " + port,
                    mine.namespaceAddress() + " " + port, theirs.namespaceAddress() + " 49983",
                    theirs.hostAddress() + " " + port)) {
                AgentFixture.ExecResult attempt = agent.sh(id, "nc -w 3 " + target + " </dev/null && echo open");
                assertThat(attempt.stdout()).as("guest connecting to %s", target).doesNotContain("open");
            }
        } finally {
            agent.stub.destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(other).build());
        }
        assertThat(listedIds()).containsExactly(id);
    }

    private SandboxRecord readRecord(String sandboxId) {
        return JsonMapper.builder().build().readValue(layout().sandboxJson(sandboxId).toFile(), SandboxRecord.class);
    }

    @Test
    @Order(40)
    void aKilledVmDisappearsAndIsCleanedUp() throws Exception {
        String victim = UUID.randomUUID().toString();
        agent.stub.createSandbox(AgentFixture.minimal(victim).build());
        long pid = pidOf(victim);

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> !listedIds().contains(victim));
        System.out.println("killed VM unlisted after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        await().atMost(Duration.ofSeconds(20)).until(() -> !namespaceExists(victim) && !Files.exists(layout().sandboxDir(victim)));
        assertThat(listedIds()).containsExactly(id);
    }

    @Test
    @Order(50)
    void theReaperDestroysExpiredSandboxes() {
        String shortLived = UUID.randomUUID().toString();
        Sandbox sandbox = agent.stub.createSandbox(AgentFixture.minimal(shortLived).setTimeoutS(1).build());
        assertThat(sandbox.getExpiresAtMs()).isEqualTo(sandbox.getStartedAtMs() + 1000);

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            agent.server.reaper().tick();
            return !listedIds().contains(shortLived);
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> !namespaceExists(shortLived)
                && !Files.exists(layout().sandboxDir(shortLived)));
    }

    @Test
    @Order(60)
    void aRestartedAgentReadoptsRunningVms() throws Exception {
        long pid = pidOf(id);
        agent.stop();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isPresent();

        long t0 = System.nanoTime();
        agent = new AgentFixture(home).warmStarts(false).start(HostAgentConfig.ShutdownPolicy.LEAVE_RUNNING);
        System.out.println("agent restart: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        List<Sandbox> listed = agent.stub.listSandboxes(ListSandboxesRequest.getDefaultInstance()).getSandboxesList();
        assertThat(listed).singleElement().satisfies(s -> {
            assertThat(s.getSandboxId()).isEqualTo(id);
            assertThat(s.getState()).isEqualTo(SandboxState.SANDBOX_STATE_RUNNING);
            assertThat(s.getStartedAtMs()).isEqualTo(created.getStartedAtMs());
        });
        assertThat(agent.sh(id, "cat /home/user/data/blob.bin | wc -c").stdout().strip()).isEqualTo("5243003");
    }

    @Test
    @Order(70)
    void destroyRemovesEverything() throws Exception {
        long pid = pidOf(id);
        long t0 = System.nanoTime();
        agent.stub.destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(id).build());
        System.out.println("destroy: " + (System.nanoTime() - t0) / 1_000_000 + " ms");

        // QEMU has released everything when destroy returns; its parent (init) reaps it a moment later.
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty());
        assertThat(namespaceExists(id)).isFalse();
        assertThat(Files.exists(layout().sandboxDir(id))).isFalse();
        assertThat(listedIds()).isEmpty();
        // Idempotent.
        agent.stub.destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(id).build());
        assertThatThrownBy(() -> agent.sh(id, "true"))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    /**
     * Images are built at the default disk size (sparse) plus a compact copy: a sandbox with a
     * disk of the image's size boots the image as it is, with nothing to grow; a smaller disk
     * boots the compact image, which the guest grows to the disk before the sandbox is handed out.
     */
    @Test
    @Order(75)
    void aDiskOfTheImagesSizeBootsTheImageAsBuiltAndASmallerOneTheCompactImageGrown() throws Exception {
        Path compact = layout().templateCompactRootfs(Layout.PLATFORM_TEAM, "minimal");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(compact),
                "images in " + AgentFixture.IMAGES + " predate compact images: run images/build.sh");
        Path rootfs = layout().templateRootfs(Layout.PLATFORM_TEAM, "minimal");
        long imageMb = Files.size(rootfs) >> 20;
        String small = UUID.randomUUID().toString();
        String full = UUID.randomUUID().toString();
        try {
            Sandbox smallBox = agent.stub.createSandbox(AgentFixture.minimal(small).setDiskSizeMb(1024).build());
            assertThat(smallBox.getDiskSizeMb()).isEqualTo(1024);
            assertBackedBy(small, compact);
            assertThat(rootFilesystemMb(small)).isBetween(900L, 1024L);

            Sandbox fullBox = agent.stub.createSandbox(AgentFixture.minimal(full).setDiskSizeMb(0).build());
            assertThat(fullBox.getDiskSizeMb()).isEqualTo((int) imageMb);
            assertBackedBy(full, rootfs);
            assertThat(rootFilesystemMb(full)).isBetween(imageMb * 9 / 10, imageMb);
            // The template cannot go below its compact filesystem.
            assertThatThrownBy(() -> agent.stub.createSandbox(AgentFixture.minimal(UUID.randomUUID().toString())
                    .setDiskSizeMb(64).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getDescription()).contains("needs"));
        } finally {
            agent.stub.destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(small).build());
            agent.stub.destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(full).build());
        }
    }

    /** The overlay's base is the sandbox's own link to {@code image}: that very file, whatever later becomes of its name. */
    private void assertBackedBy(String sandboxId, Path image) throws Exception {
        Path backing = Path.of(backingFile(sandboxId));
        assertThat(backing).isEqualTo(layout().sandboxBase(sandboxId, image));
        assertThat(Files.isSameFile(backing, image)).as("%s is a link of %s", backing, image).isTrue();
    }

    private String backingFile(String sandboxId) throws Exception {
        Process info = new ProcessBuilder("qemu-img", "info", "-U", "--output=json", layout().sandboxOverlay(sandboxId).toString())
                .redirectErrorStream(true).start();
        String json = new String(info.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(info.waitFor()).as(json).isZero();
        return JsonMapper.builder().build().readTree(json).path("backing-filename").asString();
    }

    private long rootFilesystemMb(String sandboxId) {
        return Long.parseLong(agent.sh(sandboxId, "df -m / | awk 'NR==2 {print $2}'").stdout().strip());
    }

    @Test
    @Order(80)
    void closingAnAgentThatDestroysVmsLeavesNothingBehind() throws Exception {
        agent.stop();
        agent = new AgentFixture(home).warmStarts(false).start(HostAgentConfig.ShutdownPolicy.DESTROY_VMS);
        String last = UUID.randomUUID().toString();
        agent.stub.createSandbox(AgentFixture.minimal(last).build());
        long pid = pidOf(last);
        int slot = readRecord(last).slot();

        agent.stop();

        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty());
        assertThat(namespaceExists(last)).isFalse();
        assertThat(Path.of("/sys/class/net", new NetworkSlot(slot).hostVeth())).doesNotExist();
        assertThat(layout().sandboxDir(last)).doesNotExist();
        agent = new AgentFixture(home).warmStarts(false).start(HostAgentConfig.ShutdownPolicy.LEAVE_RUNNING);
    }
}
