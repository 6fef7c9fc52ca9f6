-- Every change to a sandbox row tells every control plane listening on the database which team's
-- sandboxes changed (payload '<team id>:<sandbox id>'), so the reads each one answers from memory
-- (sandbox.SandboxCache) are dropped when the row moves, whoever moved it. A trigger, not the
-- writers: no writer, present or future, can forget to tell. pg_notify is sent at commit, and
-- only if the transaction commits.
CREATE FUNCTION wrenn_sandbox_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('wrenn_sandbox_changes', '*');
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('wrenn_sandbox_changes', OLD.team_id::text || ':' || OLD.id::text);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.team_id IS DISTINCT FROM OLD.team_id) THEN
        PERFORM pg_notify('wrenn_sandbox_changes', NEW.team_id::text || ':' || NEW.id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sandboxes_changed AFTER INSERT OR UPDATE OR DELETE ON sandboxes
    FOR EACH ROW EXECUTE FUNCTION wrenn_sandbox_changed();
CREATE TRIGGER sandboxes_truncated AFTER TRUNCATE ON sandboxes
    FOR EACH STATEMENT EXECUTE FUNCTION wrenn_sandbox_changed();
