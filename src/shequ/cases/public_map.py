"""The resident's compound map: public cases as approximate points over the compound's own geometry.

What the map shows is what the compound case list shows (`cases.public`: open cases and those finished in the
last 90 days, of the resident's compound, or of their community when no dwelling is registered), with no
personal data: the tracking number, the redacted title (the caller passes the redactor), category, type,
status, submission date, support count, and public photos only (links to a portal view that checks again).

Positions are approximate on purpose (DESIGN R11): a case is placed at its building's centre, or the
compound's centre when no building is known, snapped to a grid of GRID_DEGREES (about 50 m), so a marker does
not point at one door. Cases without a known position are listed but not drawn. Coordinates are converted to
WGS-84 from the stored coordinate system. No tile server is needed: the drawing is the micro-grid boundaries of
the compound's buildings (or the community's boundary) and the buildings as labelled points.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import Count
from django.utils import timezone

from shequ.core.errors import NotFound
from shequ.core.lookup import get_by_public_id
from shequ.territory import selectors as territory_selectors
from shequ.territory.geo import convert_point

from . import domain, public
from .models import Case, CasePhoto

GRID_DEGREES = 0.0005
MAX_PHOTOS_PER_CASE = 3


def _snap(value: float) -> float:
    return round(round(value / GRID_DEGREES) * GRID_DEGREES, 6)


def _wgs84(place: Any) -> tuple[float, float] | None:
    """The exact WGS-84 centre of a building or compound, or None when it has no coordinates."""
    if place is None or place.center_lng is None or place.center_lat is None:
        return None
    try:
        return convert_point(place.center_lng, place.center_lat, place.center_crs or "gcj02", "wgs84")
    except (ValueError, TypeError):
        return None


def _approximate(case: Case) -> tuple[float, float] | None:
    point = _wgs84(case.building) if case.building_id else None
    if point is None and case.compound_id:
        point = _wgs84(case.compound)
    return (_snap(point[0]), _snap(point[1])) if point else None


def _public_cases(resident: Any) -> Any:
    compound = public.compound_of(resident)
    qs = (
        Case.objects.filter(compound=compound)
        if compound is not None
        else Case.objects.filter(community_id=resident.community_id)
    )
    return public._public(qs, days=public.PUBLIC_DAYS)  # the same publication rule as the compound list


def _feature(geometry: Any, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def compound_map(
    resident: Any, *, redact: Callable[[str], str], photo_url: Callable[[str, str], str]
) -> dict[str, Any]:
    """The map data for the resident: a GeoJSON FeatureCollection plus the area's name.

    Features: `boundary` polygons, `building` points and `case` points (geometry null when the position is
    unknown). `photo_url(tracking_number, photo_public_id)` builds the link of a public photo.
    """
    compound = public.compound_of(resident)
    features: list[dict[str, Any]] = []
    if compound is not None:
        buildings = list(territory_selectors.buildings_of_compound_unscoped(compound.pk).select_related("micro_grid"))
        grids = {b.micro_grid_id: b.micro_grid for b in buildings if b.micro_grid is not None}
        for grid in sorted(grids.values(), key=lambda g: g.code):
            if grid.geometry_wgs84:
                features.append(_feature(grid.geometry_wgs84, {"kind": "boundary", "name": grid.name}))
        for b in buildings:
            point = _wgs84(b)
            if point:
                geometry = {"type": "Point", "coordinates": [point[0], point[1]]}
                features.append(_feature(geometry, {"kind": "building", "name": b.name}))
    community = resident.community
    if not any(f["properties"]["kind"] == "boundary" for f in features) and community.geometry_wgs84:
        features.append(_feature(community.geometry_wgs84, {"kind": "boundary", "name": community.name}))

    cases = list(
        _public_cases(resident)
        .select_related("category", "building", "compound")
        .annotate(support_count=Count("supports"))
        .order_by("-submitted_at", "-id")[: public.PUBLIC_LIMIT]
    )
    photos: dict[int, list[CasePhoto]] = {}
    for p in CasePhoto.objects.filter(case__in=[c.pk for c in cases], public=True).order_by("uploaded_at", "id"):
        photos.setdefault(p.case_id, []).append(p)
    for c in cases:
        point = _approximate(c)
        features.append(
            _feature(
                {"type": "Point", "coordinates": [point[0], point[1]]} if point else None,
                {
                    "kind": "case",
                    "tracking_number": c.tracking_number,
                    "title": redact(c.title),
                    "category": c.category.name if c.category_id else "",
                    "type": public._label(domain.TYPE_LABELS, c.case_type),
                    "status": public._label(domain.STATUS_LABELS, domain.reporter_status(c.status)),
                    "open": c.status in {s.value for s in domain.OPEN_STATUSES},
                    "submitted": timezone.localdate(c.submitted_at).isoformat(),
                    "supports": c.support_count,
                    "photos": [
                        photo_url(c.tracking_number, str(p.public_id))
                        for p in photos.get(c.pk, [])[:MAX_PHOTOS_PER_CASE]
                    ],
                },
            )
        )
    name = compound.name if compound is not None else community.name
    return {"type": "FeatureCollection", "name": name, "features": features}


def public_photo_for(resident: Any, tracking_number: str, photo_public_id: Any) -> CasePhoto:
    """A public photo of a public case on the resident's map; NotFound for anything else."""
    case = _public_cases(resident).filter(tracking_number=tracking_number).first()
    if case is None:
        raise NotFound()
    return get_by_public_id(CasePhoto.objects.filter(case=case, public=True), photo_public_id)
