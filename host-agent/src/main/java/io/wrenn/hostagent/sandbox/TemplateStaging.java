package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.os.DirectoryTrees;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a template made on this host comes into being: its files are written to a directory of
 * their own under staging and renamed into {@code templates/{team}/{name}/} at once, so a crash
 * leaves only staging (emptied at the next start) and never half a template.
 */
final class TemplateStaging {

    private static final Logger LOG = LoggerFactory.getLogger(TemplateStaging.class);

    private TemplateStaging() {
    }

    /** A fresh staging directory. */
    static Path create(SandboxHost host, String what) {
        Path staging = host.layout.snapshotStagingDir().resolve(UUID.randomUUID().toString());
        try {
            io.wrenn.hostagent.layout.PrivateDirectories.create(host.layout.snapshotsDir());
            io.wrenn.hostagent.layout.PrivateDirectories.create(staging);
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not prepare the " + what, e);
        }
        return staging;
    }

    /** Renames the finished files into place; a name taken meanwhile is ALREADY_EXISTS. */
    static void promote(SandboxHost host, Path staging, String teamId, String name) throws IOException {
        Path target = host.layout.snapshotDir(teamId, name);
        io.wrenn.hostagent.layout.PrivateDirectories.create(target.getParent());
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes what a failed make wrote and says why it failed. */
    static SandboxException failed(Path staging, Exception e, String name, String what) {
        // Read before the partial files go: their bytes are what filled the disk.
        boolean diskFull = (!(e instanceof SandboxException s) || s.kind() == SandboxException.Kind.INTERNAL)
                && DiskFull.caused(staging, e);
        DirectoryTrees.deleteRecursively(staging);
        if (e instanceof FileAlreadyExistsException || e instanceof DirectoryNotEmptyException) {
            return new SandboxException(SandboxException.Kind.ALREADY_EXISTS, "a template named " + name + " exists");
        }
        if (diskFull) {
            LOG.warn("the {} {} could not be written: the disk is full", what, name, e);
            return DiskFull.exception("the " + what + " could not be written", e);
        }
        if (e instanceof SandboxException s) {
            return s;
        }
        // the caller gets only "could not be written": the cause (a command's output) is logged here
        LOG.warn("the {} {} could not be written", what, name, e);
        return new SandboxException(SandboxException.Kind.INTERNAL, "the " + what + " could not be written", e);
    }
}
