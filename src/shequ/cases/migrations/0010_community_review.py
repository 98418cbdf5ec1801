import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import shequ.cases.models


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("territory", "0001_initial"),
        ("cases", "0009_unit_moves_to_organisations"),
    ]

    operations = [
        migrations.CreateModel(
            name="CommunityCaseSettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "review_answers_for",
                    models.JSONField(
                        blank=True,
                        default=shequ.cases.models.default_review_types,
                        verbose_name="答复须经社区审核的诉求类型",
                    ),
                ),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="修改时间")),
                (
                    "community",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="territory.area",
                        verbose_name="社区",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "社区诉求设置", "verbose_name_plural": "社区诉求设置"},
        ),
    ]
