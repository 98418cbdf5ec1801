"""Unit's table takes the app's name (accounts_unit -> organisations_unit; the foreign keys follow the rename on
SQLite and PostgreSQL); its content type moves too, so permissions and admin log entries keep pointing at it.
A unit may now sit in a compound or a building of its area."""

import django.db.models.deletion
from django.db import migrations, models


def _move_content_type(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=new, model="unit").exists():
        ContentType.objects.using(db).filter(app_label=old, model="unit").update(app_label=new)


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "accounts", "organisations")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "organisations", "accounts")


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        ("accounts", "0006_unit_moves_to_organisations"),
        ("cases", "0009_unit_moves_to_organisations"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("territory", "0002_ordering_by_columns"),
    ]

    operations = [
        migrations.AlterModelTable(name="unit", table=None),
        migrations.RunPython(forwards, backwards),
        migrations.AddField(
            model_name="unit",
            name="compound",
            field=models.ForeignKey(
                blank=True,
                help_text="只服务一个小区（院落）的单位填写，如该小区的物业公司、业委会；须位于所在辖区内",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territory.compound",
                verbose_name="所在小区",
            ),
        ),
        migrations.AddField(
            model_name="unit",
            name="building",
            field=models.ForeignKey(
                blank=True,
                help_text="只服务一栋楼的单位填写；须属于所在小区",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territory.building",
                verbose_name="所在楼栋",
            ),
        ),
    ]
