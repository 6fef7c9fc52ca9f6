-- Resource samples of sandboxes, in three tiers of fixed steps: tier 0 every 5 s (raw samples,
-- kept 6 hours), tier 1 per minute and tier 2 per hour (roll-ups, kept 7 and 30 days). `ts` is
-- the start of the step. Rows outlive their sandbox (no foreign key): a destroyed sandbox's
-- series stays readable for the range kept.
CREATE TABLE sandbox_metric_points (
    sandbox_id        uuid NOT NULL,
    team_id           uuid NOT NULL,
    host_id           uuid,
    tier              smallint NOT NULL CHECK (tier IN (0, 1, 2)),
    ts                timestamptz NOT NULL,
    samples           integer NOT NULL,
    vcpus             integer NOT NULL,
    cpu_pct           real NOT NULL,
    cpu_pct_max       real NOT NULL,
    mem_used_bytes    bigint NOT NULL,
    mem_used_max      bigint NOT NULL,
    mem_total_bytes   bigint NOT NULL,
    disk_used_bytes   bigint NOT NULL,
    disk_total_bytes  bigint NOT NULL,
    net_rx_bytes      bigint NOT NULL,
    net_tx_bytes      bigint NOT NULL,
    PRIMARY KEY (sandbox_id, tier, ts)
);
CREATE INDEX sandbox_metric_points_tier_ts ON sandbox_metric_points (tier, ts);

-- One row per team and 10-second step with what the team held then (paused sandboxes count
-- half their memory, rounded up) and what its running sandboxes used. Written by whichever
-- control plane gets there first (the key makes the write idempotent), kept 30 days.
CREATE TABLE team_usage_samples (
    team_id             uuid NOT NULL,
    ts                  timestamptz NOT NULL,
    running             integer NOT NULL,
    paused              integer NOT NULL,
    vcpus_reserved      integer NOT NULL,
    memory_mb_reserved  bigint NOT NULL,
    vcpus_used          real NOT NULL,
    memory_used_bytes   bigint NOT NULL,
    PRIMARY KEY (team_id, ts)
);

-- The steps at which the team sampler ran: a step with a tick but no row for a team means the
-- team held nothing (0); a step without a tick is a gap (no control plane was sampling).
CREATE TABLE usage_sampler_ticks (
    ts  timestamptz PRIMARY KEY
);
CREATE INDEX team_usage_samples_ts ON team_usage_samples (ts);
