/**
 * Resource sampling of this host's sandboxes and the agent's Prometheus endpoint.
 *
 * <p>{@link io.wrenn.hostagent.metrics.SandboxSampler} reads, every few seconds, what the host can
 * see of each running VM (QEMU's CPU time in {@code /proc}, the host end of its veth pair's byte
 * counters in {@code /sys}) and, only when a sandbox has been busy or its last figures are old,
 * what only the guest can see (memory and disk in use, from envd's {@code /metrics}, bounded and
 * validated: the guest is hostile). Samples go to a {@link io.wrenn.hostagent.metrics.SampleLog}
 * that the control plane drains over gRPC ({@code ReadMetrics}) into PostgreSQL.
 */
package io.wrenn.hostagent.metrics;
