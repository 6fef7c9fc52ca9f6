package io.wrenn.controlplane.template;

import java.util.UUID;

/**
 * A template a sandbox can start from. {@code teamId} is the owner: the all-zero UUID for
 * platform templates, which every team may use.
 */
public record Template(UUID id, UUID teamId, String name, String type, int vcpus, int memoryMb) {

    public static final UUID PLATFORM_TEAM = new UUID(0, 0);
}
