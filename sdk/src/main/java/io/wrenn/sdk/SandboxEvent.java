package io.wrenn.sdk;

import java.time.Instant;

/**
 * Something that happened to a sandbox: a step of its lifecycle, or an API call made on it.
 *
 * @param at      when
 * @param source  {@code lifecycle} or {@code request}
 * @param event   a lifecycle step ({@code created}, {@code running}, {@code paused}, {@code stopped},
 *                {@code error}) or a call's route ({@code POST /v1/sandboxes/{id}/pause})
 * @param detail  the template, the boot time, or why it paused or stopped; null when none
 * @param outcome a call's outcome ({@code success} or {@code failure}); null for lifecycle steps
 * @param status  a call's HTTP status; null for lifecycle steps
 * @param actor   the API key ({@code key-…}) or person ({@code usr-…}) that made a call; null otherwise
 */
public record SandboxEvent(Instant at, String source, String event, String detail, String outcome, Integer status,
                           String actor) {
}
