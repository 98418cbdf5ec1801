"""API representations of "one core, many actors" and joint meetings, and the bodies the API accepts.

Plain serializers (not ModelSerializer) so that no model field reaches the API unless listed here. A contact person
is shown masked only; the full name and mobile come from …/reveal/, which is audited.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from shequ.cases.domain import CaseType
from shequ.core.api import QueryUUIDField, StrictCharField

from .domain import STATUS_LABELS, Kind, Status


class CoordinationUnitSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField(help_text=_("单位类型"))
    kind_label = serializers.CharField(source="get_kind_display")
    name = serializers.CharField()
    area = serializers.CharField(source="area.name", help_text=_("所在辖区"))


class CoordinationCommunitySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class ActorRoleSerializer(serializers.Serializer):
    """What a unit is responsible for in a community, with its contact person (masked)."""

    id = serializers.UUIDField(source="public_id")
    community = CoordinationCommunitySerializer()
    unit = CoordinationUnitSerializer()
    responsibilities = serializers.CharField(help_text=_("在本社区的职责"))
    contact_name = serializers.CharField(source="contact_name_masked", help_text=_("联系人（已遮蔽）"))
    contact_mobile = serializers.CharField(source="contact_mobile_masked", help_text=_("联系电话（已遮蔽）"))
    note = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ActorRoleFilterSerializer(serializers.Serializer):
    community = QueryUUIDField(required=False, help_text=_("社区 id"))
    kind = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text=_("单位类型"))


class ActorRoleUpsertSerializer(serializers.Serializer):
    """Write a unit's role in a community (created, or updated when the unit has one there)."""

    community = serializers.UUIDField(help_text=_("社区 id"))
    unit = serializers.UUIDField(help_text=_("单位 id（本社区或其上级辖区的单位）"))
    responsibilities = StrictCharField(required=False, allow_blank=True, max_length=2000, default="")
    contact_name = StrictCharField(required=False, allow_blank=True, max_length=50, default="")
    contact_mobile = StrictCharField(required=False, allow_blank=True, max_length=20, default="")
    note = StrictCharField(required=False, allow_blank=True, max_length=200, default="")
    keep_contact = serializers.BooleanField(
        required=False, default=False, help_text=_("保留已登记的联系人和电话（忽略 contact_name、contact_mobile）")
    )


class ContactRevealSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=100, help_text=_("查看原因"))


class ContactRevealResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    mobile = serializers.CharField()


class CommunityOverviewQuerySerializer(serializers.Serializer):
    community = serializers.UUIDField(help_text=_("社区 id"))


class CommunityActorRowSerializer(serializers.Serializer):
    unit = CoordinationUnitSerializer()
    role = ActorRoleSerializer(allow_null=True)
    present_only = serializers.BooleanField(help_text=_("单位不在本社区，因登记了职责而列入"))


class ActorGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    actors = CommunityActorRowSerializer(many=True, source="rows")


class CommunityCentreSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="org.public_id")
    name = serializers.CharField(source="org.unit.name")
    unit = serializers.UUIDField(source="org.unit.public_id")
    secretary = serializers.CharField(help_text=_("书记（已遮蔽；无权查看党组织职务时为空）"))
    role = ActorRoleSerializer(allow_null=True)


class CommunityOverviewSerializer(serializers.Serializer):
    """A community's page: the Party organisation at the centre and the ring of actors grouped by kind."""

    community = CoordinationCommunitySerializer()
    centre = CommunityCentreSerializer(allow_null=True)
    groups = ActorGroupSerializer(many=True)


# --- joint meetings ------------------------------------------------------------------------------------------


class JointFollowUpSerializer(serializers.Serializer):
    """A matter a joint meeting agreed on, its lead unit, due date and state; the case or proposal it became."""

    id = serializers.UUIDField(source="public_id")
    meeting = serializers.UUIDField(source="meeting.public_id")
    text = serializers.CharField()
    lead_unit = CoordinationUnitSerializer(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=[s.value for s in Status])
    status_label = serializers.SerializerMethodField()
    done_on = serializers.DateField(allow_null=True)
    result = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=[k.value for k in Kind], help_text=_("none / case（已立案）/ proposal（已转为议题）")
    )
    case = serializers.SerializerMethodField(help_text=_("诉求 id 和编号"))
    proposal = serializers.UUIDField(source="proposal.public_id", allow_null=True, help_text=_("议题 id"))

    def get_status_label(self, obj: Any) -> str:
        return str(STATUS_LABELS[Status(obj.status)])

    def get_case(self, obj: Any) -> dict[str, str] | None:
        if obj.case is None:
            return None
        return {"id": str(obj.case.public_id), "tracking_number": obj.case.tracking_number}


class JointMeetingSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    community = CoordinationCommunitySerializer()
    held_on = serializers.DateField()
    topic = serializers.CharField()
    convened_by = CoordinationUnitSerializer()
    follow_ups = serializers.IntegerField(source="n_follow_ups", help_text=_("议定事项数"))
    open_follow_ups = serializers.IntegerField(source="n_open", help_text=_("办理中的议定事项数"))


class JointMeetingDetailSerializer(JointMeetingSerializer):
    place = serializers.CharField()
    attendees = serializers.CharField()
    minutes = serializers.CharField()
    participants = serializers.SerializerMethodField()
    follow_up_items = serializers.SerializerMethodField()

    def get_participants(self, obj: Any) -> list[dict[str, Any]]:
        return CoordinationUnitSerializer(self.context["participants"], many=True).data

    def get_follow_up_items(self, obj: Any) -> list[dict[str, Any]]:
        return JointFollowUpSerializer(self.context["follow_ups"], many=True).data


class JointMeetingFilterSerializer(serializers.Serializer):
    community = QueryUUIDField(required=False, help_text=_("社区 id"))
    q = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text=_("议题或纪要中的文字"))


class JointFollowUpCreateSerializer(serializers.Serializer):
    text = StrictCharField(max_length=300, help_text=_("议定事项"))
    lead_unit = serializers.UUIDField(required=False, allow_null=True, default=None, help_text=_("牵头单位 id"))
    due_on = serializers.DateField(required=False, allow_null=True, default=None, help_text=_("完成期限"))


class JointMeetingCreateSerializer(serializers.Serializer):
    """A joint meeting of a community you manage: at least two units take part, the convener among them."""

    community = serializers.UUIDField(help_text=_("社区 id"))
    held_on = serializers.DateField()
    topic = StrictCharField(allow_blank=True, max_length=200)
    minutes = StrictCharField(allow_blank=True, max_length=20000)
    place = StrictCharField(required=False, allow_blank=True, max_length=100, default="")
    attendees = StrictCharField(required=False, allow_blank=True, max_length=300, default="")
    convened_by = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text=_("召集单位 id（默认：社区党组织）")
    )
    participants = serializers.ListField(child=serializers.UUIDField(), max_length=200, help_text=_("参会单位 id"))
    follow_ups = JointFollowUpCreateSerializer(many=True, required=False, default=list, max_length=50)


class JointFollowUpDoneSerializer(serializers.Serializer):
    done_on = serializers.DateField(help_text=_("办结日期"))
    result = StrictCharField(allow_blank=True, max_length=500, help_text=_("办理结果"))


class JointFollowUpCaseSerializer(serializers.Serializer):
    case_type = serializers.ChoiceField(
        choices=[t.value for t in CaseType], required=False, default=CaseType.HELP.value, help_text=_("诉求类型")
    )
    title = StrictCharField(required=False, allow_blank=True, max_length=100, default="")
    description = StrictCharField(required=False, allow_blank=True, max_length=2000, default="")


class JointFollowUpProposalSerializer(serializers.Serializer):
    title = StrictCharField(required=False, allow_blank=True, max_length=100, default="")
    description = StrictCharField(required=False, allow_blank=True, max_length=2000, default="")
