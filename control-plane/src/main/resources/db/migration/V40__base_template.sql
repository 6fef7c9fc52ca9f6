-- `base`, E2B's default template (what its SDKs' Sandbox.create() asks for when no template is
-- named), is a platform image of its own name: another name for `debian` on the hosts (a link
-- in the image directory), so both Wrenn's API and the E2B facade resolve it like any template.
INSERT INTO templates (id, team_id, name, type, vcpus, memory_mb)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-000000000000', 'base', 'image', 1, 512
WHERE NOT EXISTS (SELECT 1 FROM templates
                  WHERE team_id = '00000000-0000-0000-0000-000000000000' AND name = 'base' AND deleted_at IS NULL);
