"""API representations of deliberation: bodies with their members, terms and rules; proposals; meetings with
their agenda and resolutions; residents' groups and residents' meeting requests; and the bodies the API accepts.

Plain serializers (not ModelSerializer) so that no model field reaches the API unless listed here.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shequ.core.api import StrictCharField

from . import selectors
from .domain import (
    BASIS_LABELS,
    CHOICE_LABELS,
    MAJORITY_BASE_LABELS,
    ROLE_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    Choice,
    Source,
    Status,
    is_serving,
)


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else ""


class NamedRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


# --- bodies ------------------------------------------------------------------------------------------------------


class MemberSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.SerializerMethodField()
    term_start = serializers.DateField()
    term_end = serializers.DateField(allow_null=True, help_text=_("任期届满日期（未定为 null）"))
    left_on = serializers.DateField(allow_null=True, help_text=_("离任日期"))
    serving = serializers.SerializerMethodField(help_text=_("今日是否在任"))

    def get_role_label(self, obj: Any) -> str:
        return _label(ROLE_LABELS, obj.role)

    def get_serving(self, obj: Any) -> bool:
        return is_serving(obj.term_start, obj.term_end, obj.left_on, timezone.localdate())


class RulesSerializer(serializers.Serializer):
    """A body's rules (议事规则): quorum and majority as exact fractions "n/d"."""

    quorum = serializers.SerializerMethodField(help_text=_("法定人数比例 n/d"))
    quorum_strict = serializers.BooleanField(help_text=_("须超过该比例（否则达到即可）"))
    majority = serializers.SerializerMethodField(help_text=_("表决通过比例 n/d"))
    majority_strict = serializers.BooleanField()
    majority_base = serializers.CharField(help_text="present / members")
    majority_base_label = serializers.SerializerMethodField()
    support_threshold = serializers.IntegerField(help_text=_("议题附议门槛（人）"))

    def get_quorum(self, obj: Any) -> str:
        return f"{obj.quorum_numerator}/{obj.quorum_denominator}"

    def get_majority(self, obj: Any) -> str:
        return f"{obj.majority_numerator}/{obj.majority_denominator}"

    def get_majority_base_label(self, obj: Any) -> str:
        return _label(MAJORITY_BASE_LABELS, obj.majority_base)


class BodySerializer(serializers.Serializer):
    """A body (议事机构) of a community: a residents' or courtyard council, a supervisory board, owners' bodies."""

    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    name = serializers.CharField()
    community = NamedRefSerializer(source="area")
    compound = NamedRefSerializer(allow_null=True)


class BodyDetailSerializer(BodySerializer):
    """A body with its members (serving and past), the earliest term end of those serving, and its rules."""

    members = serializers.SerializerMethodField()
    term_end = serializers.SerializerMethodField(help_text=_("在任成员中最早的任期届满日期"))
    rules = serializers.SerializerMethodField()

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, obj: Any) -> Any:
        return MemberSerializer(selectors.members_of(obj), many=True).data

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_term_end(self, obj: Any) -> Any:
        end = selectors.term_end_of(obj, timezone.localdate())
        return end.isoformat() if end else None

    @extend_schema_field(RulesSerializer)
    def get_rules(self, obj: Any) -> Any:
        return RulesSerializer(selectors.rules_of(obj)).data


# --- proposals -----------------------------------------------------------------------------------------------------


class ProposalSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    community = NamedRefSerializer()
    body = NamedRefSerializer(allow_null=True)
    source = serializers.CharField(help_text=" / ".join(s.value for s in Source))
    source_label = serializers.SerializerMethodField()
    status = serializers.CharField(help_text=" / ".join(s.value for s in Status))
    status_label = serializers.SerializerMethodField()
    support_count = serializers.IntegerField(help_text=_("附议人数"))
    support_threshold = serializers.IntegerField(help_text=_("附议门槛（人）"))
    submitted_at = serializers.DateTimeField()

    def get_source_label(self, obj: Any) -> str:
        return _label(SOURCE_LABELS, obj.source)

    def get_status_label(self, obj: Any) -> str:
        return _label(STATUS_LABELS, obj.status)


class ProgressSerializer(serializers.Serializer):
    happened_on = serializers.DateField()
    note = serializers.CharField()


class ProposalDetailSerializer(ProposalSerializer):
    """A proposal with its text, the decision and its progress (its comments: …/comments/)."""

    description = serializers.CharField()
    status_reason = serializers.CharField()
    decision = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    progress = serializers.SerializerMethodField()

    @extend_schema_field(ProgressSerializer(many=True))
    def get_progress(self, obj: Any) -> Any:
        return ProgressSerializer(selectors.progress_of(obj), many=True).data


class ProposalFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text=_("议题或内容"))
    status = serializers.ChoiceField(required=False, allow_blank=True, choices=[s.value for s in Status])


STAFF_SOURCES = [Source.MEMBER.value, Source.PARTY.value, Source.STAFF.value]


class ProposalCreateSerializer(serializers.Serializer):
    """A proposal recorded by the community's staff: of a council member, the Party organisation or the
    community."""

    community = serializers.UUIDField(help_text=_("社区 id"))
    title = StrictCharField(max_length=100)
    description = StrictCharField(max_length=4000)
    source = serializers.ChoiceField(choices=STAFF_SOURCES, help_text=_("member 议事会成员，party 党组织，staff 社区"))
    body = serializers.UUIDField(required=False, allow_null=True, help_text=_("提交给的议事机构 id（可选）"))


class ProposalCommentSerializer(serializers.Serializer):
    """A comment on a proposal as staff see it: hidden ones too, with the reason (residents no longer see them).
    The author is told as the page tells it, 居民 or 社区, never by name."""

    id = serializers.UUIDField(source="public_id")
    text = serializers.CharField()
    author = serializers.SerializerMethodField(help_text=_("resident 居民 / staff 社区"))
    author_label = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    hidden = serializers.SerializerMethodField(help_text=_("是否已隐藏"))
    hidden_at = serializers.DateTimeField(allow_null=True)
    hidden_reason = serializers.CharField(help_text=_("隐藏原因"))

    def get_author(self, obj: Any) -> str:
        return "staff" if obj.author_user_id else "resident"

    def get_author_label(self, obj: Any) -> str:
        return str(_("社区") if obj.author_user_id else _("居民"))

    def get_hidden(self, obj: Any) -> bool:
        return obj.hidden_at is not None


class CommentCreateSerializer(serializers.Serializer):
    text = StrictCharField(max_length=1000, help_text=_("意见（不超过1000字）"))


class CommentHideSerializer(serializers.Serializer):
    comment = serializers.UUIDField(help_text=_("意见 id"))
    reason = StrictCharField(max_length=200, help_text=_("隐藏原因（不超过200字，居民看不到）"))


# --- meetings ------------------------------------------------------------------------------------------------------


class AgendaItemSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    position = serializers.IntegerField()
    title = serializers.CharField()
    proposal = serializers.SerializerMethodField()

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_proposal(self, obj: Any) -> str | None:
        return str(obj.proposal.public_id) if obj.proposal_id else None


class MemberVoteSerializer(serializers.Serializer):
    member = serializers.UUIDField(source="membership.public_id")
    name = serializers.CharField(source="membership.name")
    choice = serializers.CharField(help_text=" / ".join(c.value for c in Choice))
    choice_label = serializers.SerializerMethodField()

    def get_choice_label(self, obj: Any) -> str:
        return _label(CHOICE_LABELS, obj.choice)


class ResolutionSerializer(serializers.Serializer):
    """A resolution with each present member's vote, decided by the body's rules as they were then."""

    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    text = serializers.CharField()
    agenda_item = serializers.SerializerMethodField()
    members = serializers.IntegerField(help_text=_("应到人数"))
    present = serializers.IntegerField(help_text=_("实到人数"))
    yes = serializers.IntegerField()
    no = serializers.IntegerField()
    abstain = serializers.IntegerField()
    quorum_met = serializers.BooleanField()
    passed = serializers.BooleanField()
    explanation = serializers.CharField(help_text=_("表决结果说明"))
    published_at = serializers.DateTimeField(allow_null=True)
    votes = serializers.SerializerMethodField()

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_agenda_item(self, obj: Any) -> str | None:
        return str(obj.agenda_item.public_id) if obj.agenda_item_id else None

    @extend_schema_field(MemberVoteSerializer(many=True))
    def get_votes(self, obj: Any) -> Any:
        rows = sorted(obj.votes.select_related("membership"), key=lambda v: (v.membership.name, v.membership_id))
        return MemberVoteSerializer(rows, many=True).data


class MeetingSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    body = NamedRefSerializer()
    held_at = serializers.DateTimeField()
    place = serializers.CharField()
    online = serializers.BooleanField()


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting with its agenda, attendance counts, minutes and resolutions."""

    minutes = serializers.CharField()
    agenda = serializers.SerializerMethodField()
    attendance = serializers.SerializerMethodField(help_text=_("出席情况：登记人数与出席人数"))
    resolutions = serializers.SerializerMethodField()

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_agenda(self, obj: Any) -> Any:
        return AgendaItemSerializer(selectors.agenda_of(obj), many=True).data

    @extend_schema_field(
        {"type": "object", "properties": {"recorded": {"type": "integer"}, "present": {"type": "integer"}}}
    )
    def get_attendance(self, obj: Any) -> dict[str, int]:
        rows = selectors.attendance_of(obj)
        return {"recorded": len(rows), "present": sum(1 for p in rows.values() if p)}

    @extend_schema_field(ResolutionSerializer(many=True))
    def get_resolutions(self, obj: Any) -> Any:
        return ResolutionSerializer(selectors.resolutions_of(obj), many=True).data


class ResolutionCreateSerializer(serializers.Serializer):
    """A resolution: each present member's vote by member id (a present member not listed abstains)."""

    title = StrictCharField(max_length=100, required=False, allow_blank=True, help_text=_("决议事项（有议程时可省略）"))
    text = StrictCharField(max_length=4000, help_text=_("决议内容"))
    agenda_item = serializers.UUIDField(required=False, allow_null=True, help_text=_("议程 id（可选）"))
    votes = serializers.DictField(
        child=serializers.ChoiceField(choices=[c.value for c in Choice]),
        help_text=_("成员 id → yes / no / abstain"),
    )


# --- residents' groups and meeting requests ------------------------------------------------------------------------


class GroupSerializer(serializers.Serializer):
    """A residents' group (居民小组) and what it covers."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    community = NamedRefSerializer()
    leader_name = serializers.CharField()
    is_active = serializers.BooleanField()
    buildings = NamedRefSerializer(many=True, source="buildings.all")
    dwellings = serializers.SerializerMethodField(help_text=_("所含房屋数"))

    def get_dwellings(self, obj: Any) -> int:
        return len(obj.dwellings.all())


class MeetingRequestSerializer(serializers.Serializer):
    """A request to convene the residents' meeting (居民会议), with its supporters counted on its basis."""

    id = serializers.UUIDField(source="public_id")
    community = NamedRefSerializer()
    basis = serializers.CharField(help_text="residents / households / groups")
    basis_label = serializers.SerializerMethodField()
    subject = serializers.CharField()
    reason = serializers.CharField()
    entitled = serializers.IntegerField(help_text=_("应计总数（提议时按登记计算）"))
    supporters = serializers.SerializerMethodField(help_text=_("按提议主体计的提议人数"))
    status = serializers.CharField(help_text="collecting / reached / convened")
    status_label = serializers.CharField(source="get_status_display")
    reached_at = serializers.DateTimeField(allow_null=True)
    convened_on = serializers.DateField(allow_null=True)

    def get_basis_label(self, obj: Any) -> str:
        return _label(BASIS_LABELS, obj.basis)

    def get_supporters(self, obj: Any) -> int:
        return selectors.supporter_count(obj)


class SupporterCreateSerializer(serializers.Serializer):
    """One supporter of a request: a resident (aged 18 or over) of the community, or for a request on the basis of
    groups one of its residents' groups."""

    resident = serializers.UUIDField(required=False, allow_null=True, help_text=_("居民 id（按居民或户提议时）"))
    group = serializers.UUIDField(required=False, allow_null=True, help_text=_("居民小组 id（按居民小组提议时）"))
