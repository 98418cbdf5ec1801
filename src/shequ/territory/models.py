"""Territory: the area tree (responsibility ladder) and the physical places inside it."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel

from .domain import LEVEL_LABELS, Level, code_format_ok, valid_parent
from .geo import CRS, GeometryError, convert_geometry, validate_geometry

LEVEL_CHOICES = [(lv.value, LEVEL_LABELS[lv]) for lv in Level]
CRS_CHOICES = [("wgs84", "WGS-84"), ("gcj02", "GCJ-02"), ("bd09", "BD-09")]


class Area(BaseModel):
    """A node of the territory tree; `path` is the chain of codes from the root, ending in '/'."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("层级"), max_length=16, choices=LEVEL_CHOICES, db_index=True)
    code = models.CharField(_("代码"), max_length=40, unique=True)
    is_official_code = models.BooleanField(_("统计用区划代码"), default=False)
    name = models.CharField(_("名称"), max_length=100, db_index=True)
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    urban_rural_code = models.CharField(_("城乡分类代码"), max_length=3, blank=True)
    center_lng = models.FloatField(_("中心经度"), null=True, blank=True)
    center_lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    center_crs = models.CharField(_("中心坐标系"), max_length=8, choices=CRS_CHOICES, default="gcj02")
    geometry = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True)
    geometry_crs = models.CharField(_("边界坐标系"), max_length=8, choices=CRS_CHOICES, default="gcj02")
    geometry_wgs84 = models.JSONField(null=True, blank=True, editable=False)
    source = models.CharField(_("数据来源"), max_length=32, default="manual")
    responsible_name = models.CharField(_("负责人"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "path"])]

    def __str__(self) -> str:
        return self.name

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[Level(self.level)])

    def clean(self) -> None:
        """Enforce the tree rules wherever a form edits an area (the admin included)."""
        errors: dict[str, str] = {}
        parent_level = self.parent.level if self.parent_id and self.parent else None
        if self.level and not valid_parent(self.level, parent_level):
            errors["parent"] = _("上级区域的层级不符：每一层的上级必须是紧邻的上一层")
        if self.level and self.code and not code_format_ok(self.level, self.code):
            errors["code"] = _(
                "代码格式不符：社区及以上为12位统计用区划代码，网格为“社区代码-NN”，微网格为“网格代码-NN”"
            )
        if self.geometry is not None:
            try:
                validate_geometry(self.geometry)
            except GeometryError as exc:
                errors["geometry"] = str(exc)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        # Derived data first: the WGS-84 copy of the boundary used by the map and point lookup.
        self.geometry_wgs84 = (
            convert_geometry(self.geometry, self.geometry_crs, CRS.WGS84) if self.geometry is not None else None
        )
        if kwargs.get("update_fields") is not None and "geometry" in kwargs["update_fields"]:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"geometry_wgs84"}
        # The materialised path is derived data: keep it (and the subtree's) in step with parent and code.
        new_path = (self.parent.path if self.parent_id else "") + self.code + "/"
        old_path = self.path
        self.path, self.depth = new_path, new_path.count("/") - 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"path", "depth"}
        super().save(*args, **kwargs)
        if old_path and old_path != new_path:
            for child in Area.objects.filter(path__startswith=old_path).exclude(pk=self.pk).order_by("depth"):
                child.path = new_path + child.path[len(old_path) :]
                child.depth = child.path.count("/") - 1
                Area.objects.filter(pk=child.pk).update(path=child.path, depth=child.depth)


class Compound(BaseModel):
    """A residential compound (小区/院落); belongs to one community, not a rung of the ladder."""

    community = models.ForeignKey(
        "territory.Area", verbose_name=_("所属社区"), on_delete=models.PROTECT, related_name="compounds"
    )
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, db_index=True)
    kind = models.CharField(
        _("类型"),
        max_length=16,
        choices=[
            ("commercial", _("商品房小区")),
            ("old", _("老旧院落")),
            ("resettlement", _("安置小区")),
            ("unit", _("单位宿舍")),
        ],
        default="commercial",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    built_year = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    property_company = models.CharField(_("物业服务企业"), max_length=100, blank=True)
    center_lng = models.FloatField(_("中心经度"), null=True, blank=True)
    center_lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    center_crs = models.CharField(_("中心坐标系"), max_length=8, choices=CRS_CHOICES, default="gcj02")

    class Meta:
        verbose_name = _("小区（院落）")
        verbose_name_plural = _("小区（院落）")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Building(BaseModel):
    """A building (楼栋); its micro-grid assignment is authoritative for everything tied to it."""

    compound = models.ForeignKey(
        "territory.Compound", verbose_name=_("所属小区"), on_delete=models.PROTECT, related_name="buildings"
    )
    micro_grid = models.ForeignKey(
        "territory.Area",
        verbose_name=_("所属微网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    name = models.CharField(_("楼栋名称"), max_length=50)
    number = models.PositiveSmallIntegerField(_("楼栋号"))
    floors = models.PositiveSmallIntegerField(_("层数"), default=1)
    center_lng = models.FloatField(_("经度"), null=True, blank=True)
    center_lat = models.FloatField(_("纬度"), null=True, blank=True)
    center_crs = models.CharField(_("坐标系"), max_length=8, choices=CRS_CHOICES, default="gcj02")

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["compound_id", "number"]
        constraints = [models.UniqueConstraint(fields=["compound", "number"], name="building_number_unique")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A building lies in a micro-grid of its own compound's community (forms, the admin included)."""
        if self.micro_grid_id and self.compound_id:
            micro, community = self.micro_grid, self.compound.community
            if micro.level != Level.MICRO_GRID:
                raise ValidationError({"micro_grid": _("只能分配到微网格")})
            if not micro.path.startswith(community.path):
                raise ValidationError({"micro_grid": _("微网格必须属于该小区所在社区")})


class BuildingUnit(BaseModel):
    """A unit (单元, stairwell) of a building."""

    building = models.ForeignKey(
        "territory.Building", verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="units"
    )
    number = models.PositiveSmallIntegerField(_("单元号"))
    name = models.CharField(_("单元名称"), max_length=50)

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        ordering = ["building_id", "number"]
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="unit_number_unique")]

    def __str__(self) -> str:
        return self.name


class Dwelling(BaseModel):
    """A dwelling (房屋) with its registered exclusive floor area (专有部分面积), used for owners' votes."""

    unit = models.ForeignKey(
        "territory.BuildingUnit", verbose_name=_("单元"), on_delete=models.PROTECT, related_name="dwellings"
    )
    building = models.ForeignKey(
        "territory.Building", verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="dwellings"
    )
    floor = models.SmallIntegerField(_("楼层"))
    number = models.CharField(_("房号"), max_length=20)
    floor_area = models.DecimalField(_("专有部分面积（㎡）"), max_digits=9, decimal_places=2)
    use = models.CharField(
        _("用途"),
        max_length=16,
        choices=[
            ("residential", _("住宅")),
            ("commercial", _("商业")),
            ("office", _("办公")),
            ("other", _("其他")),
        ],
        default="residential",
    )

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["building_id", "unit_id", "floor", "number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="dwelling_number_unique"),
            models.CheckConstraint(condition=models.Q(floor_area__gt=0), name="dwelling_area_positive"),
        ]

    def __str__(self) -> str:
        return self.number
