"""API representations of public notices (公示) and objections (异议), and the bodies the API accepts.

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
    CHANNEL_LABELS,
    KIND_LABELS,
    MAX_BODY,
    MAX_TEXT,
    MAX_TITLE,
    OBJECTION_STATUS_LABELS,
    PHASE_LABELS,
    STATUS_LABELS,
    Channel,
    Kind,
    Phase,
    Status,
    period_days,
    phase,
)


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else ""


def _ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": str(obj.public_id), "name": obj.name}


class PlaceRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class NoticeSerializer(serializers.Serializer):
    """A notice as the list shows it: its area, kind, period (with its phase today) and status."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.CharField(read_only=True, help_text=" / ".join(k.value for k in Kind))
    kind_label = serializers.SerializerMethodField()
    title = serializers.CharField(read_only=True)
    community = serializers.SerializerMethodField()
    compound = serializers.SerializerMethodField()
    building = serializers.SerializerMethodField()
    place = serializers.SerializerMethodField(help_text=_("公示范围：社区，及小区、楼栋"))
    starts_on = serializers.DateField(read_only=True)
    ends_on = serializers.DateField(read_only=True)
    days = serializers.SerializerMethodField(help_text=_("公示天数（含开始和结束当天）"))
    phase = serializers.SerializerMethodField(help_text=" / ".join(p.value for p in Phase))
    phase_label = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text=" / ".join(s.value for s in Status))
    status_label = serializers.SerializerMethodField()
    source_type = serializers.CharField(read_only=True, help_text=_("来源类型，如 votes.vote"))
    source_id = serializers.CharField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    open_objections = serializers.SerializerMethodField(help_text=_("待答复的异议数"))

    def get_kind_label(self, obj: Any) -> str:
        return _label(KIND_LABELS, obj.kind)

    @extend_schema_field(PlaceRefSerializer)
    def get_community(self, obj: Any) -> dict[str, Any] | None:
        return _ref(obj.community)

    @extend_schema_field(PlaceRefSerializer(allow_null=True))
    def get_compound(self, obj: Any) -> dict[str, Any] | None:
        return _ref(obj.compound)

    @extend_schema_field(PlaceRefSerializer(allow_null=True))
    def get_building(self, obj: Any) -> dict[str, Any] | None:
        return _ref(obj.building)

    def get_place(self, obj: Any) -> str:
        return selectors.addressed_to(obj)

    def get_days(self, obj: Any) -> int:
        return period_days(obj.starts_on, obj.ends_on)

    def get_phase(self, obj: Any) -> str:
        return phase(obj.starts_on, obj.ends_on, timezone.localdate()).value

    def get_phase_label(self, obj: Any) -> str:
        return str(PHASE_LABELS[phase(obj.starts_on, obj.ends_on, timezone.localdate())])

    def get_status_label(self, obj: Any) -> str:
        return _label(STATUS_LABELS, obj.status)

    def get_open_objections(self, obj: Any) -> int:
        return int(getattr(obj, "open_objections", 0) or 0)


class ObjectionSerializer(serializers.Serializer):
    """An objection and its answer (the staff's view: the objector by name)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    notice = serializers.UUIDField(source="notice.public_id", read_only=True)
    resident = serializers.SerializerMethodField()
    text = serializers.CharField(read_only=True)
    channel = serializers.CharField(read_only=True, help_text=" / ".join(c.value for c in Channel))
    channel_label = serializers.SerializerMethodField()
    received_on = serializers.DateField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="open / answered")
    status_label = serializers.SerializerMethodField()
    answer = serializers.CharField(read_only=True)
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @extend_schema_field(PlaceRefSerializer)
    def get_resident(self, obj: Any) -> dict[str, Any] | None:
        return _ref(obj.resident)

    def get_channel_label(self, obj: Any) -> str:
        return _label(CHANNEL_LABELS, obj.channel)

    def get_status_label(self, obj: Any) -> str:
        return _label(OBJECTION_STATUS_LABELS, obj.status)


class NoticeDetailSerializer(NoticeSerializer):
    """A notice with its text, withdrawal, the notice it corrects, and its objections with their answers."""

    body = serializers.CharField(read_only=True)
    supersedes = serializers.SerializerMethodField(help_text=_("本公示更正的原公示 id"))
    withdrawn_at = serializers.DateTimeField(read_only=True, allow_null=True)
    withdraw_reason = serializers.CharField(read_only=True)
    objections = serializers.SerializerMethodField()

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_supersedes(self, obj: Any) -> str | None:
        return str(obj.supersedes.public_id) if obj.supersedes_id else None

    @extend_schema_field(ObjectionSerializer(many=True))
    def get_objections(self, obj: Any) -> list[dict[str, Any]]:
        return ObjectionSerializer(selectors.objections_of_notice(obj), many=True).data


class NoticeFilterSerializer(serializers.Serializer):
    """The list page's filters; an empty value means no filter."""

    text = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text=_("标题或内容"))
    kind = serializers.ChoiceField(required=False, allow_blank=True, choices=[k.value for k in Kind])
    status = serializers.ChoiceField(required=False, allow_blank=True, choices=[s.value for s in Status])
    period = serializers.ChoiceField(
        required=False,
        allow_blank=True,
        choices=[p.value for p in Phase],
        help_text=_("公示期：upcoming 未开始，running 公示中，ended 已结束"),
    )


class NoticeCreateSerializer(serializers.Serializer):
    """A new notice, saved as a draft (publish it with …/publish/). Its area is a community of yours, optionally
    narrowed to one of its compounds or buildings."""

    community = serializers.UUIDField(help_text=_("社区 id"))
    compound = serializers.UUIDField(required=False, allow_null=True, help_text=_("小区 id（可选）"))
    building = serializers.UUIDField(required=False, allow_null=True, help_text=_("楼栋 id（可选）"))
    kind = serializers.ChoiceField(choices=[k.value for k in Kind])
    title = StrictCharField(max_length=MAX_TITLE)
    body = StrictCharField(max_length=MAX_BODY)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class WithdrawSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=MAX_TEXT, help_text=_("撤回理由（至少4个字）"))


class AnswerSerializer(serializers.Serializer):
    answer = StrictCharField(max_length=MAX_TEXT, help_text=_("答复内容（至少5个字）"))


class ObjectionRecordSerializer(serializers.Serializer):
    """An objection a resident of the notice's area gave on paper, by phone or in person, recorded by staff."""

    resident = serializers.UUIDField(help_text=_("异议人（居民 id）"))
    channel = serializers.ChoiceField(
        choices=[c.value for c in Channel if c is not Channel.PORTAL], help_text=_("paper 书面，phone 电话，visit 来访")
    )
    received_on = serializers.DateField(help_text=_("收到日期（在公示期内，不晚于今天）"))
    text = StrictCharField(max_length=MAX_TEXT, help_text=_("异议内容（至少5个字）"))
