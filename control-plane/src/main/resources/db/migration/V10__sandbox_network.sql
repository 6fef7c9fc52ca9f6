-- A sandbox's network settings (egress policy and inbound access), Wrenn's snake_case JSON as
-- io.wrenn.controlplane.network.NetworkPolicy writes it. Null on rows from before: open defaults.
ALTER TABLE sandboxes ADD COLUMN network jsonb;
