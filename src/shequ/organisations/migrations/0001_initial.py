"""Unit moves here from accounts with its rows: only the migration state changes; the table stays accounts_unit
until 0002 renames it, once every foreign key in the state points here."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0005_units"),
        ("territory", "0002_ordering_by_columns"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Unit",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "public_id",
                            models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="公开编号"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, editable=False, verbose_name="创建时间"
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("department", "职能部门"),
                                    ("property_company", "物业服务企业"),
                                    ("owners_committee", "业主委员会"),
                                    ("social_org", "社会组织"),
                                    ("social_enterprise", "社区社会企业"),
                                    ("other", "其他单位"),
                                ],
                                max_length=20,
                                verbose_name="单位类型",
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="单位名称")),
                        ("is_active", models.BooleanField(default=True, verbose_name="启用")),
                        (
                            "area",
                            models.ForeignKey(
                                help_text="单位所在或服务的辖区：区级部门填区，物业公司、业委会填社区",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.area",
                                verbose_name="所在辖区",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "单位",
                        "verbose_name_plural": "单位",
                        "ordering": ["kind", "name"],
                        "db_table": "accounts_unit",
                        "constraints": [
                            models.UniqueConstraint(fields=("area", "name"), name="unit_name_unique_in_area")
                        ],
                    },
                ),
            ],
        ),
    ]
