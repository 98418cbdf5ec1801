"""Stored warnings of open cases, their history, and each district's petition-risk threshold."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel

from .domain import EVENT_CHOICES, STATE_CHOICES, State


class Kind(models.TextChoices):
    PETITION_RISK = "petition_risk", _("信访风险")


class Warning(BaseModel):
    """One warning per case and kind, kept up to date by recomputation (`services.warnings_recompute`).

    `reasons` holds the contributing factors as `[{"code", "points", "params"}]` (stable codes of `risk.py`);
    `codes_at_close` the codes present when it was last closed, so that only a new code reopens it. `district` is
    the case's district, whose threshold decides whether the warning is listed.
    """

    case = models.ForeignKey("cases.Case", verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("预警类型"), max_length=32, choices=Kind.choices, default=Kind.PETITION_RISK)
    district = models.ForeignKey(
        "territory.Area", verbose_name=_("所属区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveIntegerField(_("风险分"), default=0, db_index=True)
    reasons = models.JSONField(_("预警原因"), default=list, blank=True)
    codes_at_close = models.JSONField(_("关闭时的原因"), default=list, blank=True)
    state = models.CharField(
        _("处置状态"), max_length=16, choices=STATE_CHOICES, default=State.OPEN.value, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指派给"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="analysis_warning_one_per_case_kind")]
        indexes = [models.Index(fields=["district", "state", "score"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id} {self.score}"

    @property
    def codes(self) -> list[str]:
        return [r.get("code", "") for r in self.reasons or []]


class WarningEvent(models.Model):
    """One step in a warning's history: raised, acknowledged, assigned, noted, closed or reopened (append-only)."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(_("事件"), max_length=16, choices=EVENT_CHOICES)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指派给"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("备注"), blank=True)
    codes = models.JSONField(_("新的原因"), default=list, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("预警处置记录")
        verbose_name_plural = _("预警处置记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.warning_id} {self.event}"


class RiskThreshold(BaseModel):
    """The petition-risk threshold a district sets: its warnings at or above it are listed."""

    district = models.OneToOneField("territory.Area", verbose_name=_("区"), on_delete=models.CASCADE, related_name="+")
    threshold = models.PositiveSmallIntegerField(_("预警阈值（分）"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("信访风险预警阈值")
        verbose_name_plural = _("信访风险预警阈值")

    def __str__(self) -> str:
        return f"{self.district_id}: {self.threshold}"
