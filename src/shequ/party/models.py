"""Party organisations (党组织) and their members, posts, transfers and 三会一课 meetings.

A Party organisation is an `organisations.Unit` of a Party kind (its name and its place in the territory live
there) with a `PartyOrg` row for what is Party-specific: its level, its parent in the Party tree and whether it is
a joint branch. `tree_path` is the chain of ids from the root of the Party tree ("12/40/41/"), so "this
organisation and those below it" is one prefix filter.

Membership is personal information of a sensitive kind: a member's name and mobile are stored only encrypted
(see `encryption.py`) with a masked form for lists; only organisers of the member's organisation and above read
them, and each reveal is audited.

In-service members reporting to where they live (在职党员双报到): `InServiceMember` is a registration slip of a
resident with the community they live in (their own Party organisation is usually their employer's, outside the
tree); the community's needs list (`ServiceNeed`) takes claims (`NeedClaim`), and services are recorded
(`ServiceEntry`). The slip keeps the member's name encrypted like a member's. Hub households (党员中心户): a `Hub`
on a micro-grid hosted by a Party member, the members linked to it (`HubLink`) and the households each keeps in
touch with (`HubHousehold`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel

from .domain import (
    CLAIM_STATUS_LABELS,
    ENTRY_STATUS_LABELS,
    MEETING_KIND_LABELS,
    MEMBER_STATUS_LABELS,
    NEED_KIND_LABELS,
    NEED_STATUS_LABELS,
    ORG_LEVEL_LABELS,
    POST_LABELS,
    REGISTRATION_STATUS_LABELS,
)

USER = "accounts.User"


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(k.value, v) for k, v in labels.items()]


class PartyOrg(BaseModel):
    """The Party side of a Party organisation's unit."""

    unit = models.OneToOneField("organisations.Unit", on_delete=models.PROTECT, related_name="party_org")
    level = models.CharField(_("层级"), max_length=16, choices=_choices(ORG_LEVEL_LABELS))
    parent = models.ForeignKey(
        "self", verbose_name=_("上级党组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    tree_path = models.CharField(max_length=255, unique=True, editable=False)
    joint = models.BooleanField(_("联合党支部"), default=False)
    joint_units = models.CharField(
        _("联合单位"), max_length=300, blank=True, help_text=_("联合党支部所联合的单位，用顿号分隔")
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["tree_path"]

    def __str__(self) -> str:
        return self.unit.name


class PartyMember(BaseModel):
    """A Party member of an organisation (current organisation in `org`; the history in `MemberTransfer`)."""

    org = models.ForeignKey("party.PartyOrg", verbose_name=_("所在党组织"), on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("居民登记"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("党员住在本社区时关联居民登记，用于党员中心户联系"),
    )
    name_encrypted = models.TextField(editable=False)
    name_hash = models.CharField(max_length=64, db_index=True, editable=False)
    name_masked = models.CharField(_("姓名"), max_length=60, editable=False)
    mobile_encrypted = models.TextField(blank=True, editable=False)
    mobile_masked = models.CharField(_("手机号码"), max_length=20, blank=True, editable=False)
    status = models.CharField(_("党员类别"), max_length=16, choices=_choices(MEMBER_STATUS_LABELS))
    joined_on = models.DateField(_("入党日期"))
    full_on = models.DateField(_("转正日期"), null=True, blank=True)
    active = models.BooleanField(_("在册"), default=True, db_index=True)
    left_on = models.DateField(_("转出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["org_id", "name_masked", "id"]
        indexes = [models.Index(fields=["org", "active", "status"])]

    def __str__(self) -> str:
        return self.name_masked


class MemberTransfer(BaseModel):
    """A transfer of a member's organisational relationship (组织关系转接): in, out, or within the tree."""

    KIND_CHOICES = [("in", _("转入")), ("out", _("转出")), ("within", _("内部调整"))]

    member = models.ForeignKey("party.PartyMember", on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(_("类型"), max_length=8, choices=KIND_CHOICES)
    from_org = models.ForeignKey("party.PartyOrg", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey("party.PartyOrg", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outside_org = models.CharField(_("外部党组织"), max_length=100, blank=True)
    on = models.DateField(_("转接日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["member_id", "on", "id"]


class Post(BaseModel):
    """A post in an organisation's leadership (书记, 委员…) held by one of its members for a term."""

    org = models.ForeignKey("party.PartyOrg", on_delete=models.PROTECT, related_name="posts")
    member = models.ForeignKey("party.PartyMember", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+")
    post = models.CharField(_("职务"), max_length=24, choices=_choices(POST_LABELS))
    term_starts_on = models.DateField(_("任期开始"))
    term_ends_on = models.DateField(_("任期届满"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("党组织职务")
        verbose_name_plural = _("党组织职务")
        ordering = ["org_id", "post", "term_starts_on"]


class PartyMeeting(BaseModel):
    """One 三会一课 record: a general meeting, a committee or group meeting, a Party lesson or a themed Party day.

    `entitled` and `present` are the counts of full members entitled to vote and present, frozen from the
    attendance when the meeting is recorded; `valid` is the domain's verdict on them (kept, not refused, when
    the meeting fell short).
    """

    org = models.ForeignKey("party.PartyOrg", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=24, choices=_choices(MEETING_KIND_LABELS))
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    topic = models.CharField(_("主题"), max_length=200)
    minutes = models.TextField(_("记录"), blank=True)
    election = models.BooleanField(_("选举"), default=False)
    entitled = models.PositiveIntegerField(_("应到有表决权的正式党员"), default=0)
    present = models.PositiveIntegerField(_("实到正式党员"), default=0)
    valid = models.BooleanField(
        _("可以作出决定"), null=True, blank=True
    )  # None: a lesson or themed day decides nothing
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("组织生活记录")
        verbose_name_plural = _("组织生活记录")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["org", "kind", "held_on"])]


class Attendance(models.Model):
    """Whether a member attended a meeting; their status then (only full members vote)."""

    meeting = models.ForeignKey("party.PartyMeeting", on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("party.PartyMember", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=_choices(MEMBER_STATUS_LABELS))
    present = models.BooleanField(default=False)
    absence_reason = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="party_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.member} @ {self.meeting_id}"


class Decision(BaseModel):
    """A matter a general meeting decided, with the full members' votes."""

    meeting = models.ForeignKey("party.PartyMeeting", on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(_("事项"), max_length=200)
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"), default=0)
    abstentions = models.PositiveIntegerField(_("弃权"), default=0)
    passed = models.BooleanField(_("通过"), default=False)

    class Meta:
        verbose_name = _("表决事项")
        verbose_name_plural = _("表决事项")
        ordering = ["meeting_id", "id"]


# --- in-service members (在职党员双报到) --------------------------------------------------------------------------


class InServiceMember(BaseModel):
    """A registration slip (报到登记): a resident, Party member of an organisation usually outside the community,
    reporting to the community where they live."""

    resident = models.ForeignKey(
        "registry.Resident", verbose_name=_("居民"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "territory.Area", verbose_name=_("报到社区"), on_delete=models.PROTECT, related_name="+"
    )
    name_encrypted = models.TextField(editable=False)
    name_hash = models.CharField(max_length=64, db_index=True, editable=False)
    name_masked = models.CharField(_("姓名"), max_length=60, editable=False)
    own_org_name = models.CharField(_("所在党组织"), max_length=100)
    own_org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name=_("所在党组织（本系统）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer = models.CharField(_("工作单位"), max_length=100)
    job_title = models.CharField(_("职务"), max_length=50, blank=True)
    skills = models.CharField(_("特长和可提供的服务"), max_length=300, blank=True)
    preferred_kinds = models.CharField(_("意向服务类别"), max_length=120, blank=True)  # NeedKind values, comma-joined
    registered_on = models.DateField(_("报到日期"))
    status = models.CharField(
        _("状态"), max_length=8, choices=_choices(REGISTRATION_STATUS_LABELS), default="active", db_index=True
    )
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("在职党员报到登记")
        verbose_name_plural = _("在职党员报到登记")
        ordering = ["community_id", "-registered_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "community"],
                condition=models.Q(status="active"),
                name="party_inservice_active_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name_masked


class ServiceNeed(BaseModel):
    """An item of the community's needs list (需求清单), published by its Party organisation."""

    community = models.ForeignKey("territory.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("需求"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=_choices(NEED_KIND_LABELS))
    description = models.TextField(_("说明"), blank=True)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    wanted = models.PositiveIntegerField(_("需要人数"))
    open_from = models.DateField(_("开始认领"))
    open_until = models.DateField(_("认领截止"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=_choices(NEED_STATUS_LABELS), default="open")
    posted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("服务需求")
        verbose_name_plural = _("服务需求")
        ordering = ["community_id", "-open_from", "-id"]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self) -> str:
        return self.title


class NeedClaim(BaseModel):
    """An in-service member's claim of a need (认领)."""

    need = models.ForeignKey("party.ServiceNeed", on_delete=models.PROTECT, related_name="claims")
    member = models.ForeignKey("party.InServiceMember", on_delete=models.PROTECT, related_name="claims")
    claimed_at = models.DateTimeField(_("认领时间"))
    status = models.CharField(_("状态"), max_length=10, choices=_choices(CLAIM_STATUS_LABELS), default="claimed")

    class Meta:
        verbose_name = _("需求认领")
        verbose_name_plural = _("需求认领")
        ordering = ["-claimed_at", "-id"]


class ServiceEntry(BaseModel):
    """A service done (服务记录): by the member on the portal (to be confirmed by the community) or by staff."""

    member = models.ForeignKey("party.InServiceMember", on_delete=models.PROTECT, related_name="entries")
    claim = models.ForeignKey(
        "party.NeedClaim", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    served_on = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=2)
    content = models.CharField(_("服务内容"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=_choices(ENTRY_STATUS_LABELS), default="pending")
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["member", "served_on"])]


# --- hub households (党员中心户) -----------------------------------------------------------------------------------


class Hub(BaseModel):
    """A Party-member hub household on a micro-grid: the host member's household, linking several members."""

    area = models.ForeignKey("territory.Area", verbose_name=_("微网格"), on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(
        "party.PartyOrg", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )  # the host's organisation when set up: who reaches it reaches the hub
    host = models.ForeignKey(
        "party.PartyMember", verbose_name=_("中心户户主"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=60)
    since = models.DateField(_("设立日期"))
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("党员中心户")
        verbose_name_plural = _("党员中心户")
        ordering = ["area_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


class HubLink(BaseModel):
    """A Party member linked to a hub (联系党员)."""

    hub = models.ForeignKey("party.Hub", on_delete=models.CASCADE, related_name="links")
    member = models.ForeignKey("party.PartyMember", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["hub_id", "id"]
        constraints = [models.UniqueConstraint(fields=["hub", "member"], name="party_hublink_unique")]


class HubHousehold(models.Model):
    """A household of the micro-grid a linked member keeps in touch with (联系群众户)."""

    link = models.ForeignKey("party.HubLink", on_delete=models.CASCADE, related_name="households")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["link_id", "id"]
        constraints = [models.UniqueConstraint(fields=["link", "household"], name="party_hubhousehold_unique")]

    def __str__(self) -> str:
        return f"{self.link_id}: {self.household_id}"
