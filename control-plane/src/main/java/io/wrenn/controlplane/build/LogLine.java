package io.wrenn.controlplane.build;

import java.time.Instant;

/**
 * One line of a build's log: what a step printed ({@code stdout}, {@code stderr}) or what
 * Wrenn says about it ({@code system}: the step starting, its exit, the reason of a failure).
 *
 * @param seq  its place in the build's log, increasing; a reader resumes after the last one it saw
 * @param step the step it belongs to, 1-based as in "step N of M"
 */
public record LogLine(long seq, int step, String stream, String line, Instant at) {
}
