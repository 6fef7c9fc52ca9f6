-- A host is known by a stable name, not by its address: an agent may come back on another
-- port (the all-in-one agent listens on a random one), and its sandboxes must stay its own.
ALTER TABLE hosts ADD COLUMN name text;
UPDATE hosts SET name = address;
ALTER TABLE hosts ALTER COLUMN name SET NOT NULL;
ALTER TABLE hosts ADD CONSTRAINT hosts_name_key UNIQUE (name);
ALTER TABLE hosts DROP CONSTRAINT hosts_address_key;
