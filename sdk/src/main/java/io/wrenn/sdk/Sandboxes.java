package io.wrenn.sdk;

import java.util.List;
import java.util.Set;

/** The team's sandboxes. Thread-safe. */
public interface Sandboxes {

    /**
     * Creates a sandbox and answers once it runs (a cold boot takes seconds, a sandbox from a
     * snapshot template well under one).
     *
     * @param spec what to create
     * @return the running sandbox; closing it destroys it
     */
    Sandbox create(SandboxSpec spec);

    /**
     * A handle on an existing sandbox (e.g. one created by another process).
     *
     * @param id its id
     * @return its handle
     * @throws WrennException.NotFoundException when the team has no such sandbox
     */
    Sandbox connect(String id);

    /** The team's sandboxes that are not stopped, newest first. */
    List<SandboxInfo> list();

    /**
     * The team's sandboxes in any of {@code statuses}, newest first.
     *
     * @param statuses the statuses to list; empty for all
     */
    List<SandboxInfo> list(Set<SandboxStatus> statuses);

    /**
     * The team's usage now, its 30-day peaks and a series over a range ending now.
     *
     * @param range one of 5 minutes, 1, 6 or 24 hours, 30 days
     * @return the stats
     * @throws WrennException.InvalidRequestException for another range
     */
    UsageStats stats(MetricsRange range);
}
