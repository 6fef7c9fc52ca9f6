package io.wrenn.sdk;

import java.time.Instant;

/**
 * One line of a build's log.
 *
 * @param seq    its place in the log (increasing)
 * @param step   the step that printed it
 * @param stream {@code stdout}, {@code stderr} or {@code system} (Wrenn's own lines)
 * @param line   the text
 * @param at     when it was printed
 */
public record BuildLogLine(long seq, int step, String stream, String line, Instant at) {
}
