"""Make the audit table append-only at the database level.

Sealed rows (hash set) cannot be updated; no row can be deleted. The sealer may only fill in seq,
prev_hash and hash of an unsealed row. A DBA with DDL rights can still drop the triggers: that is
what the hash chain and `shequ audit-verify` are for.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION core_auditrecord_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit log is append-only: delete refused';
    END IF;
    IF OLD.hash <> '' OR
       (NEW.created_at, NEW.actor_id, NEW.actor_label, NEW.action, NEW.object_type, NEW.object_id,
        NEW.object_label, NEW.before::text, NEW.after::text, NEW.ip)
       IS DISTINCT FROM
       (OLD.created_at, OLD.actor_id, OLD.actor_label, OLD.action, OLD.object_type, OLD.object_id,
        OLD.object_label, OLD.before::text, OLD.after::text, OLD.ip) THEN
        RAISE EXCEPTION 'audit log is append-only: update refused';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditrecord_append_only BEFORE UPDATE OR DELETE ON core_auditrecord
    FOR EACH ROW EXECUTE FUNCTION core_auditrecord_guard();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS core_auditrecord_append_only ON core_auditrecord;
DROP FUNCTION IF EXISTS core_auditrecord_guard();
"""
SQLITE_UP = [
    """CREATE TRIGGER core_auditrecord_no_delete BEFORE DELETE ON core_auditrecord
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only: delete refused'); END;""",
    """CREATE TRIGGER core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord
       WHEN OLD.hash <> '' OR NEW.created_at IS NOT OLD.created_at OR NEW.actor_id IS NOT OLD.actor_id
         OR NEW.actor_label IS NOT OLD.actor_label OR NEW.action IS NOT OLD.action
         OR NEW.object_type IS NOT OLD.object_type OR NEW.object_id IS NOT OLD.object_id
         OR NEW.object_label IS NOT OLD.object_label OR NEW.before IS NOT OLD.before
         OR NEW.after IS NOT OLD.after OR NEW.ip IS NOT OLD.ip
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only: update refused'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditrecord_no_delete;",
    "DROP TRIGGER IF EXISTS core_auditrecord_no_update;",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        for stmt in SQLITE_UP:
            schema_editor.execute(stmt)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        for stmt in SQLITE_DOWN:
            schema_editor.execute(stmt)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
