/**
 * Metrics: sandbox resource series and team usage in PostgreSQL, their routes, and the control
 * plane's Prometheus endpoint.
 *
 * <p>Hosts sample their sandboxes every 5 s; {@link io.wrenn.controlplane.metrics.MetricsCollector}
 * drains each host's samples ({@code ReadMetrics}) into tier 0 of {@code sandbox_metric_points}
 * in one batch per host and pass; {@link io.wrenn.controlplane.metrics.MetricsJobs} rolls tier 0
 * up into minutes (tier 1) and hours (tier 2), prunes each tier past its age, and writes one
 * {@code team_usage_samples} row per team every 10 s. Every series has a fixed step per tier
 * and answers every step of the asked range, null where nothing was measured.
 */
package io.wrenn.controlplane.metrics;
