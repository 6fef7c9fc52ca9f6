package io.wrenn.controlplane.template;

import io.wrenn.controlplane.ids.WireId;
import java.time.Instant;
import java.util.List;

/**
 * A template made from a sandbox as the API shows it. {@code platform}: owned by the platform,
 * visible to every team. {@code type}: {@code snapshot} (memory and disk) or {@code image} (disk
 * alone). {@code defaultUser}, {@code defaultWorkdir}: null = the image's own.
 */
public record SnapshotView(String id, String name, String type, boolean platform, int vcpus, int memoryMb,
                           Integer diskSizeMb, Long sizeBytes, Instant createdAt, String defaultUser,
                           String defaultWorkdir, List<String> defaultEnvKeys) {

    public static SnapshotView of(Template t) {
        return new SnapshotView(WireId.TEMPLATE.encode(t.id()), t.name(), t.type(), t.isPlatform(), t.vcpus(),
                t.memoryMb(), t.diskSizeMb(), t.sizeBytes(), t.createdAt(), t.defaultUser(), t.defaultWorkdir(),
                t.defaultEnvKeys());
    }
}
