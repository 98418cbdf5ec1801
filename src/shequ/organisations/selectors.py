"""Reads of units outside the territory tree."""

from typing import Any

from django.db.models import Q, QuerySet

from shequ.core.lookup import get_by_public_id

from .models import PARTY_KINDS, Unit


def units() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).select_related("area", "compound", "building")


def dispatchable_units(area: Any, *, compound: Any = None, building: Any = None) -> QuerySet[Unit]:
    """Units a case located in `area` (and in `compound`, `building` when known) can be dispatched to.

    The unit's most specific place counts: a unit of an area at `area` or any level above it, a unit of a compound
    only for that compound, a unit of a building only for that building.
    """
    ancestors = _path_prefixes(area.path)
    in_compound = Q(compound__isnull=True) | Q(compound=compound) if compound is not None else Q(compound__isnull=True)
    in_building = Q(building__isnull=True) | Q(building=building) if building is not None else Q(building__isnull=True)
    # Party organisations lead; they are not handling units a case is dispatched to.
    found = units().filter(in_compound, in_building, area__path__in=ancestors).exclude(kind__in=PARTY_KINDS)
    return found.order_by("kind", "name")


def _path_prefixes(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def get_unit(public_id: Any) -> Unit:
    return get_by_public_id(units(), public_id)
