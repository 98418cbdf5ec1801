"""Keyed sealing of the audit chain, and a stricter append-only guard.

New columns (set at insert, never updated): the id of the audit key that seals the row and the version of
the canonical form the seal covers. Existing rows get version 1 (their unkeyed SHA-256 seal stays valid).
The guards now also freeze these columns, and on PostgreSQL a statement trigger refuses TRUNCATE, which row
triggers never see. Someone with DDL rights can still drop the triggers; the deployment runs the
application as a role without them (docs/security.md), and the keyed chain plus the anchors outside the
database detect what a privileged attacker does anyway.
"""

from django.db import migrations, models

PG_UP = """
CREATE OR REPLACE FUNCTION core_auditrecord_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit log is append-only: delete refused';
    END IF;
    IF OLD.hash <> '' OR
       (NEW.created_at, NEW.actor_id, NEW.actor_label, NEW.action, NEW.object_type, NEW.object_id,
        NEW.object_label, NEW.before::text, NEW.after::text, NEW.ip, NEW.key_id, NEW.canon_version)
       IS DISTINCT FROM
       (OLD.created_at, OLD.actor_id, OLD.actor_label, OLD.action, OLD.object_type, OLD.object_id,
        OLD.object_label, OLD.before::text, OLD.after::text, OLD.ip, OLD.key_id, OLD.canon_version) THEN
        RAISE EXCEPTION 'audit log is append-only: update refused';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION core_auditrecord_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: truncate refused';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditrecord_no_truncate ON core_auditrecord;
CREATE TRIGGER core_auditrecord_no_truncate BEFORE TRUNCATE ON core_auditrecord
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditrecord_refuse_truncate();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS core_auditrecord_no_truncate ON core_auditrecord;
DROP FUNCTION IF EXISTS core_auditrecord_refuse_truncate();
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
         OR NEW.key_id IS NOT OLD.key_id OR NEW.canon_version IS NOT OLD.canon_version
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
        for stmt in SQLITE_DOWN + SQLITE_UP:
            schema_editor.execute(stmt)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_keycanary")]

    operations = [
        migrations.AddField(
            model_name="auditrecord",
            name="canon_version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="规范格式版本"),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16, verbose_name="密钥编号"),
        ),
        # Existing rows got version 1 above; rows written from now on are keyed.
        migrations.AlterField(
            model_name="auditrecord",
            name="canon_version",
            field=models.PositiveSmallIntegerField(default=2, verbose_name="规范格式版本"),
        ),
        migrations.RunPython(install, remove),
    ]
