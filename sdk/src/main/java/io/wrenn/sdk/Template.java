package io.wrenn.sdk;

import java.time.Instant;

/**
 * A template sandboxes are created from: an {@code image} (a disk, booted cold) or a
 * {@code snapshot} (memory and disk of a sandbox, restored in well under a second).
 *
 * @param id         {@code tpl-…}
 * @param name       the name sandboxes are created with
 * @param type       {@code snapshot} or {@code image}
 * @param platform   true when every team sees it
 * @param vcpus      virtual CPUs of its sandboxes (fixed for a snapshot)
 * @param memoryMb   memory of its sandboxes in MiB (fixed for a snapshot)
 * @param diskSizeMb the least disk its sandboxes get, or null
 * @param sizeBytes  bytes it really uses on its host, or null
 * @param createdAt  when it was made, or null
 */
public record Template(String id, String name, String type, boolean platform, int vcpus, int memoryMb,
                       Integer diskSizeMb, Long sizeBytes, Instant createdAt) {
}
