"""API representations of volunteer service and the bodies the API accepts.

Plain serializers (not ModelSerializer) so that no model field reaches the API unless listed here. A volunteer is
shown by masked name, mobile and ID number only; hours are exact decimal strings ("2.5").
"""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from shequ.core.api import StrictCharField

from . import selectors
from .domain import (
    ACTIVITY_STATUS_LABELS,
    CORRECTION_STATUS_LABELS,
    ENTRY_KIND_LABELS,
    SIGNUP_STATUS_LABELS,
    ActivityEvent,
    ActivityStatus,
    EntryKind,
    hours_text,
)


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else ""


class VolunteerRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class HoursField(serializers.DecimalField):
    """Hours out as exact strings without trailing zeros; in as a decimal (the service checks the rules)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=8, decimal_places=4, coerce_to_string=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return hours_text(value) if value is not None else "0"


# --- volunteers ----------------------------------------------------------------------------------------------


class VolunteerSerializer(serializers.Serializer):
    """A volunteer of a community (masked)."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="name_masked", help_text=_("姓名（已遮蔽）"))
    community = VolunteerRefSerializer()
    mobile = serializers.CharField(source="mobile_masked", help_text=_("手机号码（已遮蔽）"))
    gender = serializers.CharField(help_text="M / F / U")
    skills = serializers.CharField()
    categories = serializers.CharField()
    registered_on = serializers.DateField()
    linked_to_resident = serializers.SerializerMethodField(help_text=_("是否关联居民登记（居民本人注册）"))

    def get_linked_to_resident(self, obj: Any) -> bool:
        return obj.resident_id is not None


class VolunteerServiceRecordSerializer(serializers.Serializer):
    """One confirmed service (travel excluded from `hours`)."""

    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField(help_text=_("活动名称"))
    organiser = VolunteerRefSerializer()
    served_on = serializers.DateField()
    place = serializers.CharField()
    content = serializers.CharField()
    hours = HoursField(help_text=_("服务时长（小时，不含往返交通）"))
    travel_hours = HoursField(help_text=_("往返交通（小时，不计入）"))


class VolunteerEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField(help_text=" / ".join(k.value for k in EntryKind))
    kind_label = serializers.SerializerMethodField()
    on = serializers.DateField()
    title = serializers.CharField()
    issuer = serializers.CharField()

    def get_kind_label(self, obj: Any) -> str:
        return _label(ENTRY_KIND_LABELS, obj.kind)


class VolunteerProofSerializer(serializers.Serializer):
    """A proof of service issued free of charge."""

    id = serializers.UUIDField(source="public_id")
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    total_hours = HoursField()
    services = serializers.IntegerField()


class VolunteerDetailSerializer(VolunteerSerializer):
    """A volunteer with the record: confirmed services and their total, training, commendations, complaints, the
    guardian's consent (for a minor) and the proofs issued."""

    id_number = serializers.CharField(source="id_number_masked", help_text=_("证件号码（已遮蔽）"))
    total_hours = serializers.SerializerMethodField(help_text=_("累计服务时长（小时）"))
    minor = serializers.SerializerMethodField(help_text=_("今天是否未成年（未登记出生日期时为 null）"))
    guardian_consent = serializers.SerializerMethodField(help_text=_("是否已记录监护人同意"))
    records = serializers.SerializerMethodField()
    entries = serializers.SerializerMethodField()
    proofs = serializers.SerializerMethodField()

    def get_total_hours(self, obj: Any) -> str:
        return selectors.totals_of(obj).hours_text

    def get_minor(self, obj: Any) -> bool | None:
        return selectors.is_minor_now(obj, self.context["today"])

    def get_guardian_consent(self, obj: Any) -> bool:
        return selectors.consent_of(obj) is not None

    def get_records(self, obj: Any) -> list[dict[str, Any]]:
        return VolunteerServiceRecordSerializer(selectors.records_of(obj), many=True).data  # type: ignore[return-value]

    def get_entries(self, obj: Any) -> list[dict[str, Any]]:
        return VolunteerEntrySerializer(selectors.entries_of(obj), many=True).data  # type: ignore[return-value]

    def get_proofs(self, obj: Any) -> list[dict[str, Any]]:
        return VolunteerProofSerializer(selectors.proofs_of(obj), many=True).data  # type: ignore[return-value]


class VolunteerCreateSerializer(serializers.Serializer):
    community = serializers.UUIDField(help_text=_("社区（须在您的辖区内）"))
    name = StrictCharField(max_length=50)
    birth_date = serializers.DateField(required=False, allow_null=True, help_text=_("填写身份证号码时可省略"))
    id_number = StrictCharField(required=False, allow_blank=True, default="", max_length=18)
    mobile = StrictCharField(required=False, allow_blank=True, default="", max_length=11)
    gender = serializers.ChoiceField(choices=["M", "F", "U"], default="U")
    skills = StrictCharField(required=False, allow_blank=True, default="", max_length=200)
    categories = StrictCharField(required=False, allow_blank=True, default="", max_length=200)


class VolunteerConsentSerializer(serializers.Serializer):
    guardian_name = StrictCharField(max_length=50)
    relation = StrictCharField(max_length=20, help_text=_("与志愿者关系"))
    guardian_mobile = StrictCharField(required=False, allow_blank=True, default="", max_length=11)
    consented_on = serializers.DateField(required=False, allow_null=True, default=None)


class VolunteerEntryCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[k.value for k in EntryKind])
    on = serializers.DateField()
    title = StrictCharField(max_length=200)
    issuer = StrictCharField(required=False, allow_blank=True, default="", max_length=100)


# --- activities ----------------------------------------------------------------------------------------------


class VolunteerActivitySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    organiser = VolunteerRefSerializer()
    community = VolunteerRefSerializer()
    place = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    slots = serializers.IntegerField()
    status = serializers.CharField(help_text=" / ".join(s.value for s in ActivityStatus))
    status_label = serializers.SerializerMethodField()

    def get_status_label(self, obj: Any) -> str:
        return _label(ACTIVITY_STATUS_LABELS, obj.status)


class VolunteerSignupSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    volunteer = serializers.UUIDField(source="volunteer.public_id")
    volunteer_name = serializers.CharField(source="volunteer.name_masked", help_text=_("姓名（已遮蔽）"))
    status = serializers.CharField(help_text="signed_up / withdrawn / attended / absent")
    status_label = serializers.SerializerMethodField()
    signed_up_at = serializers.DateTimeField()

    def get_status_label(self, obj: Any) -> str:
        return _label(SIGNUP_STATUS_LABELS, obj.status)


class VolunteerActivityDetailSerializer(VolunteerActivitySerializer):
    content = serializers.CharField()
    taken = serializers.SerializerMethodField(help_text=_("已占用的名额"))
    signups = serializers.SerializerMethodField()

    def get_taken(self, obj: Any) -> int:
        return selectors.taken_slots(obj)

    def get_signups(self, obj: Any) -> list[dict[str, Any]]:
        return VolunteerSignupSerializer(selectors.signups_of(obj), many=True).data  # type: ignore[return-value]


class VolunteerActivityCreateSerializer(serializers.Serializer):
    organiser = serializers.UUIDField(help_text=_("组织单位（您所在的单位，或您所在社区的单位）"))
    title = StrictCharField(max_length=100)
    content = StrictCharField(max_length=2000)
    place = StrictCharField(max_length=100)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    slots = serializers.IntegerField(min_value=1, max_value=1000)


class VolunteerConfirmHoursSerializer(serializers.Serializer):
    signup = serializers.UUIDField(help_text=_("报名"))
    hours = serializers.DecimalField(max_digits=8, decimal_places=4, help_text=_("服务时长（小时，不含往返交通）"))
    travel_hours = serializers.DecimalField(max_digits=8, decimal_places=4, required=False, default=Decimal(0))


class VolunteerActivityStatusSerializer(serializers.Serializer):
    event = serializers.ChoiceField(
        choices=[e.value for e in ActivityEvent], help_text=_("close 截止报名，reopen 重新开放报名，cancel 取消活动")
    )


class VolunteerSignupRefSerializer(serializers.Serializer):
    signup = serializers.UUIDField(help_text=_("报名"))


# --- corrections ---------------------------------------------------------------------------------------------


class VolunteerCorrectionSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    volunteer_name = serializers.CharField(source="volunteer.name_masked", help_text=_("姓名（已遮蔽）"))
    record = VolunteerServiceRecordSerializer()
    text = serializers.CharField()
    status = serializers.CharField(help_text="pending / accepted / refused")
    status_label = serializers.SerializerMethodField()
    asked_at = serializers.DateTimeField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)

    def get_status_label(self, obj: Any) -> str:
        return _label(CORRECTION_STATUS_LABELS, obj.status)


class VolunteerAnswerSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    answer = StrictCharField(required=False, allow_blank=True, default="", max_length=500)
    hours = serializers.DecimalField(max_digits=8, decimal_places=4, required=False, allow_null=True, default=None)
    travel_hours = serializers.DecimalField(
        max_digits=8, decimal_places=4, required=False, allow_null=True, default=None
    )
    place = StrictCharField(required=False, allow_blank=True, default="", max_length=100)
