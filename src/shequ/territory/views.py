"""Staff workbench pages of the territory: browser tree, map, area, compound and building pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from shequ.core.errors import NotFound
from shequ.core.permissions import can

from . import selectors


def _or_404(fn, *args):
    try:
        return fn(*args)
    except NotFound as exc:
        raise Http404() from exc


@login_required
def browser(request: HttpRequest) -> HttpResponse:
    """Territory browser: the actor's top nodes with their counts, expandable children (htmx), search."""
    query = request.GET.get("q", "")
    roots = selectors.top_areas_for(request.user)
    return render(
        request,
        "territory/browser.html",
        {
            "roots": roots,
            "root_counts": [(a, selectors.area_counts(request.user, a)) for a in roots],
            "query": query,
            "results": selectors.search_areas(request.user, query) if query else None,
        },
    )


@login_required
def children(request: HttpRequest, public_id: str) -> HttpResponse:
    area = _or_404(selectors.get_area_for, request.user, public_id)
    return render(
        request,
        "territory/_children.html",
        {"area": area, "children": selectors.children_of(request.user, area)},
    )


@login_required
def area_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    area = _or_404(selectors.get_area_for, request.user, public_id)
    compounds = Paginator(selectors.compounds_in_area(request.user, area), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "territory/area_detail.html",
        {
            "area": area,
            "ancestors": selectors.ancestors_of(area),
            "children": selectors.children_of(request.user, area),
            "counts": selectors.area_counts(request.user, area),
            "compounds": compounds,
            "tile_url": settings.SHEQU_TILE_URL,
            "tile_attribution": settings.SHEQU_TILE_ATTRIBUTION,
        },
    )


@login_required
def area_boundaries(request: HttpRequest, public_id: str) -> JsonResponse:
    area = _or_404(selectors.get_area_for, request.user, public_id)
    return JsonResponse(selectors.boundaries_geojson(request.user, area))


@login_required
def compound_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    compound = _or_404(selectors.get_compound_for, request.user, public_id)
    return render(
        request,
        "territory/compound_detail.html",
        {
            "compound": compound,
            "ancestors": selectors.ancestors_of(compound.community) + [compound.community],
            "community_visible": can(request.user, "territory.view")
            and selectors.areas_for(request.user).filter(pk=compound.community_id).exists(),
            "buildings": selectors.buildings_of_compound(request.user, compound),
        },
    )


@login_required
def building_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    building = _or_404(selectors.get_building_for, request.user, public_id)
    return render(
        request,
        "territory/building_detail.html",
        {
            "building": building,
            "compound": building.compound,
            "units": selectors.units_of_building(building),
        },
    )
