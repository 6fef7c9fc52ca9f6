package io.wrenn.hostagent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.protocol.CreateImageRequest;
import io.wrenn.hostagent.protocol.DeleteTemplateRequest;
import io.wrenn.hostagent.protocol.DestroySandboxRequest;
import io.wrenn.hostagent.protocol.GetHostInfoRequest;
import io.wrenn.hostagent.protocol.Sandbox;
import io.wrenn.hostagent.protocol.TemplateImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image template made from a running sandbox's disk, with real VMs: it holds the disk's
 * files, boots cold at another machine and disk size, gives its sandboxes its defaults, and is
 * removed only once no sandbox uses it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("vm")
class ImageFromDiskTest {

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    static Path home;

    private AgentFixture agent;
    private final String teamId = UUID.randomUUID().toString();
    private final String source = UUID.randomUUID().toString();

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

    private TemplateImage makeImage(String name, Map<String, String> env) {
        return agent.stub.withDeadlineAfter(5, TimeUnit.MINUTES).createImage(CreateImageRequest.newBuilder()
                .setSandboxId(source).setTeamId(teamId).setName(name).setDefaultWorkdir("/tmp").putAllDefaultEnv(env).build());
    }

    private static Status.Code codeOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        return Status.Code.OK;
    }

    @Test
    void anImageOfADiskBootsColdAtAnySizeWithItsFilesAndDefaults() throws Exception {
        // written just before the copy: only the guest's sync puts it on the disk in time
        agent.stdoutOf(source, "echo from-the-source > /home/user/kept");

        TemplateImage image = makeImage("img-a", Map.of("GREETING", "from the template"));

        assertThat(image.getType()).isEqualTo("image");
        assertThat(image.getMade()).isTrue();
        assertThat(image.getDefaultWorkdir()).isEqualTo("/tmp");
        assertThat(image.getDefaultUser()).isEqualTo("user");
        assertThat(image.getDefaultEnvMap()).containsEntry("GREETING", "from the template");
        assertThat(image.getImageSizeMb()).isEqualTo(1024);
        assertThat(image.getDiskSizeMb()).as("its compact filesystem is the least disk").isBetween(64, 1023);
        assertThat(image.getCreatedAtMs()).isPositive();
        assertThat(agent.stdoutOf(source, "echo still running")).isEqualTo("still running");
        // names are one template each: neither a base image's nor its own again
        assertThat(codeOf(() -> makeImage("minimal", Map.of()))).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(codeOf(() -> makeImage("img-a", Map.of()))).isEqualTo(Status.Code.ALREADY_EXISTS);

        // another machine and a smaller disk than the source's
        String clone = UUID.randomUUID().toString();
        Sandbox booted = agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).createSandbox(AgentFixture.minimal(clone)
                .setTeamId(teamId).setTemplateTeamId(teamId).setTemplateName("img-a").setMemoryMb(384)
                .setDiskSizeMb(image.getDiskSizeMb() + 256).build());
        assertThat(booted.getMemoryMb()).isEqualTo(384);
        assertThat(agent.stdoutOf(clone, "cat /home/user/kept")).isEqualTo("from-the-source");
        assertThat(agent.stdoutOf(clone, "echo \"$GREETING\"; pwd; id -un")).isEqualTo("from the template\n/tmp\nuser");
        assertThat(Long.parseLong(agent.stdoutOf(clone, "df -m / | awk 'NR==2 {print $2}'"))).isGreaterThan(image.getDiskSizeMb());

        // in use: kept; unused: removed, and no longer listed
        DeleteTemplateRequest delete = DeleteTemplateRequest.newBuilder().setTeamId(teamId).setName("img-a").build();
        assertThat(codeOf(() -> agent.stub.deleteTemplate(delete))).isEqualTo(Status.Code.FAILED_PRECONDITION);
        agent.stub.destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(clone).build());
        agent.stub.deleteTemplate(delete);
        assertThat(Files.exists(Layout.of(home, AgentFixture.IMAGES).snapshotDir(teamId, "img-a"))).isFalse();
        assertThat(agent.stub.getHostInfo(GetHostInfoRequest.getDefaultInstance()).getTemplatesList())
                .noneMatch(t -> t.getName().equals("img-a"));
        // base images stay whatever asks
        assertThat(codeOf(() -> agent.stub.deleteTemplate(DeleteTemplateRequest.newBuilder()
                .setTeamId(Layout.PLATFORM_TEAM).setName("minimal").build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
}
