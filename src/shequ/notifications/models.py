"""Notifications: each staff user's inbox, the email/SMS deliveries of each entry, and delivery preferences."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel

from .domain import CHANNEL_LABELS, DELIVERY_STATUS_LABELS, Channel, DeliveryStatus


class Notification(BaseModel):
    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=32)
    title = models.CharField(_("标题"), max_length=200)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # Set by senders that must notify once only (e.g. the deadline reminder); unique per recipient.
    dedupe_key = models.CharField(max_length=120, blank=True, editable=False)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_dedupe_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One notification sent (or being sent) over one channel; holds no address and no gateway text."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=8, choices=[(c.value, CHANNEL_LABELS[c]) for c in Channel])
    status = models.CharField(
        _("状态"),
        max_length=8,
        choices=[(s.value, DELIVERY_STATUS_LABELS[s]) for s in DeliveryStatus],
        default=DeliveryStatus.PENDING.value,
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=100, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("通知发送记录")
        verbose_name_plural = _("通知发送记录")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_one_per_channel"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in DeliveryStatus]), name="delivery_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.status}"


class Preference(models.Model):
    """Which topics a user also receives by email or SMS, and the user's mobile for SMS (stored encrypted).

    The email address is the account's own (User.email).
    """

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="notification_preference")
    email_topics = models.JSONField(_("邮件通知"), default=list, blank=True)
    sms_topics = models.JSONField(_("短信通知"), default=list, blank=True)
    mobile_encrypted = models.TextField(blank=True, editable=False)
    mobile_masked = models.CharField(_("手机号码"), max_length=20, blank=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return str(self.user_id)
