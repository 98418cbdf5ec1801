"""Reads of Party-member hub households (党员中心户), scoped like members: a hub is seen by those who reach the
organisation of its host (`permissions.reach_q`). Its warnings compare it with the local settings
(SHEQU_HUB_MAX_MEMBERS, SHEQU_HUB_MAX_HOUSEHOLDS) through `domain.check_hub`.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from shequ.core.lookup import get_by_public_id

from . import domain
from .models import Hub, HubHousehold, HubLink
from .permissions import reach_q


def _hubs() -> QuerySet[Hub]:
    links = HubLink.objects.select_related("member").prefetch_related(
        Prefetch("households", queryset=HubHousehold.objects.select_related("household").order_by("id"))
    )
    return Hub.objects.select_related("area", "org__unit", "host").prefetch_related(
        Prefetch("links", queryset=links.order_by("id"))
    )


def hubs_for(actor: Any, *, area: Any = None, active: bool | None = True) -> QuerySet[Hub]:
    """Hubs whose host's organisation the actor reaches (on micro-grid `area`, or under it, when given)."""
    rows = _hubs().filter(reach_q(actor, "org__"))
    if area is not None:
        rows = rows.filter(area__path__startswith=area.path)
    if active is not None:
        rows = rows.filter(active=active)
    return rows.order_by("area__path", "name", "id")


def get_hub_for(actor: Any, public_id: Any) -> Hub:
    return get_by_public_id(_hubs().filter(reach_q(actor, "org__")), public_id)


def household_micro_grid_id(household: Any) -> int | None:
    """The micro-grid of a household's dwelling (its building's), None when unknown."""
    dwelling = household.dwelling
    return dwelling.building.micro_grid_id if dwelling is not None else None


def hub_check(hub: Hub) -> domain.Check:
    """The hub against the local settings: warnings only."""
    counts = [link.households.count() for link in HubLink.objects.filter(hub=hub).order_by("id")]
    return domain.check_hub(len(counts), counts, settings.SHEQU_HUB_MAX_MEMBERS, settings.SHEQU_HUB_MAX_HOUSEHOLDS)


@dataclass(frozen=True)
class HubRow:
    hub: Hub
    links: list[HubLink]
    households: int
    warnings: tuple[str, ...]


def hub_row(hub: Hub) -> HubRow:
    """A hub with its links and households (prefetched by `hubs_for`) and its warnings."""
    links = list(hub.links.all())
    counts = [len(link.households.all()) for link in links]
    check = domain.check_hub(len(counts), counts, settings.SHEQU_HUB_MAX_MEMBERS, settings.SHEQU_HUB_MAX_HOUSEHOLDS)
    return HubRow(hub, links, sum(counts), check.warnings)


def households_of_micro_grid(area: Any) -> QuerySet:
    """Households whose dwelling lies in a building of the micro-grid (for choosing whom a member keeps in touch
    with), by number."""
    from shequ.registry.models import Household

    return Household.objects.filter(dwelling__building__micro_grid=area).order_by("number")


def hub_micro_grids(actor: Any) -> QuerySet:
    """Micro-grids where the actor may set up a hub: those under the places of the organisations they reach."""
    from shequ.territory.models import Area

    from .selectors import orgs_reached

    paths = {o.unit.area.path for o in orgs_reached(actor)}
    rows = Area.objects.none()
    for path in sorted(paths):
        rows = rows | Area.objects.filter(path__startswith=path, level="micro_grid")
    return rows.distinct().order_by("path")
