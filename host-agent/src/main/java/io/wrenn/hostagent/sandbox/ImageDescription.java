package io.wrenn.hostagent.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code template.json} of an image template: what images/build.sh and import.sh write for the
 * base images, and what the agent writes for an image made from a sandbox's disk. Fields a file
 * lacks read as empty or 0.
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

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    public ImageDescription {
        defaultUser = defaultUser == null ? "" : defaultUser;
        defaultWorkdir = defaultWorkdir == null ? "" : defaultWorkdir;
        defaultEnv = defaultEnv == null ? Map.of() : Map.copyOf(defaultEnv);
    }

    static ImageDescription read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ImageDescription.class);
    }

    void write(Path file) throws IOException {
        Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
    }
}
