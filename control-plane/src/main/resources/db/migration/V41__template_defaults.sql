-- What every sandbox made from a template gets unless its create says otherwise, as its host
-- reported them (an image made from a sandbox's disk keeps them in its template.json). Only the
-- names of the environment variables: their values often carry credentials, and the host that
-- holds the template is the only party that needs them, as for a sandbox's own environment.
ALTER TABLE templates ADD COLUMN default_user text;
ALTER TABLE templates ADD COLUMN default_workdir text;
ALTER TABLE templates ADD COLUMN default_env_keys text[] NOT NULL DEFAULT '{}';
