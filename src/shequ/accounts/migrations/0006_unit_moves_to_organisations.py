"""Unit now lives in organisations (its 0001): the role assignments' foreign key points there and accounts forgets
the model, once the cases' foreign keys point there too (cases 0009). State only: the table and rows stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_units"),
        ("organisations", "0001_initial"),
        ("cases", "0009_unit_moves_to_organisations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="roleassignment",
                    name="unit",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="职能部门工作人员、组织工作人员所属的单位",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="organisations.unit",
                        verbose_name="所属单位",
                    ),
                ),
                migrations.DeleteModel(name="Unit"),
            ],
        ),
    ]
