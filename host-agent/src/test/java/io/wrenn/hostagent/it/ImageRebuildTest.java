package io.wrenn.hostagent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.protocol.DestroySandboxRequest;
import io.wrenn.hostagent.protocol.PauseSandboxRequest;
import io.wrenn.hostagent.protocol.ResumeSandboxRequest;
import io.wrenn.hostagent.protocol.SandboxState;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A base image rebuilt while sandboxes made on it are paused (an upgrade's {@code ./wrenn images}
 * puts new files under the old names): they resume on the image they were made on, with real VMs.
 * The agent gets an image directory of its own, a copy of the shared {@code minimal}, to rebuild.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("vm")
class ImageRebuildTest {

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    static Path home;
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    static Path images;

    private AgentFixture agent;
    private Layout layout;

    @BeforeAll
    void startAgent() throws Exception {
        AgentFixture.assumeVmsPossible();
        Layout shared = Layout.of(home, AgentFixture.IMAGES);
        layout = Layout.of(home, images);
        Files.createDirectories(layout.kernelDir());
        Files.createSymbolicLink(layout.kernelImage(), shared.kernelImage());
        Files.createSymbolicLink(layout.initrdImage(), shared.initrdImage());
        Path minimal = Files.createDirectories(layout.templateDir(Layout.PLATFORM_TEAM, "minimal"));
        for (Path file : List.of(shared.templateRootfs(Layout.PLATFORM_TEAM, "minimal"),
                shared.templateCompactRootfs(Layout.PLATFORM_TEAM, "minimal"), shared.templateJson(Layout.PLATFORM_TEAM, "minimal"))) {
            // sparse: the full-size image is mostly holes
            new ProcessBuilder("cp", "--sparse=always", file.toString(), minimal.resolve(file.getFileName()).toString())
                    .inheritIO().start().waitFor();
        }
        agent = new AgentFixture(home, images).start(HostAgentConfig.ShutdownPolicy.DESTROY_VMS);
    }

    @AfterAll
    void stopAgent() throws Exception {
        if (agent != null) {
            agent.stop();
        }
    }

    /** What the image build does: a new file written beside the old one and renamed over it. */
    private static void rebuild(Path image) throws IOException {
        Path fresh = image.resolveSibling(image.getFileName() + ".tmp");
        try (RandomAccessFile file = new RandomAccessFile(fresh.toFile(), "rw")) {
            file.setLength(Files.size(image)); // all zeros: nothing the old overlay could read as its base
        }
        Files.move(fresh, image, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aPausedSandboxResumesOnTheImageItWasMadeOnAfterTheImageIsRebuilt() throws Exception {
        String id = UUID.randomUUID().toString();
        agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).createSandbox(AgentFixture.minimal(id).build());
        // a file of the base the guest has not changed, and one of its own
        String probe = "md5sum /opt/wrenn/jre/lib/modules"; // the guest JRE's classes: tens of MiB of the base image
        String before = agent.stdoutOf(id, probe);
        agent.stdoutOf(id, "echo kept > /home/user/kept && sync");
        agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).pauseSandbox(PauseSandboxRequest.newBuilder().setSandboxId(id).build());

        Path full = layout.templateRootfs(Layout.PLATFORM_TEAM, "minimal");
        Path compact = layout.templateCompactRootfs(Layout.PLATFORM_TEAM, "minimal");
        Path pinned = layout.sandboxBase(id, compact);
        assertThat(pinned).as("a 1 GiB disk is made on the compact image").exists();
        rebuild(full);
        rebuild(compact);
        assertThat((int) Files.getAttribute(pinned, "unix:nlink")).as("the sandbox alone holds the old image").isEqualTo(1);

        var resumed = agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).resumeSandbox(
                ResumeSandboxRequest.newBuilder().setSandboxId(id).setGeneration(1).build());
        assertThat(resumed.getState()).isEqualTo(SandboxState.SANDBOX_STATE_RUNNING);
        // read from the disk, not from what the guest's RAM still caches
        AgentFixture.ExecResult dropped = agent.exec(io.wrenn.hostagent.protocol.ExecRequest.newBuilder().setSandboxId(id)
                .setUser("root").setCmd("/bin/sh").addArgs("-c").addArgs("sync && echo 3 > /proc/sys/vm/drop_caches").build());
        assertThat(dropped.exited().getExitCode()).as(dropped.stderr()).isZero();
        assertThat(agent.stdoutOf(id, probe)).isEqualTo(before);
        assertThat(agent.stdoutOf(id, "cat /home/user/kept")).isEqualTo("kept");

        agent.stub.destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(id).build());
        assertThat(layout.sandboxDir(id)).as("the old image goes with its last sandbox").doesNotExist();
    }
}
