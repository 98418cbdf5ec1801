"""Reads of the territory, always scoped to the actor's subtrees.

A resource outside the scope is indistinguishable from a missing one (NotFound).
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from shequ.core.lookup import get_by_public_id
from shequ.core.scoping import scope_of

from .domain import Level
from .models import Area, Building, BuildingUnit, Compound, Dwelling


def areas_for(actor: Any) -> QuerySet[Area]:
    return Area.objects.filter(scope_of(actor).q("path"))


def get_area_for(actor: Any, public_id: Any) -> Area:
    return get_by_public_id(areas_for(actor).select_related("parent"), public_id)


def top_areas_for(actor: Any) -> QuerySet[Area]:
    """The roots of the actor's scope (the nodes of their assignments, deduplicated)."""
    return Area.objects.filter(path__in=scope_of(actor).paths()).order_by("path")


def children_of(actor: Any, area: Area) -> QuerySet[Area]:
    return areas_for(actor).filter(parent=area).annotate(n_children=Count("children")).order_by("code")


def ancestors_of(area: Area) -> list[Area]:
    """Ancestors from the root down (names only are shown; pages above scope still answer 404)."""
    codes = [c for c in area.path.strip("/").split("/")[:-1] if c]
    found = {a.code: a for a in Area.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def territory_is_empty() -> bool:
    return not Area.objects.exists()


def area_by_code(code: str) -> Area | None:
    """Unscoped lookup for internal use (imports, assignment forms that check permission after)."""
    return Area.objects.filter(code=(code or "").strip()).first()


def building_scope_q(actor: Any, prefix: str = "", roles: Any = None) -> Q:
    """Buildings in scope: their micro-grid lies in a scoped subtree, or, unassigned, their community does."""
    scope = scope_of(actor)
    mg = scope.q(f"{prefix}micro_grid__path", roles=roles)
    unassigned = Q(**{f"{prefix}micro_grid__isnull": True}) & scope.q(f"{prefix}compound__community__path", roles=roles)
    return mg | unassigned


def buildings_for(actor: Any) -> QuerySet[Building]:
    return Building.objects.filter(building_scope_q(actor))


def get_building_for(actor: Any, public_id: Any) -> Building:
    return get_by_public_id(
        buildings_for(actor).select_related("compound", "compound__community", "micro_grid"), public_id
    )


def compounds_for(actor: Any) -> QuerySet[Compound]:
    """Compounds whose community lies in scope, or with at least one building in scope."""
    scope = scope_of(actor)
    if not scope.paths():
        return Compound.objects.none()
    visible_buildings = Building.objects.filter(building_scope_q(actor)).values("compound_id")
    return Compound.objects.filter(scope.q("community__path") | Q(pk__in=visible_buildings))


def get_compound_for(actor: Any, public_id: Any) -> Compound:
    return get_by_public_id(compounds_for(actor).select_related("community"), public_id)


def dwellings_for(actor: Any) -> QuerySet[Dwelling]:
    return Dwelling.objects.filter(building_scope_q(actor, prefix="building__"))


def get_dwelling_for(actor: Any, public_id: Any) -> Dwelling:
    return get_by_public_id(dwellings_for(actor).select_related("building", "unit"), public_id)


def buildings_of_compound(actor: Any, compound: Compound) -> QuerySet[Building]:
    return (
        buildings_for(actor)
        .filter(compound=compound)
        .select_related("micro_grid")
        .annotate(n_dwellings=Count("dwellings"))
        .order_by("number")
    )


def units_of_building(building: Building) -> QuerySet[BuildingUnit]:
    return BuildingUnit.objects.filter(building=building).prefetch_related("dwellings").order_by("number")


@dataclass(frozen=True)
class AreaCounts:
    children: int
    streets: int
    communities: int
    grids: int
    micro_grids: int
    compounds: int
    buildings: int
    dwellings: int


def area_counts(actor: Any, area: Area) -> AreaCounts:
    """Counts under `area`, restricted to what the actor may see."""
    sub = areas_for(actor).filter(path__startswith=area.path)
    by_level = dict(sub.values_list("level").annotate(n=Count("id")).order_by())
    in_area = Q(micro_grid__path__startswith=area.path) | Q(
        micro_grid__isnull=True, compound__community__path__startswith=area.path
    )
    buildings = buildings_for(actor).filter(in_area)
    return AreaCounts(
        children=areas_for(actor).filter(parent=area).count(),
        streets=by_level.get(Level.STREET, 0),
        communities=by_level.get(Level.COMMUNITY, 0),
        grids=by_level.get(Level.GRID, 0),
        micro_grids=by_level.get(Level.MICRO_GRID, 0),
        compounds=compounds_for(actor)
        .filter(Q(community__path__startswith=area.path) | Q(buildings__in=buildings))
        .distinct()
        .count(),
        buildings=buildings.count(),
        dwellings=dwellings_for(actor).filter(building__in=buildings).count(),
    )


def compounds_in_area(actor: Any, area: Area) -> QuerySet[Compound]:
    in_area_buildings = Building.objects.filter(Q(micro_grid__path__startswith=area.path)).values("compound_id")
    return (
        compounds_for(actor)
        .filter(Q(community__path__startswith=area.path) | Q(pk__in=in_area_buildings))
        .select_related("community")
        .annotate(n_buildings=Count("buildings", distinct=True))
        .order_by("code")
    )


def boundaries_geojson(actor: Any, root: Area, levels: tuple[str, ...] = (Level.GRID, Level.MICRO_GRID)) -> dict:
    """Return a FeatureCollection (WGS-84) of the grid boundaries under `root` the actor may see."""
    qs = areas_for(actor).filter(path__startswith=root.path, level__in=levels, geometry_wgs84__isnull=False)
    features = [
        {
            "type": "Feature",
            "geometry": a.geometry_wgs84,
            "properties": {"id": str(a.public_id), "code": a.code, "name": a.name, "level": a.level},
        }
        for a in qs.only("public_id", "code", "name", "level", "geometry_wgs84")
    ]
    return {"type": "FeatureCollection", "features": features}


def search_areas(actor: Any, query: str, limit: int = 20) -> QuerySet[Area]:
    query = (query or "").strip()
    if not query:
        return Area.objects.none()
    return areas_for(actor).filter(Q(name__icontains=query) | Q(code__startswith=query)).order_by("path")[:limit]


def area_names_by_path(paths: list[str]) -> dict[str, str]:
    """Names of the nodes of role assignments (shown in the scope indicator, whatever the role)."""
    return dict(Area.objects.filter(path__in=paths).values_list("path", "name"))


def buildings_of_compound_unscoped(compound_id: int) -> QuerySet[Building]:
    """A compound's buildings by number, for residents choosing where a problem is (no staff scope applies)."""
    return Building.objects.filter(compound_id=compound_id).order_by("number", "name")


def areas_under(area: Area) -> QuerySet[Area]:
    """The area and its subtree, unscoped: for choosing a unit to work with (a neighbouring community that
    helps, a transfer target), never for browsing their data."""
    return Area.objects.filter(path__startswith=area.path)


def compounds_under(area: Area) -> QuerySet[Compound]:
    """Compounds of the communities in `area`'s subtree, unscoped: for figures such as coverage shares."""
    return Compound.objects.filter(community__path__startswith=area.path)


def micro_grids_under(area: Area) -> QuerySet[Area]:
    """Micro-grids in `area`'s subtree (the area itself when it is one), unscoped: for coverage shares."""
    return Area.objects.filter(path__startswith=area.path, level=Level.MICRO_GRID)
