package io.wrenn.hostagent.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code template.json} of an image template: what images/build.sh and import.sh write for the
 * base images, and what the agent writes for an image made from a sandbox's disk (with
 * {@code format}, as every file the agent writes). Fields a file lacks read as empty or 0.
 *
 * @param imageSizeMb   the size of {@code rootfs.ext4}'s filesystem
 * @param compactSizeMb the size of {@code rootfs.compact.ext4}'s filesystem; 0 when there is none
 * @param createdAtMs   when the agent made it; 0 for base images
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageDescription(
        String name,
        String defaultUser,
        String defaultWorkdir,
        Map<String, String> defaultEnv,
        long imageSizeMb,
        long compactSizeMb,
        long createdAtMs) {

    /**
     * 1: what images/build.sh writes (no {@code format}: read as 1, like every agent file of
     * before formats); the agent writes the same fields.
     */
    static final int FORMAT = 1;

    public ImageDescription {
        defaultUser = defaultUser == null ? "" : defaultUser;
        defaultWorkdir = defaultWorkdir == null ? "" : defaultWorkdir;
        defaultEnv = defaultEnv == null ? Map.of() : Map.copyOf(defaultEnv);
    }

    static ImageDescription read(Path file) throws IOException {
        return Manifests.decode(file, ImageDescription.class, FORMAT);
    }

    void write(Path file) throws IOException {
        Files.write(file, Manifests.encode(this, FORMAT));
    }
}
