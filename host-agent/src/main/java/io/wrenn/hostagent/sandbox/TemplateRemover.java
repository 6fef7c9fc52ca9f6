package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.os.DirectoryTrees;
import io.wrenn.hostagent.layout.Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes templates made on this host (snapshots, images from a sandbox's disk): renamed out of place at once (into staging, which a start after a
 * crash empties), then deleted. Refused while a sandbox of this host (running or paused) was
 * made from it.
 */
final class TemplateRemover {

    private static final Logger LOG = LoggerFactory.getLogger(TemplateRemover.class);

    private final SandboxHost host;

    TemplateRemover(SandboxHost host) {
        this.host = host;
    }

    /** See {@link SandboxManager#deleteTemplate(String, String)}. */
    void deleteTemplate(String teamId, String name) {
        if (!Layout.isUuid(teamId) || !Layout.isTemplateName(name)) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "team_id or name is not valid");
        }
        if (Files.exists(host.layout.templateDir(teamId, name))) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "base images installed with the host are not removed through the API");
        }
        Path dir = host.layout.snapshotDir(teamId, name);
        if (!Files.exists(dir)) {
            return;
        }
        boolean used = host.sandboxes.values().stream().anyMatch(s -> s.state() != Sandbox.State.STOPPED
                && s.record().spec().templateTeamId().equals(teamId) && s.record().spec().templateName().equals(name));
        if (used) {
            throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION, "a sandbox made from " + name + " still exists");
        }
        Path trash = host.layout.snapshotStagingDir().resolve("deleted-" + UUID.randomUUID());
        try {
            Files.createDirectories(trash.getParent());
            Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not remove the template", e);
        }
        DirectoryTrees.deleteRecursively(trash);
        LOG.info("template {}/{} removed", teamId, name);
    }
}
