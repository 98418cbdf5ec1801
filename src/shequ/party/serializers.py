"""API representations of the Party side: organisations with their posts, health and 三会一课 schedule; coverage
figures; members (masked) with their transfer history; meetings with attendance, validity and decisions; and the
bodies the API accepts.

Plain serializers (not ModelSerializer) so that no model field reaches the API unless listed here. A member is
shown by the masked name only; the full name and mobile come from …/reveal/, which is audited.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shequ.core.api import StrictCharField

from . import domain, selectors
from .domain import (
    MEETING_KIND_LABELS,
    MEMBER_STATUS_LABELS,
    ORG_LEVEL_LABELS,
    POST_LABELS,
    MeetingKind,
    MemberStatus,
    OrgLevel,
    Post,
)


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else ""


def _choices(enum: Any) -> str:
    return " / ".join(v.value for v in enum)


class PartyRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class PartyOrgRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="unit.name")


class PartyMemberRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="name_masked", help_text=_("姓名（已遮蔽）"))


# --- organisations -------------------------------------------------------------------------------------------


class PartyOrgSerializer(serializers.Serializer):
    """A Party organisation (党组织): its level, its place in the territory and its parent in the Party tree."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="unit.name")
    level = serializers.CharField(help_text=_choices(OrgLevel))
    level_label = serializers.SerializerMethodField()
    parent = PartyOrgRefSerializer(allow_null=True, help_text=_("上级党组织（没有时为 null）"))
    area = PartyRefSerializer(source="unit.area", help_text=_("所在辖区"))
    compound = PartyRefSerializer(source="unit.compound", allow_null=True, help_text=_("所在小区"))
    joint = serializers.BooleanField(help_text=_("是否为联合党支部"))
    joint_units = serializers.CharField(help_text=_("联合党支部所联合的单位"))
    founded_on = serializers.DateField(allow_null=True, help_text=_("成立日期"))

    def get_level_label(self, obj: Any) -> str:
        return _label(ORG_LEVEL_LABELS, obj.level)


class PartyPostSerializer(serializers.Serializer):
    """A post held in the organisation's leadership for a term."""

    id = serializers.UUIDField(source="public_id")
    member = PartyMemberRefSerializer()
    post = serializers.CharField(help_text=_choices(Post))
    post_label = serializers.SerializerMethodField()
    term_starts_on = serializers.DateField(help_text=_("任期开始"))
    term_ends_on = serializers.DateField(help_text=_("任期届满"))
    ended_on = serializers.DateField(allow_null=True, help_text=_("离任日期（在任为 null）"))

    def get_post_label(self, obj: Any) -> str:
        return _label(POST_LABELS, obj.post)


class PartyHealthSerializer(serializers.Serializer):
    """What the rules say of the organisation now. Member counts only for those who reach its members."""

    full_members = serializers.IntegerField(allow_null=True, help_text=_("正式党员人数（无权查看党员时为 null）"))
    probationary = serializers.IntegerField(allow_null=True, help_text=_("预备党员人数（无权查看党员时为 null）"))
    committee = serializers.IntegerField(help_text=_("支部委员会现有委员人数"))
    errors = serializers.ListField(child=serializers.CharField(), help_text=_("不符合规定之处"))
    warnings = serializers.ListField(child=serializers.CharField(), help_text=_("提醒"))


class PartyScheduleSerializer(serializers.Serializer):
    """One kind of meeting the organisation holds and whether it is due in the current period."""

    kind = serializers.CharField(help_text=_choices(MeetingKind))
    kind_label = serializers.SerializerMethodField()
    period_label = serializers.CharField(help_text=_("本期，如 2026年第4季度"))
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    last_held = serializers.DateField(allow_null=True, help_text=_("上次召开日期（无记录为 null）"))
    due = serializers.BooleanField(help_text=_("本期尚未召开"))
    overdue = serializers.BooleanField(help_text=_("此前有整期未召开"))
    missed_periods = serializers.IntegerField(help_text=_("上次召开后未召开的整期数"))
    days_left = serializers.IntegerField(help_text=_("距本期结束的天数"))
    explanation = serializers.CharField(help_text=_("说明"))

    def get_kind_label(self, obj: Any) -> str:
        return _label(MEETING_KIND_LABELS, obj.kind)


class PartyOrgDetailSerializer(PartyOrgSerializer):
    """An organisation with its current posts, its health by the rules and its 三会一课 schedule.

    The view passes `posts`, `health` (a selectors.Health), `schedule` and `reached` (whether the caller reaches
    the organisation's members) in the context."""

    posts = serializers.SerializerMethodField()
    health = serializers.SerializerMethodField()
    schedule = serializers.SerializerMethodField()

    @extend_schema_field(PartyPostSerializer(many=True))
    def get_posts(self, obj: Any) -> Any:
        return PartyPostSerializer(self.context["posts"], many=True).data

    @extend_schema_field(PartyHealthSerializer)
    def get_health(self, obj: Any) -> Any:
        health = self.context["health"]
        reached = self.context["reached"]
        return PartyHealthSerializer(
            {
                "full_members": health.full_members if reached else None,
                "probationary": health.probationary if reached else None,
                "committee": health.committee,
                "errors": list(health.errors),
                "warnings": list(health.warnings),
            }
        ).data

    @extend_schema_field(PartyScheduleSerializer(many=True))
    def get_schedule(self, obj: Any) -> Any:
        return PartyScheduleSerializer(self.context["schedule"], many=True).data


class PartyOrgFilterSerializer(serializers.Serializer):
    level = serializers.ChoiceField(required=False, allow_blank=True, choices=[v.value for v in OrgLevel])
    q = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text=_("党组织名称"))


class PartyOrgCreateSerializer(serializers.Serializer):
    """A new Party organisation: under a parent you manage, or a top organisation of an area of your community."""

    level = serializers.ChoiceField(
        choices=[v.value for v in OrgLevel],
        help_text=_("committee 党委，general_branch 党总支，branch 党支部，group 党小组"),
    )
    name = StrictCharField(max_length=100, help_text=_("名称（不超过100字）"))
    area = serializers.UUIDField(help_text=_("所在辖区 id"))
    compound = serializers.UUIDField(required=False, allow_null=True, help_text=_("所在小区 id（可选）"))
    parent = serializers.UUIDField(required=False, allow_null=True, help_text=_("上级党组织 id（可选）"))
    joint = serializers.BooleanField(required=False, default=False, help_text=_("是否为联合党支部"))
    joint_units = StrictCharField(
        required=False, allow_blank=True, max_length=300, default="", help_text=_("联合的单位，用顿号分隔")
    )
    founded_on = serializers.DateField(required=False, allow_null=True, help_text=_("成立日期（可选）"))


class PartyCoverageQuerySerializer(serializers.Serializer):
    area = serializers.UUIDField(help_text=_("辖区 id"))


class PartyShareSerializer(serializers.Serializer):
    """A share of a whole: exact as "p/q" (null when the whole is 0) and as a percentage to one decimal."""

    covered = serializers.IntegerField()
    total = serializers.IntegerField()
    share = serializers.SerializerMethodField(help_text=_("覆盖比例 p/q（总数为 0 时为 null）"))
    text = serializers.CharField(help_text=_("百分比，如 71.3%（总数为 0 时为 —）"))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_share(self, obj: Any) -> str | None:
        return f"{obj.covered}/{obj.total}" if obj.share is not None else None


class PartyCoverageSerializer(serializers.Serializer):
    """Coverage of an area: compounds with a Party organisation, micro-grids with a Party group."""

    area = PartyRefSerializer()
    compounds = PartyShareSerializer(help_text=_("建有党组织的小区"))
    micro_grids = PartyShareSerializer(help_text=_("建有党小组的微网格"))


class PartyPostCreateSerializer(serializers.Serializer):
    member = serializers.UUIDField(help_text=_("本党组织在册党员 id"))
    post = serializers.ChoiceField(choices=[v.value for v in Post], help_text=_choices(Post))
    term_starts_on = serializers.DateField(help_text=_("任期开始"))
    term_ends_on = serializers.DateField(help_text=_("任期届满（须晚于任期开始）"))


class PartyPostResultSerializer(serializers.Serializer):
    post = PartyPostSerializer()
    warnings = serializers.ListField(child=serializers.CharField(), help_text=_("提醒（已登记，仅供参考）"))


# --- members -------------------------------------------------------------------------------------------------


class PartyMemberSerializer(serializers.Serializer):
    """A Party member as lists show them: the masked name, never the full one."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="name_masked", help_text=_("姓名（已遮蔽）"))
    status = serializers.CharField(help_text=_choices(MemberStatus))
    status_label = serializers.SerializerMethodField()
    org = PartyOrgRefSerializer()
    joined_on = serializers.DateField(help_text=_("入党日期"))
    full_on = serializers.DateField(allow_null=True, help_text=_("转正日期（预备党员为 null）"))
    active = serializers.BooleanField(help_text=_("是否在册（转出后为 false）"))
    left_on = serializers.DateField(allow_null=True, help_text=_("转出日期"))

    def get_status_label(self, obj: Any) -> str:
        return _label(MEMBER_STATUS_LABELS, obj.status)


class PartyTransferSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="in / out / within")
    kind_label = serializers.CharField(source="get_kind_display")
    from_org = PartyOrgRefSerializer(allow_null=True)
    to_org = PartyOrgRefSerializer(allow_null=True)
    outside_org = serializers.CharField(help_text=_("外部党组织"))
    on = serializers.DateField(help_text=_("转接日期"))
    note = serializers.CharField()


class PartyMemberDetailSerializer(PartyMemberSerializer):
    """A member with the masked mobile and the history of transfers, oldest first. The view passes `transfers`."""

    mobile = serializers.CharField(source="mobile_masked", help_text=_("手机号码（已遮蔽）"))
    transfers = serializers.SerializerMethodField()

    @extend_schema_field(PartyTransferSerializer(many=True))
    def get_transfers(self, obj: Any) -> Any:
        return PartyTransferSerializer(self.context["transfers"], many=True).data


class PartyMemberFilterSerializer(serializers.Serializer):
    org = serializers.UUIDField(required=False, allow_null=True, help_text=_("党组织 id（含下级党组织）"))
    status = serializers.ChoiceField(
        required=False,
        allow_blank=True,
        choices=[*(v.value for v in MemberStatus), "left"],
        help_text=_("full 正式党员，probationary 预备党员，left 已转出"),
    )


class PartyMemberCreateSerializer(serializers.Serializer):
    """A member recorded in an organisation you manage: a new member, or one transferring in from outside."""

    org = serializers.UUIDField(help_text=_("党组织 id"))
    name = StrictCharField(max_length=50, help_text=_("姓名"))
    status = serializers.ChoiceField(choices=[v.value for v in MemberStatus], help_text=_choices(MemberStatus))
    joined_on = serializers.DateField(help_text=_("入党日期"))
    full_on = serializers.DateField(required=False, allow_null=True, help_text=_("转正日期（正式党员必填）"))
    mobile = StrictCharField(required=False, allow_blank=True, max_length=20, default="", help_text=_("手机号码"))
    resident = serializers.UUIDField(required=False, allow_null=True, help_text=_("居民登记 id（可选）"))
    transferred_from = StrictCharField(
        required=False, allow_blank=True, max_length=100, default="", help_text=_("转入前所在的外部党组织（可选）")
    )
    on = serializers.DateField(
        required=False, allow_null=True, help_text=_("编入本党组织的日期（默认：从外部转入的为今天，其他为入党日期）")
    )


class PartyMakeFullSerializer(serializers.Serializer):
    full_on = serializers.DateField(help_text=_("转正日期"))


class PartyTransferCreateSerializer(serializers.Serializer):
    """A transfer to another organisation you manage (`to_org`), or out of the tree (`outside_org`)."""

    to_org = serializers.UUIDField(required=False, allow_null=True, help_text=_("转入的党组织 id"))
    outside_org = StrictCharField(
        required=False, allow_blank=True, max_length=100, default="", help_text=_("转往的外部党组织名称")
    )
    on = serializers.DateField(help_text=_("转接日期"))
    note = StrictCharField(required=False, allow_blank=True, max_length=200, default="", help_text=_("说明"))


class PartyRevealSerializer(serializers.Serializer):
    reason = StrictCharField(allow_blank=True, max_length=100, help_text=_("查看原因（必填，记录审计）"))


class PartyRevealResultSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("完整姓名"))
    mobile = serializers.CharField(help_text=_("完整手机号码（未登记为空）"))


# --- meetings ------------------------------------------------------------------------------------------------


class PartyMeetingSerializer(serializers.Serializer):
    """A 三会一课 record: counts of the full members entitled to vote and present, and whether it may decide."""

    id = serializers.UUIDField(source="public_id")
    org = PartyOrgRefSerializer()
    kind = serializers.CharField(help_text=_choices(MeetingKind))
    kind_label = serializers.SerializerMethodField()
    held_on = serializers.DateField()
    topic = serializers.CharField()
    place = serializers.CharField()
    election = serializers.BooleanField(help_text=_("是否进行选举"))
    entitled = serializers.IntegerField(help_text=_("应到有表决权的正式党员"))
    present = serializers.IntegerField(help_text=_("实到正式党员"))
    valid = serializers.BooleanField(allow_null=True, help_text=_("可以作出决定（党课、主题党日为 null）"))

    def get_kind_label(self, obj: Any) -> str:
        return _label(MEETING_KIND_LABELS, obj.kind)


class PartyAttendanceSerializer(serializers.Serializer):
    member = PartyMemberRefSerializer()
    status = serializers.CharField(help_text=_("会议当天的党员类别"))
    status_label = serializers.SerializerMethodField()
    present = serializers.BooleanField()
    absence_reason = serializers.CharField()

    def get_status_label(self, obj: Any) -> str:
        return _label(MEMBER_STATUS_LABELS, obj.status)


class PartyValiditySerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    needed = serializers.IntegerField(help_text=_("至少须到会的正式党员人数"))
    explanation = serializers.CharField()


class PartyDecisionSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    votes_for = serializers.IntegerField()
    votes_against = serializers.IntegerField()
    abstentions = serializers.IntegerField()
    passed = serializers.BooleanField()
    explanation = serializers.SerializerMethodField(help_text=_("表决结果说明"))

    def get_explanation(self, obj: Any) -> str:
        meeting = obj.meeting
        return domain.decision_passes(meeting.entitled, meeting.present, obj.votes_for, meeting.election).explanation


class PartyMeetingDetailSerializer(PartyMeetingSerializer):
    """A meeting with its minutes, the quorum explained, the attendance (masked names) and the decisions."""

    minutes = serializers.CharField()
    validity = serializers.SerializerMethodField()
    attendance = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()

    @extend_schema_field(PartyValiditySerializer(allow_null=True))
    def get_validity(self, obj: Any) -> Any:
        if obj.valid is None:
            return None
        quorum = domain.meeting_quorum(obj.entitled, obj.present, obj.election)
        return PartyValiditySerializer(quorum).data

    @extend_schema_field(PartyAttendanceSerializer(many=True))
    def get_attendance(self, obj: Any) -> Any:
        return PartyAttendanceSerializer(selectors.attendance_of(obj), many=True).data

    @extend_schema_field(PartyDecisionSerializer(many=True))
    def get_decisions(self, obj: Any) -> Any:
        return PartyDecisionSerializer(selectors.decisions_of(obj), many=True).data


class PartyMeetingFilterSerializer(serializers.Serializer):
    org = serializers.UUIDField(required=False, allow_null=True, help_text=_("党组织 id"))
    kind = serializers.ChoiceField(required=False, allow_blank=True, choices=[v.value for v in MeetingKind])


class PartyDecisionCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=200, help_text=_("表决事项"))
    votes_for = serializers.IntegerField(min_value=0, max_value=100000, help_text=_("赞成票"))
    votes_against = serializers.IntegerField(required=False, default=0, min_value=0, max_value=100000)
    abstentions = serializers.IntegerField(required=False, default=0, min_value=0, max_value=100000)


class PartyMeetingCreateSerializer(serializers.Serializer):
    """A meeting of an organisation you manage, with who was present (only full members count for the quorum)
    and, at a general meeting, the decisions with their votes."""

    org = serializers.UUIDField(help_text=_("党组织 id"))
    kind = serializers.ChoiceField(choices=[v.value for v in MeetingKind], help_text=_choices(MeetingKind))
    held_on = serializers.DateField(help_text=_("会议日期"))
    topic = StrictCharField(max_length=200, help_text=_("主题"))
    place = StrictCharField(required=False, allow_blank=True, max_length=100, default="", help_text=_("地点"))
    minutes = StrictCharField(required=False, allow_blank=True, max_length=20000, default="", help_text=_("记录"))
    election = serializers.BooleanField(required=False, default=False, help_text=_("是否进行选举（仅党员大会）"))
    present = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=1000, help_text=_("到会党员 id")
    )
    absence_reasons = serializers.DictField(
        child=StrictCharField(allow_blank=True, max_length=100),
        required=False,
        default=dict,
        help_text=_("缺席党员 id → 缺席原因"),
    )
    decisions = PartyDecisionCreateSerializer(
        many=True, required=False, default=list, max_length=50, help_text=_("表决事项（仅党员大会）")
    )
