-- The control plane whose call is making a creating snapshot row: a row whose maker is gone
-- (killed, or its database died under it) is settled from its host at the reconciler's next pass
-- instead of after the snapshot grace, as pausing and resuming sandboxes are (V77).
ALTER TABLE templates ADD COLUMN made_by uuid;
