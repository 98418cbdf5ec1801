"""Workbench pages of Party-member hub households (党员中心户): the hubs on the micro-grids the actor reaches with
their linked members, the households each keeps in touch with and the warnings against the local settings; set
up a hub, link and unlink members, add and remove households, wind a hub up.

Reached like members (who reaches the host's organisation): others get 404. Sizes above the local settings are
recorded and shown as warnings; the services refuse only real errors, shown on the form (400).
"""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import NotFound, ValidationError
from shequ.core.http import errors_to_form, require_can, scoped_view
from shequ.core.lookup import get_by_public_id
from shequ.core.permissions import can

from . import hub_selectors as sel
from . import hub_services, selectors, service_forms

PAGE_SIZE = 20


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("nav_members", True)
    context.setdefault("nav_service", bool(can(request.user, "party.service")))
    return render(request, template, context, status=status)


def _warn(request: HttpRequest, warnings: tuple[str, ...]) -> None:
    for text in warnings:
        messages.warning(request, text)


@never_cache
@require_GET
@scoped_view
def hubs(request: HttpRequest) -> HttpResponse:
    """Hubs of the micro-grids, with members, households and warnings."""
    require_can(request, "party.members")
    rows = sel.hubs_for(request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [sel.hub_row(h) for h in page]
    context = {"page": page, "can_manage": bool(can(request.user, "party.manage"))}
    return _page(request, "party/hubs/list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def hub_new(request: HttpRequest) -> HttpResponse:
    require_can(request, "party.manage")
    actor = request.user
    areas = list(sel.hub_micro_grids(actor))
    members = list(selectors.members_for(actor))
    form = service_forms.HubForm(
        request.POST if request.method == "POST" else None,
        areas=areas,
        members=members,
        initial={"since": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        area = next(a for a in areas if str(a.public_id) == d["area"])
        host = get_by_public_id(selectors.members_for(actor), d["host"])
        try:
            hub, warnings = hub_services.hub_create(actor=actor, area=area, host=host, name=d["name"], since=d["since"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("已设立党员中心户"))
            _warn(request, warnings)
            return redirect("party:hub", public_id=hub.public_id)
    return _page(request, "party/hubs/new.html", {"form": form}, status=400 if form.errors else 200)


def _hub_context(request: HttpRequest, hub: Any, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    actor = request.user
    row = sel.hub_row(hub)
    can_manage = bool(can(actor, "party.manage", hub)) and hub.active
    context: dict[str, Any] = {"row": row, "hub": hub, "can_manage": can_manage}
    if can_manage:
        linked = {lk.member_id for lk in row.links}
        candidates = [m for m in selectors.members_for(actor) if m.pk not in linked]
        kept = {h.household_id for lk in row.links for h in lk.households.all()}
        households = [h for h in sel.households_of_micro_grid(hub.area) if h.pk not in kept]
        context["link_form"] = bound.get("link") or service_forms.HubLinkForm(prefix="link", members=candidates)
        context["household_form"] = bound.get("household") or service_forms.HubHouseholdForm(
            prefix="household", links=row.links, households=households
        )
    return context


@never_cache
@require_GET
@scoped_view
def hub_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    hub = sel.get_hub_for(request.user, public_id)
    return _page(request, "party/hubs/detail.html", _hub_context(request, hub))


HUB_ACTIONS = ("link", "household", "end")


@never_cache
@require_POST
@scoped_view
def hub_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """Link a member, add a household to a linked member, or wind the hub up."""
    if action not in HUB_ACTIONS:
        raise NotFound()
    actor = request.user
    hub = sel.get_hub_for(actor, public_id)
    detail = redirect("party:hub", public_id=hub.public_id)
    context = _hub_context(request, hub)
    form: Any = None
    try:
        if action == "end":
            hub_services.hub_end(actor=actor, hub=hub)
            messages.success(request, _("已撤销党员中心户"))
            return detail
        if action == "link":
            candidates = list(selectors.members_for(actor))
            form = service_forms.HubLinkForm(request.POST, prefix="link", members=candidates)
            if form.is_valid():
                member = get_by_public_id(selectors.members_for(actor), form.cleaned_data["member"])
                _link, warnings = hub_services.hub_link(actor=actor, hub=hub, member=member)
                messages.success(request, _("已联系党员"))
                _warn(request, warnings)
                return detail
        else:
            links = context["row"].links
            households = list(sel.households_of_micro_grid(hub.area))
            form = service_forms.HubHouseholdForm(request.POST, prefix="household", links=links, households=households)
            if form.is_valid():
                d = form.cleaned_data
                link = next(lk for lk in links if str(lk.public_id) == d["link"])
                household = next(h for h in households if str(h.public_id) == d["household"])
                _row, warnings = hub_services.hub_household_add(actor=actor, link=link, household=household)
                messages.success(request, _("已登记联系群众户"))
                _warn(request, warnings)
                return detail
    except ValidationError as exc:
        if form is None:
            for message in exc.messages:
                messages.error(request, message)
            return detail
        errors_to_form(form, exc)
    context = _hub_context(request, hub, bound={action: form})
    context["failed_action"] = action
    return _page(request, "party/hubs/detail.html", context, status=400)


@never_cache
@require_POST
@scoped_view
def hub_unlink(request: HttpRequest, public_id: str, link_id: str) -> HttpResponse:
    actor = request.user
    hub = sel.get_hub_for(actor, public_id)
    link = get_by_public_id(hub.links.all(), link_id)
    try:
        hub_services.hub_unlink(actor=actor, link=link)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已移出"))
    return redirect("party:hub", public_id=hub.public_id)


@never_cache
@require_POST
@scoped_view
def hub_household_remove(request: HttpRequest, public_id: str, row_id: int) -> HttpResponse:
    actor = request.user
    hub = sel.get_hub_for(actor, public_id)
    row = next((h for lk in hub.links.all() for h in lk.households.all() if h.pk == row_id), None)
    if row is None:
        raise NotFound()
    try:
        hub_services.hub_household_remove(actor=actor, row=row)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已移除"))
    return redirect("party:hub", public_id=hub.public_id)
