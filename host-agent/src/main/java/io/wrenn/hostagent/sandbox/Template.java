package io.wrenn.hostagent.sandbox;

import java.nio.file.Path;

/**
 * A template this host can start: its base image and the defaults from its {@code template.json}.
 *
 * @param imageSizeMb the base image's size as the guest sees it
 * @param sizeBytes   bytes the image really uses on the host's disk (it is sparse)
 */
public record Template(String teamId, String name, Path rootfs, String defaultUser, String defaultWorkdir,
        long imageSizeMb, long sizeBytes) {
}
