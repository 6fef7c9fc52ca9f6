package io.wrenn.controlplane.metrics;

import java.util.UUID;

/** A host, its capacity and what its sandboxes hold and use now. */
record HostUsage(UUID id, String name, String status, String accelerator, int cpuCount, long memoryMb, Usage usage) {
}
