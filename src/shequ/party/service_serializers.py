"""API representations of 在职党员双报到 (registrations with masked names, needs with the places left, claims,
services) and of 党员中心户 (hubs with their linked members, households and warnings), and the bodies the API
accepts. Plain serializers: no model field reaches the API unless listed here."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from shequ.core.api import StrictCharField
from shequ.volunteers.domain import hours_text

from . import inservice_selectors
from .domain import (
    CLAIM_STATUS_LABELS,
    ENTRY_STATUS_LABELS,
    NEED_KIND_LABELS,
    NEED_STATUS_LABELS,
    REGISTRATION_STATUS_LABELS,
    ClaimStatus,
    EntryStatus,
    NeedKind,
    NeedStatus,
)
from .serializers import PartyMemberRefSerializer, PartyOrgRefSerializer, PartyRefSerializer


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else ""


def _choices(enum: Any) -> str:
    return " / ".join(v.value for v in enum)


# --- registrations --------------------------------------------------------------------------------------------


class InServiceMemberSerializer(serializers.Serializer):
    """A registration slip (报到登记) of an in-service member; the name masked."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="name_masked", help_text=_("姓名（已遮蔽）"))
    community = PartyRefSerializer(help_text=_("报到社区"))
    own_org_name = serializers.CharField(help_text=_("所在党组织"))
    employer = serializers.CharField(help_text=_("工作单位"))
    job_title = serializers.CharField(help_text=_("职务"))
    skills = serializers.CharField(help_text=_("特长和可提供的服务"))
    preferred_kinds = serializers.SerializerMethodField(help_text=_choices(NeedKind))
    registered_on = serializers.DateField(help_text=_("报到日期"))
    status = serializers.CharField(help_text="active / ended")
    status_label = serializers.SerializerMethodField()
    ended_on = serializers.DateField(allow_null=True, help_text=_("结束日期"))

    def get_preferred_kinds(self, obj: Any) -> list[str]:
        return inservice_selectors.preferred_kinds(obj)

    def get_status_label(self, obj: Any) -> str:
        return _label(REGISTRATION_STATUS_LABELS, obj.status)


class InServiceFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=50, help_text=_("完整姓名（精确）或工作单位"))
    status = serializers.ChoiceField(required=False, choices=["active", "ended"], help_text=_("默认 active"))


class InServiceCreateSerializer(serializers.Serializer):
    resident = serializers.UUIDField(help_text=_("报到的居民（须住在您管理的社区）"))
    own_org_name = StrictCharField(max_length=100)
    employer = StrictCharField(max_length=100)
    job_title = StrictCharField(max_length=50, required=False, allow_blank=True, default="")
    skills = StrictCharField(max_length=300, required=False, allow_blank=True, default="")
    preferred_kinds = serializers.ListField(
        child=serializers.CharField(max_length=16), required=False, default=list, help_text=_choices(NeedKind)
    )
    registered_on = serializers.DateField(required=False, allow_null=True)


class InServiceEndSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, help_text=_("结束日期（默认今天）"))


class InServiceRevealSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=100, help_text=_("查看原因（记录审计）"))


class InServiceRevealResultSerializer(serializers.Serializer):
    name = serializers.CharField()


# --- needs, claims, services ----------------------------------------------------------------------------------


class ServiceNeedSerializer(serializers.Serializer):
    """An item of a community's needs list (需求清单) with the places still free."""

    id = serializers.UUIDField(source="public_id")
    community = PartyRefSerializer()
    title = serializers.CharField()
    kind = serializers.CharField(help_text=_choices(NeedKind))
    kind_label = serializers.SerializerMethodField()
    description = serializers.CharField()
    place = serializers.CharField()
    wanted = serializers.IntegerField(help_text=_("需要人数"))
    places_left = serializers.SerializerMethodField(help_text=_("尚可认领人数"))
    open_from = serializers.DateField()
    open_until = serializers.DateField(allow_null=True)
    status = serializers.CharField(help_text=_choices(NeedStatus))
    status_label = serializers.SerializerMethodField()

    def get_kind_label(self, obj: Any) -> str:
        return _label(NEED_KIND_LABELS, obj.kind)

    def get_places_left(self, obj: Any) -> int:
        return inservice_selectors.places_left(obj)

    def get_status_label(self, obj: Any) -> str:
        return _label(NEED_STATUS_LABELS, obj.status)


class ServiceNeedRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()


class NeedClaimSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    need = ServiceNeedRefSerializer(help_text=_("需求"))
    member = PartyMemberRefSerializer(help_text=_("认领的在职党员"))
    claimed_at = serializers.DateTimeField()
    status = serializers.CharField(help_text=_choices(ClaimStatus))
    status_label = serializers.SerializerMethodField()

    def get_status_label(self, obj: Any) -> str:
        return _label(CLAIM_STATUS_LABELS, obj.status)


class ServiceNeedDetailSerializer(ServiceNeedSerializer):
    claims = serializers.SerializerMethodField()

    def get_claims(self, obj: Any) -> list[dict[str, Any]]:
        return NeedClaimSerializer(inservice_selectors.claims_of_need(obj), many=True).data  # type: ignore[return-value]


class ServiceNeedFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(required=False, choices=[s.value for s in NeedStatus])
    kind = serializers.CharField(required=False, max_length=16, help_text=_choices(NeedKind))


class ServiceNeedCreateSerializer(serializers.Serializer):
    community = serializers.UUIDField(help_text=_("社区（须是您管理双报到的社区）"))
    title = StrictCharField(max_length=100)
    kind = StrictCharField(max_length=16, help_text=_choices(NeedKind))
    wanted = serializers.IntegerField(min_value=1, max_value=200)
    open_from = serializers.DateField(required=False, allow_null=True)
    open_until = serializers.DateField(required=False, allow_null=True)
    description = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
    place = StrictCharField(max_length=100, required=False, allow_blank=True, default="")


class NeedClaimCreateSerializer(serializers.Serializer):
    member = serializers.UUIDField(help_text=_("代为认领的在职党员（报到登记）"))


class ServiceEntrySerializer(serializers.Serializer):
    """A service done: day, hours and content; confirmed by the community or waiting for it."""

    id = serializers.UUIDField(source="public_id")
    member = PartyMemberRefSerializer(help_text=_("在职党员"))
    need = serializers.SerializerMethodField(help_text=_("认领的需求（没有时为 null）"))
    served_on = serializers.DateField()
    hours = serializers.SerializerMethodField(help_text=_("服务时长（小时，文本，精确）"))
    content = serializers.CharField()
    status = serializers.CharField(help_text=_choices(EntryStatus))
    status_label = serializers.SerializerMethodField()

    def get_need(self, obj: Any) -> str | None:
        return obj.claim.need.title if obj.claim is not None else None

    def get_hours(self, obj: Any) -> str:
        return hours_text(obj.hours)

    def get_status_label(self, obj: Any) -> str:
        return _label(ENTRY_STATUS_LABELS, obj.status)


class ServiceEntryFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(required=False, choices=[s.value for s in EntryStatus])


class ServiceEntryCreateSerializer(serializers.Serializer):
    served_on = serializers.DateField()
    hours = StrictCharField(max_length=12, help_text=_("服务时长（小时），大于 0 且不超过 24，最多两位小数"))
    content = StrictCharField(max_length=300)
    claim = serializers.UUIDField(required=False, allow_null=True, help_text=_("该党员认领的需求（可选）"))


# --- hubs ---------------------------------------------------------------------------------------------------------


class HubHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    household = serializers.UUIDField(source="household.public_id")
    number = serializers.CharField(source="household.number", help_text=_("户号"))


class HubLinkSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    member = PartyMemberRefSerializer()
    households = HubHouseholdSerializer(many=True, source="households.all")


class HubSerializer(serializers.Serializer):
    """A Party-member hub household (党员中心户) on a micro-grid, with its members, households and warnings."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    area = PartyRefSerializer(help_text=_("微网格"))
    org = PartyOrgRefSerializer(help_text=_("户主所在党组织"))
    host = PartyMemberRefSerializer(help_text=_("中心户户主"))
    since = serializers.DateField()
    active = serializers.BooleanField()
    links = HubLinkSerializer(many=True, source="links.all")
    warnings = serializers.SerializerMethodField(help_text=_("超过本地设定时的提醒（不限制）"))

    def get_warnings(self, obj: Any) -> list[str]:
        from .hub_selectors import hub_row

        return list(hub_row(obj).warnings)


class HubCreateSerializer(serializers.Serializer):
    area = serializers.UUIDField(help_text=_("微网格"))
    host = serializers.UUIDField(help_text=_("中心户户主（党员）"))
    name = StrictCharField(max_length=60)
    since = serializers.DateField(required=False, allow_null=True)


class HubLinkCreateSerializer(serializers.Serializer):
    member = serializers.UUIDField(help_text=_("联系的党员"))


class HubHouseholdCreateSerializer(serializers.Serializer):
    link = serializers.UUIDField(help_text=_("中心户的联系党员（联系记录的编号）"))
    household = serializers.UUIDField(help_text=_("本微网格的群众户"))


class HubResultSerializer(serializers.Serializer):
    hub = HubSerializer()
    warnings = serializers.ListField(child=serializers.CharField())
