package io.wrenn.hostagent.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.annotation.JsonNaming;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.PropertyNamingStrategies;

/**
 * {@code snapshot.json} (0600): what a snapshot template is and where it came from. It keeps the
 * source sandbox's envd access token: a guest restored from the snapshot still holds it, and
 * accepts its new token only from a caller that knows the old one.
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
        String envdAccessToken) {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    static SnapshotDescription read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), SnapshotDescription.class);
    }

    void write(Path file) throws IOException {
        java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        java.nio.file.Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
    }

    /** The access token a guest restored from {@code template} holds. */
    static String tokenOf(io.wrenn.hostagent.layout.Layout layout, Template template) {
        try {
            return read(layout.snapshotFiles(template.teamId(), template.name()).json()).envdAccessToken();
        } catch (IOException | RuntimeException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "the snapshot's description is unreadable", e);
        }
    }
}
