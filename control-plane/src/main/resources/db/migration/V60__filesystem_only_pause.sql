-- A pause may keep only the disk (the resume boots it); the timeout may pause that way too.
ALTER TABLE sandboxes ADD COLUMN paused_without_memory boolean NOT NULL DEFAULT false;
ALTER TABLE sandboxes DROP CONSTRAINT sandboxes_on_timeout_check;
ALTER TABLE sandboxes ADD CONSTRAINT sandboxes_on_timeout_check
    CHECK (on_timeout IN ('destroy', 'pause', 'pause_filesystem'));
-- The envd version the running guest reported (E2B's envdVersion); null when its host did not say.
ALTER TABLE sandboxes ADD COLUMN envd_version text;
