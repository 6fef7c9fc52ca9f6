package io.wrenn.controlplane.template;

import io.wrenn.controlplane.ids.WireId;
import java.time.Instant;

/** A snapshot template as the API shows it. {@code platform}: owned by the platform, visible to every team. */
public record SnapshotView(String id, String name, String type, boolean platform, int vcpus, int memoryMb,
                           Integer diskSizeMb, Long sizeBytes, Instant createdAt) {

    public static SnapshotView of(Template t) {
        return new SnapshotView(WireId.TEMPLATE.encode(t.id()), t.name(), t.type(), t.isPlatform(), t.vcpus(),
                t.memoryMb(), t.diskSizeMb(), t.sizeBytes(), t.createdAt());
    }
}
