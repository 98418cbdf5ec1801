from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .domain import Level
from .models import Area, Building, Compound, Dwelling


class AreaSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    parent = serializers.SerializerMethodField()

    class Meta:
        model = Area
        fields = [
            "id",
            "code",
            "name",
            "level",
            "is_official_code",
            "parent",
            "center_lng",
            "center_lat",
            "center_crs",
        ]

    def get_parent(self, obj: Area) -> str | None:
        return obj.parent.code if obj.parent_id and obj.parent else None


class CompoundSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    community = serializers.CharField(source="community.code", read_only=True)

    class Meta:
        model = Compound
        fields = ["id", "code", "name", "kind", "community", "address", "built_year", "property_company"]


class BuildingSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    compound = serializers.UUIDField(source="compound.public_id", read_only=True)
    micro_grid = serializers.SerializerMethodField()

    class Meta:
        model = Building
        fields = ["id", "name", "number", "floors", "compound", "micro_grid"]

    def get_micro_grid(self, obj: Building) -> str | None:
        return obj.micro_grid.code if obj.micro_grid_id and obj.micro_grid else None


class DwellingSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    building = serializers.UUIDField(source="building.public_id", read_only=True)
    unit = serializers.IntegerField(source="unit.number", read_only=True)

    class Meta:
        model = Dwelling
        fields = ["id", "building", "unit", "floor", "number", "floor_area", "use"]


class LocateSerializer(serializers.Serializer):
    lng = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    crs = serializers.ChoiceField(choices=["wgs84", "gcj02", "bd09"], default="wgs84")


class AreaFilterSerializer(serializers.Serializer):
    """Query parameters of the area list, validated so that no raw value reaches the database (an empty one
    means no filter)."""

    level = serializers.ChoiceField(choices=[level.value for level in Level], required=False, allow_blank=True)
    parent = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text=_("上级区域代码"))
    q = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text=_("名称包含"))


UUID_OR_EMPTY = {"oneOf": [{"type": "string", "format": "uuid"}, {"type": "string", "maxLength": 0}]}


@extend_schema_field(UUID_OR_EMPTY)
class UUIDFilterField(serializers.UUIDField):
    """An object's id in a query string; empty means no filter (as a form sends a field left blank)."""


class BuildingFilterSerializer(serializers.Serializer):
    compound = UUIDFilterField(required=False, help_text=_("小区 id"))


class DwellingFilterSerializer(serializers.Serializer):
    building = UUIDFilterField(required=False, help_text=_("楼栋 id"))
