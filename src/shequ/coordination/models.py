"""The organisations acting in a community with what each is responsible for there (一核多元), and the joint
meetings (联席会议) the community Party organisation convenes, with their follow-ups.

Organisations are `organisations.Unit` rows; an `ActorRole` says what a unit does in one community (a unit placed in
the community, or one placed above it, such as a district department, that is present there). The contact person's
name and mobile are personal information: stored only encrypted, with masked forms (see `encryption.py`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel

from .domain import KIND_LABELS, STATUS_LABELS, Kind, Status

USER = "accounts.User"


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(k.value, v) for k, v in labels.items()]


class ActorRole(BaseModel):
    """What one unit is responsible for in one community (专业人做专业事), with its contact person."""

    community = models.ForeignKey("territory.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("organisations.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    responsibilities = models.TextField(_("在本社区的职责"), blank=True)
    contact_name_encrypted = models.TextField(blank=True, editable=False)
    contact_name_hash = models.CharField(max_length=64, blank=True, editable=False)
    contact_name_masked = models.CharField(_("联系人"), max_length=60, blank=True, editable=False)
    contact_mobile_encrypted = models.TextField(blank=True, editable=False)
    contact_mobile_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("单位职责")
        verbose_name_plural = _("单位职责")
        ordering = ["community_id", "unit__kind", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["community", "unit"], name="coordination_role_unique")]

    def __str__(self) -> str:
        return f"{self.unit} @ {self.community}"


class JointMeeting(BaseModel):
    """A joint meeting (联席会议) of the community's organisations, convened by the community Party organisation."""

    community = models.ForeignKey("territory.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    convened_by = models.ForeignKey(
        "organisations.Unit", verbose_name=_("召集单位"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    topic = models.CharField(_("议题"), max_length=200)
    participants = models.ManyToManyField("organisations.Unit", verbose_name=_("参会单位"), related_name="+")
    attendees = models.CharField(_("其他列席人员"), max_length=300, blank=True)
    minutes = models.TextField(_("会议纪要"))
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["community", "held_on"])]

    def __str__(self) -> str:
        return self.topic


class FollowUp(BaseModel):
    """A matter a joint meeting agreed on (议定事项), led by one unit, until done; it may become a case or a
    proposal once."""

    meeting = models.ForeignKey("coordination.JointMeeting", on_delete=models.PROTECT, related_name="follow_ups")
    text = models.CharField(_("议定事项"), max_length=300)
    lead_unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("牵头单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=_choices(STATUS_LABELS), default=Status.OPEN.value)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    result = models.CharField(_("办理结果"), max_length=500, blank=True)
    kind = models.CharField(_("办理方式"), max_length=10, choices=_choices(KIND_LABELS), default=Kind.NONE.value)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(
        "deliberation.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["meeting_id", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.text
