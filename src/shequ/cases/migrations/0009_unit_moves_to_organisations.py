"""Unit now lives in organisations: the cases' foreign keys point there. State only (the table is unchanged)."""

import django.db.models.deletion
from django.db import migrations, models


def _unit(**kwargs):
    return models.ForeignKey(
        null=True, blank=True, on_delete=django.db.models.deletion.PROTECT, to="organisations.unit", **kwargs
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_case_reporter_contact_consent"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="holder_unit",
                    field=_unit(related_name="+", verbose_name="承办单位（部门/组织）"),
                ),
                migrations.AlterField(model_name="caseassignment", name="unit", field=_unit(related_name="+")),
                migrations.AlterField(
                    model_name="routingdecision", name="suggested_unit", field=_unit(related_name="+")
                ),
                migrations.AlterField(model_name="routingdecision", name="actual_unit", field=_unit(related_name="+")),
            ],
        ),
    ]
