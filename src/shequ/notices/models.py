"""Public notices (公示) and objections (异议). The rules are in domain.py and services.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel

from .domain import CHANNEL_LABELS, KIND_LABELS, OBJECTION_STATUS_LABELS, STATUS_LABELS, ObjectionStatus, Status


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(k.value, v) for k, v in labels.items()]


class Notice(BaseModel):
    """A notice addressed to the residents of a community, or of one compound or building in it.

    `area_path` is the community's path (copied for scoping). `source_type`/`source_id` name the record the
    notice publishes (e.g. "votes.item" and its public id) without this app knowing that app.
    """

    community = models.ForeignKey("territory.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    compound = models.ForeignKey(
        "territory.Compound",
        verbose_name=_("小区（院落）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    building = models.ForeignKey(
        "territory.Building", verbose_name=_("楼栋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("公示类别"), max_length=16, choices=_choices(KIND_LABELS), db_index=True)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("公示内容"))
    starts_on = models.DateField(_("公示开始日期"))
    ends_on = models.DateField(_("公示结束日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=_choices(STATUS_LABELS), default=Status.DRAFT.value, db_index=True
    )
    source_type = models.CharField(_("来源类型"), max_length=40, blank=True)
    source_id = models.CharField(_("来源编号"), max_length=64, blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("更正的公示"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("起草人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_by = models.ForeignKey(
        "accounts.User", verbose_name=_("发布人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "accounts.User", verbose_name=_("撤回人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_reason = models.TextField(_("撤回理由"), blank=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["source_type", "source_id"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="notice_period_order")
        ]

    def __str__(self) -> str:
        return self.title


class Objection(BaseModel):
    """An objection of a resident to a notice, and the staff's answer."""

    notice = models.ForeignKey("notices.Notice", on_delete=models.PROTECT, related_name="objections")
    resident = models.ForeignKey(
        "registry.Resident", verbose_name=_("异议人"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("异议内容"))
    channel = models.CharField(_("提出方式"), max_length=16, choices=_choices(CHANNEL_LABELS))
    received_on = models.DateField(_("收到日期"))
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("代为登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=_choices(OBJECTION_STATUS_LABELS),
        default=ObjectionStatus.OPEN.value,
        db_index=True,
    )
    answer = models.TextField(_("答复内容"), blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", verbose_name=_("答复人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.notice_id}"
