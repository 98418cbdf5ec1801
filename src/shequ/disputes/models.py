"""Dispute mediation records (矛盾纠纷调解) attached to a case of type 矛盾纠纷.

No mobile or ID number is stored here: parties are linked to the register (which keeps those encrypted)
or named only.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel

from .domain import (
    ATTITUDE_LABELS,
    HONOURED_LABELS,
    OUTCOME_LABELS,
    PARTY_KIND_LABELS,
    PARTY_ROLE_LABELS,
    RISK_COLOUR_LABELS,
    VISIT_METHOD_LABELS,
)


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(k.value, v) for k, v in labels.items()]


class Dispute(BaseModel):
    """The mediation file of one dispute case; its risk colour is the current one (changes are audited)."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("诉求"), on_delete=models.PROTECT, related_name="dispute_record"
    )
    risk_colour = models.CharField(
        _("风险等级"), max_length=8, choices=_choices(RISK_COLOUR_LABELS), blank=True, db_index=True
    )
    risk_reason = models.TextField(_("定级理由"), blank=True)
    risk_set_by = models.ForeignKey(
        "accounts.User", verbose_name=_("定级人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    risk_set_at = models.DateTimeField(_("定级时间"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("矛盾纠纷")
        verbose_name_plural = _("矛盾纠纷")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id}"


class Party(BaseModel):
    """A party to the dispute: a registered resident or household, an organisation, or another person."""

    dispute = models.ForeignKey("disputes.Dispute", on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField(_("当事人类别"), max_length=16, choices=_choices(PARTY_KIND_LABELS))
    role = models.CharField(_("当事人身份"), max_length=16, choices=_choices(PARTY_ROLE_LABELS))
    resident = models.ForeignKey(
        "registry.Resident", verbose_name=_("居民"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("户"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100)
    added_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class MediationSession(BaseModel):
    """One mediation meeting (调解记录)."""

    dispute = models.ForeignKey("disputes.Dispute", on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("调解日期"))
    place = models.CharField(_("调解地点"), max_length=100)
    mediator = models.ForeignKey(
        "accounts.User", verbose_name=_("调解员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mediator_name = models.CharField(_("调解员"), max_length=100)
    attendees = models.TextField(_("参加人员"))
    summary = models.TextField(_("调解情况"))
    outcome = models.CharField(_("调解结果"), max_length=16, choices=_choices(OUTCOME_LABELS))
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.outcome}"


class Agreement(BaseModel):
    """The mediation agreement's current terms and signing parties; documents are its generated versions."""

    dispute = models.OneToOneField("disputes.Dispute", on_delete=models.CASCADE, related_name="agreement")
    terms = models.TextField(_("协议内容"))
    signatories = models.ManyToManyField("disputes.Party", verbose_name=_("签署当事人"), related_name="+")
    updated_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("调解协议")
        verbose_name_plural = _("调解协议")

    def __str__(self) -> str:
        return f"{self.dispute_id}"


class AgreementDocument(BaseModel):
    """A generated PDF of the agreement; regenerating adds version n+1 and keeps the older ones."""

    agreement = models.ForeignKey("disputes.Agreement", on_delete=models.PROTECT, related_name="documents")
    version = models.PositiveIntegerField(_("版本"))
    file = models.FileField(_("文件"), upload_to="dispute-agreements/%Y/%m/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    terms = models.TextField(_("协议内容"))  # the terms as printed in this version
    generated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("调解协议书")
        verbose_name_plural = _("调解协议书")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["agreement", "version"], name="agreement_version_unique")]

    def __str__(self) -> str:
        return f"v{self.version}"


class FollowUpVisit(BaseModel):
    """A follow-up visit (回访) after the dispute was resolved or closed."""

    dispute = models.ForeignKey("disputes.Dispute", on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("回访日期"))
    visitor = models.ForeignKey(
        "accounts.User", verbose_name=_("回访人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visitor_name = models.CharField(_("回访人"), max_length=100)
    method = models.CharField(_("回访方式"), max_length=16, choices=_choices(VISIT_METHOD_LABELS))
    attitude = models.CharField(_("当事人态度"), max_length=16, choices=_choices(ATTITUDE_LABELS))
    honoured = models.CharField(_("协议履行情况"), max_length=16, choices=_choices(HONOURED_LABELS))
    note = models.TextField(_("回访情况"), blank=True)

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["visited_on", "id"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.method}"
