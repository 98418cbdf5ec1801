# Resident topics and their synonyms (issue 13); written by hand to follow 0010_community_review.

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_community_review"),
    ]

    operations = [
        migrations.CreateModel(
            name="CommunityTopic",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "public_id",
                    models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="公开编号"),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="创建时间"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="代码")),
                ("name", models.CharField(max_length=30, verbose_name="名称")),
                ("name_en", models.CharField(blank=True, max_length=60, verbose_name="英文名称")),
                ("featured", models.BooleanField(default=False, verbose_name="常用")),
                ("position", models.PositiveSmallIntegerField(default=100, verbose_name="排序")),
                ("is_active", models.BooleanField(default=True, verbose_name="启用")),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cases.category",
                        verbose_name="对应分类",
                    ),
                ),
            ],
            options={
                "verbose_name": "居民反映话题",
                "verbose_name_plural": "居民反映话题",
                "ordering": ["position", "code"],
            },
        ),
        migrations.CreateModel(
            name="TopicSynonym",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.CharField(max_length=40, verbose_name="同义词")),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="synonyms",
                        to="cases.communitytopic",
                        verbose_name="话题",
                    ),
                ),
            ],
            options={
                "verbose_name": "话题同义词",
                "verbose_name_plural": "话题同义词",
                "ordering": ["topic", "text"],
                "constraints": [models.UniqueConstraint(fields=("topic", "text"), name="topic_synonym_unique")],
            },
        ),
    ]
