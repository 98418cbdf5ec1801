"""API representations of residents and households: masked identifiers, the birth decade (never an age).

Plain serializers (not ModelSerializer) so that no model field reaches the API unless listed here.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shequ.core.api import StrictCharField

from . import selectors
from .domain import (
    CARE_TAGS,
    DISCLOSURE_REASON_LABELS,
    GENDER_LABELS,
    ID_TYPE_LABELS,
    LEGAL_BASIS_LABELS,
    REASON_DETAIL_MAX,
    REASON_DETAIL_MIN,
    RELATION_LABELS,
    RESIDENCE_TYPE_LABELS,
    STATUS_LABELS,
    ResidentStatus,
)
from .errors import RegistryError

HIDDEN_STATUSES = (ResidentStatus.WITHDRAWN, ResidentStatus.ERASED)


def _address(dwelling: Any) -> dict[str, Any] | None:
    if dwelling is None:
        return None
    b = dwelling.building
    return {
        "dwelling": str(dwelling.public_id),
        "compound": b.compound.name,
        "building": b.name,
        "building_id": str(b.public_id),
        "room": dwelling.number,
        "text": f"{b.compound.name} {b.name} {dwelling.number}",
    }


class AddressSerializer(serializers.Serializer):
    dwelling = serializers.UUIDField(help_text=_("房屋 id"))
    compound = serializers.CharField(help_text=_("小区"))
    building = serializers.CharField(help_text=_("楼栋"))
    building_id = serializers.UUIDField(help_text=_("楼栋 id"))
    room = serializers.CharField(help_text=_("房号"))
    text = serializers.CharField(help_text=_("完整住址"))


class HouseholdRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.CharField()


class CommunityRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()


class ResidentSerializer(serializers.Serializer):
    """A resident as lists show them. Personal values are masked; of the birth date only the decade is shown
    (the full date through reveal)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)
    gender = serializers.CharField(read_only=True, help_text="M / F / U")
    gender_label = serializers.SerializerMethodField()
    birth_decade = serializers.SerializerMethodField(help_text=_("出生年代，如 1960 表示 1960–1969 年；未知时为 null"))
    birth_decade_label = serializers.SerializerMethodField()
    id_type = serializers.CharField(read_only=True)
    id_type_label = serializers.SerializerMethodField()
    id_number_masked = serializers.SerializerMethodField()
    mobile_masked = serializers.SerializerMethodField()
    community = serializers.SerializerMethodField()
    household = serializers.SerializerMethodField()
    relation = serializers.CharField(read_only=True)
    relation_label = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    residence_type = serializers.CharField(read_only=True)
    residence_type_label = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    has_sensitive_tags = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)
    status_label = serializers.SerializerMethodField()

    def _hidden(self, r: Any) -> bool:
        return r.status in HIDDEN_STATUSES

    def get_gender_label(self, r: Any) -> str:
        return str(GENDER_LABELS.get(r.gender, ""))

    def get_birth_decade(self, r: Any) -> int | None:
        return None if self._hidden(r) else r.birth_decade

    def get_birth_decade_label(self, r: Any) -> str:
        return "" if self._hidden(r) else selectors.display_decade(r)

    def get_id_type_label(self, r: Any) -> str:
        return str(ID_TYPE_LABELS.get(r.id_type, r.id_type))

    def get_id_number_masked(self, r: Any) -> str:
        return "" if self._hidden(r) else r.id_number_masked

    def get_mobile_masked(self, r: Any) -> str:
        return "" if self._hidden(r) else r.mobile_masked

    @extend_schema_field(CommunityRefSerializer)
    def get_community(self, r: Any) -> dict[str, str]:
        c = r.community
        return {"id": str(c.public_id), "code": c.code, "name": c.name}

    @extend_schema_field(HouseholdRefSerializer(allow_null=True))
    def get_household(self, r: Any) -> dict[str, str] | None:
        h = r.household
        return {"id": str(h.public_id), "number": h.number} if h is not None else None

    def get_relation_label(self, r: Any) -> str:
        return str(RELATION_LABELS.get(r.relation, "")) if r.relation else ""

    @extend_schema_field(AddressSerializer(allow_null=True))
    def get_address(self, r: Any) -> dict[str, Any] | None:
        return _address(r.dwelling)

    def get_residence_type_label(self, r: Any) -> str:
        return str(RESIDENCE_TYPE_LABELS.get(r.residence_type, r.residence_type))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, r: Any) -> list[str]:
        return [] if self._hidden(r) else selectors.display_tags(r)

    def get_has_sensitive_tags(self, r: Any) -> bool:
        return False if self._hidden(r) else r.has_sensitive_tags

    def get_status_label(self, r: Any) -> str:
        return str(STATUS_LABELS.get(r.status, r.status))


class ResidenceSerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    address = serializers.SerializerMethodField()
    household = serializers.SerializerMethodField()
    relation = serializers.CharField()

    @extend_schema_field(AddressSerializer(allow_null=True))
    def get_address(self, s: Any) -> dict[str, Any] | None:
        return _address(s.dwelling)

    def get_household(self, s: Any) -> str | None:
        return s.household.number if s.household_id else None


class ResidentDetailSerializer(ResidentSerializer):
    """A resident with the history of their stays (moves, household changes)."""

    legal_basis = serializers.CharField(read_only=True)
    legal_basis_label = serializers.SerializerMethodField()
    moved_in_on = serializers.DateField(read_only=True, allow_null=True)
    moved_out_on = serializers.DateField(read_only=True, allow_null=True)
    died_on = serializers.DateField(read_only=True, allow_null=True)
    residences = serializers.SerializerMethodField()

    def get_legal_basis_label(self, r: Any) -> str:
        return str(LEGAL_BASIS_LABELS.get(r.legal_basis, r.legal_basis))

    @extend_schema_field(ResidenceSerializer(many=True))
    def get_residences(self, r: Any) -> list[dict[str, Any]]:
        if self._hidden(r):
            return []
        stays = r.residences.select_related(
            "dwelling", "dwelling__building", "dwelling__building__compound", "household"
        ).order_by("-valid_from", "-id")
        return ResidenceSerializer(stays, many=True).data


class ResidentCreateSerializer(serializers.Serializer):
    """Register a resident. The number fields are sent in clear over TLS and stored only encrypted."""

    community = serializers.UUIDField(required=False, help_text=_("社区 id；给出房屋时可省略"))
    dwelling = serializers.UUIDField(required=False, allow_null=True, help_text=_("房屋 id"))
    household = serializers.UUIDField(required=False, allow_null=True, help_text=_("本社区已登记的户 id"))
    relation = serializers.ChoiceField(
        choices=[(k.value, v) for k, v in RELATION_LABELS.items()], required=False, allow_blank=True
    )
    name = StrictCharField(max_length=50)
    gender = serializers.ChoiceField(choices=[(k.value, v) for k, v in GENDER_LABELS.items()], default="U")
    id_type = serializers.ChoiceField(choices=[(k.value, v) for k, v in ID_TYPE_LABELS.items()], default="none")
    id_number = StrictCharField(max_length=40, required=False, allow_blank=True, default="")
    birth_date = serializers.DateField(required=False, allow_null=True)
    mobile = StrictCharField(max_length=20, required=False, allow_blank=True, default="")
    residence_type = serializers.ChoiceField(
        choices=[(k.value, v) for k, v in RESIDENCE_TYPE_LABELS.items()], default="permanent"
    )
    care_tags = serializers.ListField(
        child=serializers.ChoiceField(choices=[(t.code, t.label) for t in CARE_TAGS]), required=False, default=list
    )
    notes = StrictCharField(max_length=1000, required=False, allow_blank=True, default="")
    legal_basis = serializers.ChoiceField(
        choices=[(k.value, v) for k, v in LEGAL_BASIS_LABELS.items()], default="statutory"
    )
    moved_in_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("community") and not attrs.get("dwelling"):
            raise serializers.ValidationError(
                {"community": _("请给出社区或房屋")}, RegistryError.COMMUNITY_OR_DWELLING_REQUIRED
            )
        return attrs


class ExactSearchSerializer(serializers.Serializer):
    """Exactly one of the two numbers; sent in the body so that it never appears in a URL or access log."""

    id_number = StrictCharField(max_length=40, required=False, allow_blank=False)
    mobile = StrictCharField(max_length=20, required=False, allow_blank=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("id_number")) == bool(attrs.get("mobile")):
            raise serializers.ValidationError(
                _("请只给出证件号码（id_number）或手机号码（mobile）其中之一"), RegistryError.SEARCH_ONE_NUMBER
            )
        return attrs


class ResidentSearchResultSerializer(serializers.Serializer):
    results = ResidentSerializer(many=True)


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(
        choices=["mobile", "id_number", "birth_date", "sensitive_tags", "notes"],
        help_text=_(
            "mobile 手机号码；id_number 证件号码；birth_date 出生日期；sensitive_tags 敏感关怀标签；notes 备注"
        ),
    )
    reason_code = serializers.ChoiceField(
        choices=[(k.value, v) for k, v in DISCLOSURE_REASON_LABELS.items()],
        help_text=_(
            "查看理由：home_visit 入户走访核实；benefits 政策待遇办理；emergency 应急处置；"
            "authority 上级部门依法调取；subject_request 居民本人申请；other 其他"
        ),
    )
    reason = StrictCharField(
        min_length=REASON_DETAIL_MIN, max_length=REASON_DETAIL_MAX, help_text=_("理由说明（留痕）")
    )


class RevealResponseSerializer(serializers.Serializer):
    value = serializers.CharField()


class HouseholdSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    number = serializers.CharField(read_only=True)
    community = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()

    @extend_schema_field(CommunityRefSerializer)
    def get_community(self, h: Any) -> dict[str, str]:
        c = h.community
        return {"id": str(c.public_id), "code": c.code, "name": c.name}

    @extend_schema_field(AddressSerializer(allow_null=True))
    def get_address(self, h: Any) -> dict[str, Any] | None:
        return _address(h.dwelling)


class HouseholdDetailSerializer(HouseholdSerializer):
    """A household with its members in the caller's scope (masked) and its head when visible."""

    head = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()

    def _members(self, h: Any) -> list[Any]:
        return self.context["members"]

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_head(self, h: Any) -> str | None:
        members = self._members(h)
        head = next((m for m in members if m.pk == h.head_id), None)
        return str(head.public_id) if head is not None else None

    @extend_schema_field(ResidentSerializer(many=True))
    def get_members(self, h: Any) -> list[dict[str, Any]]:
        return ResidentSerializer(self._members(h), many=True).data
