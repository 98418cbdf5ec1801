"""Deliberation data: body rules and members, proposals, meetings and resolutions, residents' groups and meetings.

Bodies themselves are `organisations.Unit` rows of a body kind (see `domain.BODY_KINDS`); everything about how a
body deliberates lives here. Status fields hold the state; timestamps record when things happened.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel

from .domain import (
    BASIS_LABELS,
    CHOICE_LABELS,
    DEFAULT_SUPPORT_THRESHOLD,
    MAJORITY_BASE_LABELS,
    ROLE_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    BodyRule,
    MajorityBase,
    Status,
    Threshold,
)


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(k.value, v) for k, v in labels.items()]


USER = "accounts.User"


class BodyRules(BaseModel):
    """A body's rules (议事规则): quorum and majority as exact fractions, and the support threshold of proposals."""

    body = models.OneToOneField(
        "organisations.Unit", verbose_name=_("议事机构"), on_delete=models.CASCADE, related_name="+"
    )
    quorum_numerator = models.PositiveSmallIntegerField(_("法定人数（分子）"), default=1)
    quorum_denominator = models.PositiveSmallIntegerField(_("法定人数（分母）"), default=2)
    quorum_strict = models.BooleanField(_("法定人数须超过该比例"), default=True)
    majority_numerator = models.PositiveSmallIntegerField(_("表决通过（分子）"), default=1)
    majority_denominator = models.PositiveSmallIntegerField(_("表决通过（分母）"), default=2)
    majority_strict = models.BooleanField(_("赞成须超过该比例"), default=True)
    majority_base = models.CharField(
        _("表决基数"), max_length=10, choices=_choices(MAJORITY_BASE_LABELS), default=MajorityBase.PRESENT.value
    )
    support_threshold = models.PositiveIntegerField(_("议题附议门槛（人）"), default=DEFAULT_SUPPORT_THRESHOLD)
    supervises = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("监督的议事机构"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("议事规则")
        verbose_name_plural = _("议事规则")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quorum_denominator__gt=0, quorum_numerator__lte=models.F("quorum_denominator")),
                name="body_rules_quorum_fraction",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    majority_denominator__gt=0, majority_numerator__lte=models.F("majority_denominator")
                ),
                name="body_rules_majority_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body_id}"

    @property
    def rule(self) -> BodyRule:
        return BodyRule(
            quorum=Threshold(self.quorum_numerator, self.quorum_denominator, self.quorum_strict),
            majority=Threshold(self.majority_numerator, self.majority_denominator, self.majority_strict),
            majority_base=MajorityBase(self.majority_base),
        )


class Membership(BaseModel):
    """One member of a body for one term: a resident on the register or a named person."""

    body = models.ForeignKey(
        "organisations.Unit", verbose_name=_("议事机构"), on_delete=models.CASCADE, related_name="+"
    )
    resident = models.ForeignKey(
        "registry.Resident", verbose_name=_("居民"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("职务"), max_length=20, choices=_choices(ROLE_LABELS))
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期届满"), null=True, blank=True)
    left_on = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        ordering = ["body_id", "role", "name", "id"]
        indexes = [models.Index(fields=["body", "term_end"])]

    def __str__(self) -> str:
        return self.name


class ResidentsGroup(BaseModel):
    """A residents' group (居民小组) of a community: the buildings or dwellings it covers, and its leader."""

    community = models.ForeignKey("territory.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("小组名称"), max_length=50)
    buildings = models.ManyToManyField("territory.Building", verbose_name=_("楼栋"), blank=True, related_name="+")
    dwellings = models.ManyToManyField("territory.Dwelling", verbose_name=_("房屋"), blank=True, related_name="+")
    leader = models.ForeignKey(
        "registry.Resident", verbose_name=_("组长"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    leader_name = models.CharField(_("组长"), max_length=50, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("居民小组")
        verbose_name_plural = _("居民小组")
        ordering = ["community_id", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="residents_group_name_unique")]

    def __str__(self) -> str:
        return self.name


class Proposal(BaseModel):
    """A proposal (议题) of a community, possibly addressed to one body and possibly born from a case."""

    community = models.ForeignKey("territory.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("议事机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("议题"), max_length=100)
    description = models.TextField(_("议题内容"))
    source = models.CharField(_("来源"), max_length=10, choices=_choices(SOURCE_LABELS))
    status = models.CharField(
        _("状态"), max_length=12, choices=_choices(STATUS_LABELS), default=Status.DISCUSSING.value, db_index=True
    )
    author_resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("来源诉求"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    support_threshold = models.PositiveIntegerField(_("附议门槛（人）"))
    status_reason = models.TextField(_("说明"), blank=True)
    decision = models.TextField(_("决定"), blank=True)
    submitted_at = models.DateTimeField(_("提出时间"))
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ProposalSupport(models.Model):
    """A resident's support (附议) of a proposal: one per resident."""

    proposal = models.ForeignKey("deliberation.Proposal", on_delete=models.CASCADE, related_name="supports")
    resident = models.ForeignKey("registry.Resident", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("附议时间"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "resident"], name="proposal_support_once")]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.resident_id}"


class ProposalComment(BaseModel):
    """A comment on a proposal; staff may hide it with a reason (it is kept, never deleted)."""

    proposal = models.ForeignKey("deliberation.Proposal", on_delete=models.CASCADE, related_name="comments")
    author_resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("意见"))
    hidden_at = models.DateTimeField(_("隐藏时间"), null=True, blank=True)
    hidden_reason = models.CharField(_("隐藏原因"), max_length=200, blank=True)
    hidden_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("议题意见")
        verbose_name_plural = _("议题意见")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:20]


class ProgressUpdate(BaseModel):
    """Progress of carrying out an adopted proposal, with photos."""

    proposal = models.ForeignKey("deliberation.Proposal", on_delete=models.CASCADE, related_name="progress")
    happened_on = models.DateField(_("日期"))
    note = models.TextField(_("进展情况"))
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("实施进展")
        verbose_name_plural = _("实施进展")
        ordering = ["happened_on", "id"]

    def __str__(self) -> str:
        return f"{self.happened_on}"


class ProgressPhoto(BaseModel):
    update = models.ForeignKey("deliberation.ProgressUpdate", on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="deliberation-progress/%Y/%m/")

    class Meta:
        ordering = ["id"]


class Meeting(BaseModel):
    """A meeting of a body: date, place or online, the attendance list, the agenda, minutes and resolutions."""

    body = models.ForeignKey(
        "organisations.Unit", verbose_name=_("议事机构"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("会议名称"), max_length=100)
    held_at = models.DateTimeField(_("会议时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    online = models.BooleanField(_("线上会议"), default=False)
    minutes = models.TextField(_("会议纪要"), blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    meeting = models.ForeignKey("deliberation.Meeting", on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey("deliberation.Membership", on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("出席"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.membership_id}"


class AgendaItem(BaseModel):
    meeting = models.ForeignKey("deliberation.Meeting", on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("议程"), max_length=100)
    proposal = models.ForeignKey(
        "deliberation.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "proposal"], name="agenda_proposal_once")]

    def __str__(self) -> str:
        return self.title


class Resolution(BaseModel):
    """A resolution voted at a meeting, with the counts and the quorum/majority result at the time of the vote."""

    meeting = models.ForeignKey("deliberation.Meeting", on_delete=models.PROTECT, related_name="resolutions")
    agenda_item = models.OneToOneField(
        "deliberation.AgendaItem", null=True, blank=True, on_delete=models.PROTECT, related_name="resolution"
    )
    title = models.CharField(_("决议事项"), max_length=100)
    text = models.TextField(_("决议内容"))
    members = models.PositiveIntegerField(_("应到人数"))
    present = models.PositiveIntegerField(_("实到人数"))
    yes = models.PositiveIntegerField(_("赞成"))
    no = models.PositiveIntegerField(_("反对"))
    abstain = models.PositiveIntegerField(_("弃权"))
    quorum_met = models.BooleanField(_("达到法定人数"))
    passed = models.BooleanField(_("通过"))
    explanation = models.TextField(_("表决结果说明"))
    # Publication hook: set by services.resolution_publish (the integrator connects public notices there).
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("决议")
        verbose_name_plural = _("决议")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


class MemberVote(models.Model):
    resolution = models.ForeignKey("deliberation.Resolution", on_delete=models.CASCADE, related_name="votes")
    membership = models.ForeignKey("deliberation.Membership", on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("表决意见"), max_length=8, choices=_choices(CHOICE_LABELS))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resolution", "membership"], name="member_vote_once")]

    def __str__(self) -> str:
        return f"{self.resolution_id}:{self.choice}"


class MeetingRequest(BaseModel):
    """A request that the residents' committee call a residents' meeting (城市居民委员会组织法 §10)."""

    STATUS_CHOICES = [("collecting", _("征集中")), ("reached", _("已达到法定比例")), ("convened", _("已召集"))]

    community = models.ForeignKey("territory.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(_("提议主体"), max_length=12, choices=_choices(BASIS_LABELS))
    subject = models.CharField(_("提议事项"), max_length=100)
    reason = models.TextField(_("理由"), blank=True)
    entitled = models.PositiveIntegerField(_("应计总数"))  # counted from the register when the request was opened
    status = models.CharField(_("状态"), max_length=12, choices=STATUS_CHOICES, default="collecting", db_index=True)
    reached_at = models.DateTimeField(_("达到比例时间"), null=True, blank=True)
    convened_on = models.DateField(_("召集会议日期"), null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("居民会议提议")
        verbose_name_plural = _("居民会议提议")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class RequestSupport(models.Model):
    """One supporter of a residents' meeting request: a resident (with their household) or a residents' group."""

    request = models.ForeignKey("deliberation.MeetingRequest", on_delete=models.CASCADE, related_name="supporters")
    resident = models.ForeignKey("registry.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        "deliberation.ResidentsGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "resident"], name="request_support_resident_once"),
            models.UniqueConstraint(fields=["request", "group"], name="request_support_group_once"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}"


class ResidentsMeeting(BaseModel):
    """A residents' meeting held, with its attendance and the §9 validity and result."""

    community = models.ForeignKey("territory.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        "deliberation.MeetingRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateField(_("会议日期"))
    subject = models.CharField(_("会议事项"), max_length=100)
    basis = models.CharField(_("参会方式"), max_length=12, choices=_choices(BASIS_LABELS))
    entitled = models.PositiveIntegerField(_("应出席"))
    present = models.PositiveIntegerField(_("实际出席"))
    yes = models.PositiveIntegerField(_("赞成"))
    valid = models.BooleanField(_("会议有效"))
    passed = models.BooleanField(_("决定通过"))
    explanation = models.TextField(_("结果说明"))
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("居民会议")
        verbose_name_plural = _("居民会议")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.subject
