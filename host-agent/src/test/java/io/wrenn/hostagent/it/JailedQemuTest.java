package io.wrenn.hostagent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.protocol.CreateSnapshotRequest;
import io.wrenn.hostagent.protocol.DestroySandboxRequest;
import io.wrenn.hostagent.protocol.PauseSandboxRequest;
import io.wrenn.hostagent.protocol.ResumeSandboxRequest;
import io.wrenn.hostagent.protocol.SandboxState;
import io.wrenn.hostagent.vm.QemuCgroups;
import io.wrenn.hostagent.vm.QemuJail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every QEMU runs jailed and in a cgroup of its own, however it started (cold boot, resume after
 * a pause, restore from a snapshot), and pause, resume and snapshots work through the jail. One
 * cold boot; the rest is restored from saved state.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("vm")
class JailedQemuTest {

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    static Path home;

    private AgentFixture agent;
    private final String teamId = UUID.randomUUID().toString();
    private final String source = UUID.randomUUID().toString();
    private final List<String> sandboxes = new ArrayList<>(List.of(source));
    private final List<Long> pids = new ArrayList<>();

    @BeforeAll
    void startAgent() {
        AgentFixture.assumeVmsPossible();
        agent = new AgentFixture(home).start(HostAgentConfig.ShutdownPolicy.DESTROY_VMS);
        agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).createSandbox(AgentFixture.minimal(source).setTeamId(teamId).build());
    }

    @AfterAll
    void stopAgent() throws Exception {
        if (agent != null) {
            agent.stop();
        }
    }

    @Test
    @Order(1)
    void aColdBootedQemuRunsUnprivilegedUnderSeccompInItsJailAndCgroup() throws IOException {
        assertJailed(source);
        assertThat(agent.stdoutOf(source, "echo hello")).isEqualTo("hello");
    }

    @Test
    @Order(2)
    void pauseAndResumeWorkThroughTheJailAndTheResumedQemuIsJailedToo() throws IOException {
        agent.stdoutOf(source, "echo kept > /home/user/note");
        long before = qemuPid(source);
        assertThat(agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).pauseSandbox(
                PauseSandboxRequest.newBuilder().setSandboxId(source).build()).getState()).isEqualTo(SandboxState.SANDBOX_STATE_PAUSED);
        assertThat(Files.size(layout().sandboxPauseDir(source).resolve("state"))).as("the state came through the jail's socket")
                .isPositive();
        assertThat(cgroupsOf(source)).as("a paused sandbox's QEMU left its cgroup behind").allSatisfy(g -> assertThat(g).doesNotExist());

        assertThat(agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).resumeSandbox(ResumeSandboxRequest.newBuilder()
                .setSandboxId(source).setGeneration(1).build()).getState()).isEqualTo(SandboxState.SANDBOX_STATE_RUNNING);

        assertThat(qemuPid(source)).isNotEqualTo(before);
        assertJailed(source);
        assertThat(agent.stdoutOf(source, "cat /home/user/note")).isEqualTo("kept");
    }

    @Test
    @Order(3)
    void aSnapshotLeavesTheSourceRunningAndARestoredQemuIsJailed() throws IOException {
        agent.stub.withDeadlineAfter(3, TimeUnit.MINUTES).createSnapshot(
                CreateSnapshotRequest.newBuilder().setSandboxId(source).setTeamId(teamId).setName("jailed").build());
        assertThat(agent.stdoutOf(source, "cat /home/user/note")).as("the source runs on").isEqualTo("kept");

        String clone = UUID.randomUUID().toString();
        sandboxes.add(clone);
        agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).createSandbox(AgentFixture.minimal(clone).setTeamId(teamId)
                .setTemplateTeamId(teamId).setTemplateName("jailed").setVcpus(0).setMemoryMb(0).setDiskSizeMb(0).build());

        assertJailed(clone);
        assertTemplateMemoryUnwritable(clone, layout().snapshotFiles(teamId, "jailed").memory());
        assertThat(agent.stdoutOf(clone, "cat /home/user/note")).isEqualTo("kept");
        assertThat(qemuPid(clone)).isNotEqualTo(qemuPid(source));
    }

    @Test
    @Order(4)
    void destroyingASandboxRemovesItsCgroup() {
        for (String id : sandboxes) {
            agent.stub.withDeadlineAfter(1, TimeUnit.MINUTES).destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(id).build());
            assertThat(cgroupsOf(id)).allSatisfy(g -> assertThat(g).doesNotExist());
        }
        assertThat(pids).allSatisfy(pid -> assertThat(Path.of("/proc", Long.toString(pid), "status")).satisfiesAnyOf(
                status -> assertThat(status).doesNotExist(),
                status -> assertThat(Files.readString(status)).contains("State:\tZ")));
    }

    private void assertJailed(String id) throws IOException {
        long pid = qemuPid(id);
        pids.add(pid);
        Map<String, String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.contains(":"))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1).strip(), (a, b) -> a));
        assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))).contains("qemu-system");
        for (String field : List.of("Uid", "Gid")) {
            assertThat(status.get(field).split("\\s+")).as(field + " (real, effective, saved, fs)")
                    .allSatisfy(value -> assertThat(Long.parseLong(value)).isGreaterThanOrEqualTo(QemuJail.FIRST_UID));
        }
        assertThat(status.get("Groups")).as("no supplementary group of root's").doesNotContainPattern("\\b0\\b");
        assertThat(status.get("Seccomp")).as("seccomp filter mode").isEqualTo("2");
        assertThat(status.get("NoNewPrivs")).isEqualTo("1");
        assertThat(status.get("CapEff")).isEqualTo("0000000000000000");
        assertThat(status.get("CapPrm")).isEqualTo("0000000000000000");
        assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "root")))
                .as("chrooted into its empty jail").isEqualTo(layout().sandboxDir(id).resolve(QemuJail.ROOT_NAME));
        assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "mnt")))
                .as("a mount namespace of its own").isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")));
        assertDiskRateBounded(id);
        String cgroups = Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"));
        assertThat(cgroups).as("in its own cgroup").contains("/wrenn/" + id + "\n");
        assertThat(cgroupsOf(id)).isNotEmpty().allSatisfy(group -> assertThat(group).isDirectory());
        Path memoryGroup = Path.of("/sys/fs/cgroup/memory/wrenn", id);
        Path memoryMax = Files.isDirectory(memoryGroup) ? memoryGroup.resolve("memory.limit_in_bytes")
                : Path.of("/sys/fs/cgroup/wrenn", id, "memory.max");
        assertThat(Long.parseLong(Files.readString(memoryMax).strip())).as("a ceiling above the guest's 256 MiB")
                .isGreaterThan(256L << 20).isLessThan(4L << 30);
    }

    /**
     * The restored QEMU maps its template's RAM from a sealed in-memory copy: it holds no
     * descriptor of the template's file, and its descriptor of the copy, although opened
     * read-write, cannot write it (what a guest that broke into its QEMU would try, to reach every
     * later sandbox of the template).
     */
    private void assertTemplateMemoryUnwritable(String id, Path templateMemory) throws IOException {
        long pid = qemuPid(id);
        List<Path> ram = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                String target = Files.readSymbolicLink(fd).toString();
                assertThat(target).as("QEMU's descriptor %s", fd).doesNotStartWith(templateMemory.toString());
                if (target.startsWith("/memfd:wrenn-template-memory")) {
                    ram.add(fd);
                }
            }
        }
        assertThat(ram).as("the template's RAM, sealed").hasSize(1);
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(ram.get(0),
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer first = java.nio.ByteBuffer.allocate(1);
            channel.read(first, 0);
            // Writing back the byte that is there: were the seal missing, nothing would change.
            assertThatThrownBy(() -> channel.write(first.flip(), 0)).isInstanceOf(IOException.class)
                    .hasMessageContaining("not permitted");
        }
    }

    /** QEMU bounds the guest's disk (the defaults for one vCPU: 100 MiB/s, 2000 operations/s, bursts of 4×). */
    private void assertDiskRateBounded(String id) {
        try (io.wrenn.hostagent.qmp.QmpClient qmp = io.wrenn.hostagent.qmp.QmpClient.connect(
                layout().sandboxQmpSocket(id), java.time.Duration.ofSeconds(10))) {
            tools.jackson.databind.JsonNode blocks = qmp.execute("query-block", null, java.time.Duration.ofSeconds(10));
            tools.jackson.databind.JsonNode root = null;
            for (tools.jackson.databind.JsonNode block : blocks) {
                if (block.path("device").asString("").equals("root")) {
                    root = block.path("inserted");
                }
            }
            assertThat(root).as("the guest's disk in %s", blocks).isNotNull();
            assertThat(root.path("bps").asLong()).isEqualTo(100L << 20);
            assertThat(root.path("bps_max").asLong()).isEqualTo(400L << 20);
            assertThat(root.path("iops").asLong()).isEqualTo(2000);
            assertThat(root.path("iops_max").asLong()).isEqualTo(8000);
        } catch (io.wrenn.hostagent.qmp.QmpException e) {
            throw new AssertionError("no QMP for sandbox " + id, e);
        }
    }

    private List<Path> cgroupsOf(String id) {
        return QemuCgroups.forThisHost().groups(id);
    }

    private long qemuPid(String id) throws IOException {
        return Long.parseLong(Files.readString(layout().sandboxPidFile(id)).strip());
    }

    private Layout layout() {
        return Layout.of(home, AgentFixture.IMAGES);
    }

}
