"""Core data: the base model, the audit log and the working-day calendar."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Base for every domain object: a public id for URLs and the API, never the sequential key."""

    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditRecord(models.Model):
    """One append-only audit entry; `seq`, `prev_hash` and `hash` are assigned later by the sealer.

    Writers insert freely (no lock on a chain head); `core.audit.seal_pending` numbers the new rows and
    chains their HMACs in one short locked step. Database triggers refuse UPDATE of a sealed row, any
    change to an unsealed row's content, any DELETE and (PostgreSQL) TRUNCATE.
    """

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("操作人编号"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    # Version 3 on: the actor's kind (core.actors.Kind) and stable reference (user id, resident or client public
    # id, job name; empty for an anonymous report). Older rows carry only the free-text label.
    actor_kind = models.CharField(_("操作人类型"), max_length=16, blank=True, default="")
    actor_ref = models.CharField(_("操作人编号"), max_length=64, blank=True, default="")
    action = models.CharField(_("操作"), max_length=100, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    object_label = models.CharField(_("对象"), max_length=255, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    ip = models.CharField(_("IP 地址"), max_length=64, blank=True)
    # Set at insert, never updated: which audit key seals the row and how it is serialised for the seal.
    # Version 1 (rows from before keyed sealing): SHA-256, no key. Version 2: HMAC-SHA256 under `key_id`.
    # Version 3: as 2, and the seal also covers `actor_kind` and `actor_ref`.
    key_id = models.CharField(_("密钥编号"), max_length=16, blank=True, default="")
    canon_version = models.PositiveSmallIntegerField(_("规范格式版本"), default=3)
    seq = models.BigIntegerField(_("序号"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["object_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_label}"


class CalendarYear(models.Model):
    """A year for which the official holiday schedule (国务院办公厅通知) has been entered."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("已发布节假日安排的年份")
        verbose_name_plural = _("已发布节假日安排的年份")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a holiday on a weekday or a make-up working weekend day."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class KeyCanary(models.Model):
    """A known plaintext encrypted under each personal-information key: proves the keyring matches the data."""

    key_id = models.CharField(max_length=32, unique=True)
    ciphertext = models.TextField()
    mac = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("密钥校验值")
        verbose_name_plural = _("密钥校验值")

    def __str__(self) -> str:
        return self.key_id
