"""Writes on the territory: division import, boundary import/export, building placement, point lookup."""

import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.errors import ValidationError
from shequ.core.permissions import can, require, write_service

from .divisions import DivisionRecord
from .domain import LEVEL_ORDER, Level, valid_parent
from .geo import CRS, GeometryError, convert_geometry, convert_point, validate_geometry
from .models import Area, Building
from .spatial import PolygonIndex, find_overlaps


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _("新建 %(c)d 条，更新 %(u)d 条，未变 %(s)d 条，错误 %(e)d 条") % {
            "c": len(self.created),
            "u": len(self.updated),
            "s": len(self.skipped),
            "e": len(self.errors),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.skipped),
            "errors": len(self.errors),
            "created_codes": self.created[:50],
            "updated_codes": self.updated[:50],
        }


@write_service("territory.maintain")
def divisions_import(*, actor: Any, records: list[DivisionRecord]) -> ImportReport:
    """Create or update areas from official division records; idempotent.

    Parents are processed before children; a record whose parent is unknown (and is not a city) is
    reported as an error. Runs in one transaction and appends one audit record with the counts. The actor is a
    system admin, or a job (`COMMAND_LINE` for the `import_divisions` command, the demo loader).
    """
    require(actor, "territory.maintain", None)
    report = ImportReport()
    ordered = sorted(records, key=lambda r: (LEVEL_ORDER.index(Level(r.level)), r.code))
    with transaction.atomic():
        by_code = {
            a.code: a
            for a in Area.objects.filter(
                code__in=[r.code for r in ordered] + [r.parent_code for r in ordered if r.parent_code]
            )
        }
        for r in ordered:
            parent = by_code.get(r.parent_code) if r.parent_code else None
            if parent is None and r.level != Level.CITY:
                report.errors.append(
                    _("%(code)s %(name)s：上级区划 %(parent)s 不存在")
                    % {"code": r.code, "name": r.name, "parent": r.parent_code}
                )
                continue
            if parent is not None and not valid_parent(r.level, parent.level):
                report.errors.append(_("%(code)s %(name)s：层级与上级不符") % {"code": r.code, "name": r.name})
                continue
            path = (parent.path if parent else "") + r.code + "/"
            values = {
                "parent": parent,
                "level": r.level,
                "name": r.name,
                "path": path,
                "depth": path.count("/") - 1,
                "is_official_code": True,
                "urban_rural_code": r.urban_rural_code or "",
                "center_lng": r.lng,
                "center_lat": r.lat,
                "center_crs": CRS.GCJ02.value,
            }
            existing = by_code.get(r.code)
            if existing is None:
                area = Area.objects.create(code=r.code, source="import", **values)
                by_code[r.code] = area
                report.created.append(r.code)
                continue
            changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
            if not changed:
                report.skipped.append(r.code)
                continue
            for k, v in changed.items():
                setattr(existing, k, v)
            existing.save()
            report.updated.append(r.code)
        audit.record(
            actor=actor,
            action="territory.divisions_imported",
            object_type="territory.area",
            object_label=_("区划导入"),
            after=report.as_dict(),
        )
    return report


@write_service("territory.maintain")
def boundaries_import(*, actor: Any, collection: dict, crs: str = CRS.GCJ02.value) -> ImportReport:
    """Attach polygons from a GeoJSON FeatureCollection to areas matched by `properties.code`.

    Each feature may name its own `properties.crs`; `crs` is the default. Invalid geometries are
    reported with the feature number and skip only that feature. Boundaries that would overlap (see
    `boundary_overlaps`) refuse the whole import: ValidationError naming both areas of every pair,
    nothing written. Otherwise one transaction, one audit record. Locks the root areas, so concurrent
    imports run one after the other. A system admin imports only areas inside their subtrees (others are
    reported as errors); a job (`COMMAND_LINE`) imports every area.
    """
    require(actor, "territory.maintain", None)
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ValidationError(_("文件必须是 GeoJSON FeatureCollection"))
    report = ImportReport()
    features = collection.get("features") or []
    changes: dict[int, tuple[Area, dict, str, dict]] = {}
    with transaction.atomic():
        # One boundary import at a time, so each checks for overlaps against what the others committed.
        list(Area.objects.select_for_update().filter(parent__isnull=True).values_list("pk", flat=True))
        for n, feature in enumerate(features, start=1):
            props = (feature or {}).get("properties") or {}
            code = str(props.get("code") or props.get("adcode") or "").strip()
            area = Area.objects.filter(code=code).first() if code else None
            if area is None:
                report.errors.append(_("第 %(n)d 个要素：区域代码“%(code)s”不存在") % {"n": n, "code": code})
                continue
            if not can(actor, "territory.maintain", area):
                report.errors.append(_("第 %(n)d 个要素：区域“%(code)s”不在您的管理范围内") % {"n": n, "code": code})
                continue
            feature_crs = str(props.get("crs") or crs).lower()
            if feature_crs not in {c.value for c in CRS}:
                report.errors.append(_("第 %(n)d 个要素：未知坐标系“%(crs)s”") % {"n": n, "crs": feature_crs})
                continue
            try:
                geometry = validate_geometry(feature.get("geometry"))
            except GeometryError as exc:
                report.errors.append(_("第 %(n)d 个要素（%(code)s）：%(err)s") % {"n": n, "code": code, "err": exc})
                continue
            wgs = convert_geometry(geometry, feature_crs, CRS.WGS84)
            if area.geometry == geometry and area.geometry_crs == feature_crs:
                changes.pop(area.pk, None)  # a later feature restoring the stored boundary wins too
                report.skipped.append(code)
                continue
            changes[area.pk] = (area, geometry, feature_crs, wgs)
        overlaps = boundary_overlaps([(area, wgs) for area, _geometry, _crs, wgs in changes.values()])
        if overlaps:
            raise ValidationError([_("边界互相重叠，未导入任何边界：")] + overlap_messages(overlaps))
        for area, geometry, feature_crs, wgs in changes.values():
            area.geometry, area.geometry_crs, area.geometry_wgs84 = geometry, feature_crs, wgs
            area.save(update_fields=["geometry", "geometry_crs", "geometry_wgs84", "updated_at"])
            report.updated.append(area.code)
        audit.record(
            actor=actor,
            action="territory.boundaries_imported",
            object_type="territory.area",
            object_label=_("网格边界导入"),
            after=report.as_dict(),
        )
    return report


@dataclass(frozen=True)
class BoundaryOverlap:
    """Two areas of the same level whose boundaries would share interior points."""

    area: Area
    other: Area
    area_m2: float


def overlap_messages(overlaps: list[BoundaryOverlap], limit: int = 20) -> list[str]:
    """Return one user-facing line per overlap naming both areas (code and name), at most `limit` of them."""
    lines = [
        _("%(code)s %(name)s 与 %(other_code)s %(other_name)s 的边界重叠（约 %(m2)s 平方米）")
        % {
            "code": o.area.code,
            "name": o.area.name,
            "other_code": o.other.code,
            "other_name": o.other.name,
            "m2": f"{o.area_m2:,.0f}" if o.area_m2 >= 10 else f"{o.area_m2:.2g}",
        }
        for o in overlaps[:limit]
    ]
    if len(overlaps) > limit:
        lines.append(_("另有 %(n)d 处重叠未列出") % {"n": len(overlaps) - limit})
    return lines


def boundary_overlaps(new_boundaries: list[tuple[Area, dict]]) -> list[BoundaryOverlap]:
    """Return the overlaps the given WGS-84 boundaries would create if they replaced the stored ones.

    Micro-grids may not overlap any other micro-grid (a map point resolves to one of them city-wide);
    areas of other levels may not overlap their siblings (same level, same parent). Each new boundary is
    checked against the other new ones and against the stored boundaries it does not replace; touching
    along an edge or at a corner is fine. A parent's boundary is not required to contain its children.
    Areas may be unsaved (a form adding one). Pairs are named (new area, other area), new areas in the
    order given.
    """
    groups: dict[tuple[str, int | None], list[int]] = {}
    for n, (area, _wgs) in enumerate(new_boundaries):
        group = (area.level, None if area.level == Level.MICRO_GRID else area.parent_id)
        groups.setdefault(group, []).append(n)
    replaced = [area.pk for area, _wgs in new_boundaries if area.pk is not None]
    found: list[BoundaryOverlap] = []
    for (level, parent_id), members in groups.items():
        stored = Area.objects.filter(level=level, geometry_wgs84__isnull=False).exclude(pk__in=replaced)
        if level != Level.MICRO_GRID:
            stored = stored.filter(parent_id=parent_id)
        areas: dict[Hashable, Area] = {("new", n): new_boundaries[n][0] for n in members}
        items: list[tuple[Hashable, Any]] = [(("new", n), new_boundaries[n][1]) for n in members]
        for area in stored.only("pk", "code", "name", "level", "parent_id", "geometry_wgs84").order_by("code"):
            areas[area.pk] = area
            items.append((area.pk, area.geometry_wgs84))
        found += [
            BoundaryOverlap(areas[o.first], areas[o.second], o.area_m2)
            for o in find_overlaps(items, among=[("new", n) for n in members])
        ]
    return found


def boundaries_export(
    *,
    root: Area | None = None,
    levels: tuple[str, ...] = (Level.GRID, Level.MICRO_GRID),
    crs: str | None = None,
) -> dict:
    """Return a FeatureCollection of stored boundaries under `root`, in `crs` (default: as stored)."""
    qs = Area.objects.filter(level__in=levels, geometry__isnull=False).order_by("path")
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    features = []
    for a in qs:
        assert a.geometry is not None
        target = crs or a.geometry_crs
        geometry = a.geometry if target == a.geometry_crs else convert_geometry(a.geometry, a.geometry_crs, target)
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"code": a.code, "name": a.name, "level": a.level, "crs": target},
            }
        )
    return {"type": "FeatureCollection", "features": features}


@write_service("territory.maintain")
def building_assign_micro_grid(*, actor: Any, building: Building, micro_grid: Area) -> Building:
    """Place a building in a micro-grid of its own community; authoritative for everything tied to it."""
    require(actor, "territory.maintain", micro_grid)
    if micro_grid.level != Level.MICRO_GRID:
        raise ValidationError({"micro_grid": _("只能分配到微网格")})
    if not micro_grid.path.startswith(building.compound.community.path):
        raise ValidationError({"micro_grid": _("微网格必须属于该小区所在社区")})
    with transaction.atomic():
        before = {"micro_grid": building.micro_grid.code if building.micro_grid else None}
        building.micro_grid = micro_grid
        building.save(update_fields=["micro_grid", "updated_at"])
        audit.record(
            actor=actor,
            action="territory.building_assigned",
            obj=building,
            before=before,
            after={"micro_grid": micro_grid.code},
        )
    return building


# --- point -> micro-grid ---------------------------------------------------------------------------

_index_lock = threading.Lock()
_index_state: dict[str, Any] = {"version": None, "index": None, "checked": 0.0}
INDEX_RECHECK_SECONDS = 60.0


def _geometry_version() -> tuple:
    agg = Area.objects.filter(level=Level.MICRO_GRID, geometry_wgs84__isnull=False).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    return (agg["n"], agg["last"])


def micro_grid_index(force: bool = False) -> PolygonIndex:
    """Return the process-wide STRtree of micro-grid polygons keyed by code, rebuilt when they change."""
    now = time.monotonic()
    with _index_lock:
        if not force and _index_state["index"] is not None and now - _index_state["checked"] < INDEX_RECHECK_SECONDS:
            return _index_state["index"]
        version = _geometry_version()
        if force or version != _index_state["version"] or _index_state["index"] is None:
            rows = Area.objects.filter(level=Level.MICRO_GRID, geometry_wgs84__isnull=False).values_list(
                "code", "geometry_wgs84"
            )
            _index_state["index"] = PolygonIndex(rows.iterator(chunk_size=5000))
            _index_state["version"] = version
        _index_state["checked"] = now
        return _index_state["index"]


def locate_micro_grid(lng: float, lat: float, crs: str = CRS.WGS84.value) -> Area | None:
    """Resolve a bare map point to the micro-grid whose polygon covers it (None when outside all).

    A point on an edge shared by two micro-grids goes to the eastern one (on an east-west edge, the
    northern one), every time and whatever order the polygons were stored in; `PolygonIndex` has the rule.
    """
    if crs != CRS.WGS84.value:
        lng, lat = convert_point(lng, lat, crs, CRS.WGS84)
    code = micro_grid_index().locate(lng, lat)
    return Area.objects.filter(code=cast(str, code)).select_related("parent").first() if code is not None else None
