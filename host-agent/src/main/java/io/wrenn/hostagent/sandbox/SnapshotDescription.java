package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.vm.VmBuild;
import java.io.IOException;
import java.nio.file.Path;
import tools.jackson.databind.annotation.JsonNaming;
import tools.jackson.databind.PropertyNamingStrategies;

/**
 * {@code snapshot.json} (0600): what a snapshot template is and where it came from. It keeps the
 * source sandbox's envd access token: a guest restored from the snapshot still holds it, and
 * accepts its new token only from a caller that knows the old one. {@code vm}: the QEMU, machine
 * and kernel that saved its state (null in snapshots of format 1, which did not record it).
 * {@code defaultEnv}: the environment every sandbox of the snapshot is given (the template's
 * defaults, never its creator's own variables: envd's {@code /init} replaces the environment the
 * saved guest held); null in snapshots before format 3, which kept theirs in the guest's memory.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SnapshotDescription(
        String name,
        String type,
        int vcpus,
        int memoryMb,
        int diskSizeMb,
        String defaultUser,
        String defaultWorkdir,
        String sourceSandbox,
        long createdAtMs,
        String envdAccessToken,
        VmBuild vm,
        java.util.Map<String, String> defaultEnv) {

    /** {@code snapshot.json}'s format: 1 recorded neither it nor {@code vm}; 2 records both; 3 adds {@code default_env}. */
    static final int FORMAT = 3;

    /** The environment sandboxes of this snapshot get, empty for snapshots that did not record one. */
    java.util.Map<String, String> envOrEmpty() {
        return defaultEnv == null ? java.util.Map.of() : defaultEnv;
    }

    static SnapshotDescription read(Path file) throws IOException {
        return Manifests.decode(file, SnapshotDescription.class, FORMAT);
    }

    void write(Path file) throws IOException {
        java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        java.nio.file.Files.write(file, Manifests.encode(this, FORMAT));
    }

    /** The description of snapshot template {@code template} (a template's, or a warm snapshot's). */
    static SnapshotDescription of(Template template) {
        try {
            return read(template.snapshot().description());
        } catch (SandboxException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "the snapshot's description is unreadable", e);
        }
    }
}
