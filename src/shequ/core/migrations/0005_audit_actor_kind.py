"""The audit log names the actor's kind and stable reference (issue 12: one actor model).

Rows written from now on carry `actor_kind` and `actor_ref` and are sealed in canonical version 3, which
covers both. Older rows keep empty values and their version: they are translated on display, never
rewritten. The append-only guards now also freeze the two new columns.
"""

from django.db import migrations, models

PG_UP = """
CREATE OR REPLACE FUNCTION core_auditrecord_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit log is append-only: delete refused';
    END IF;
    IF OLD.hash <> '' OR
       (NEW.created_at, NEW.actor_id, NEW.actor_label, NEW.actor_kind, NEW.actor_ref, NEW.action, NEW.object_type,
        NEW.object_id, NEW.object_label, NEW.before::text, NEW.after::text, NEW.ip, NEW.key_id, NEW.canon_version)
       IS DISTINCT FROM
       (OLD.created_at, OLD.actor_id, OLD.actor_label, OLD.actor_kind, OLD.actor_ref, OLD.action, OLD.object_type,
        OLD.object_id, OLD.object_label, OLD.before::text, OLD.after::text, OLD.ip, OLD.key_id, OLD.canon_version) THEN
        RAISE EXCEPTION 'audit log is append-only: update refused';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_UP = [
    """CREATE TRIGGER core_auditrecord_no_delete BEFORE DELETE ON core_auditrecord
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only: delete refused'); END;""",
    """CREATE TRIGGER core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord
       WHEN OLD.hash <> '' OR NEW.created_at IS NOT OLD.created_at OR NEW.actor_id IS NOT OLD.actor_id
         OR NEW.actor_label IS NOT OLD.actor_label OR NEW.actor_kind IS NOT OLD.actor_kind
         OR NEW.actor_ref IS NOT OLD.actor_ref OR NEW.action IS NOT OLD.action
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


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_keyed_seal")]

    operations = [
        migrations.AddField(
            model_name="auditrecord",
            name="actor_kind",
            field=models.CharField(blank=True, default="", max_length=16, verbose_name="操作人类型"),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="actor_ref",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="操作人编号"),
        ),
        migrations.AlterField(
            model_name="auditrecord",
            name="canon_version",
            field=models.PositiveSmallIntegerField(default=3, verbose_name="规范格式版本"),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
