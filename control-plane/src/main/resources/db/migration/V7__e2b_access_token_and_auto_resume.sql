-- The secret each sandbox's envd demands (X-Access-Token). The control plane chooses it at
-- create and hands it to the sandbox's team (E2B clients call it envdAccessToken); the
-- traffic route checks it before anything reaches a host. Never part of a sandbox listing.
ALTER TABLE sandboxes ADD COLUMN envd_access_token text;

-- E2B's lifecycle.autoResume: a paused sandbox with it is resumed by incoming traffic.
ALTER TABLE sandboxes ADD COLUMN auto_resume boolean NOT NULL DEFAULT false;
