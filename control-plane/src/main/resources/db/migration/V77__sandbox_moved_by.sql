-- The control plane that made a sandbox's last move, not only its create: a pausing or resuming
-- row whose mover is gone (killed, or its database died under it) is settled from its host at
-- the reconciler's next pass instead of after the pause grace, as starting rows already were.
ALTER TABLE sandboxes RENAME COLUMN creator TO moved_by;
