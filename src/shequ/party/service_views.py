"""Workbench pages of in-service members reporting to their residence community (在职党员双报到) for the community
Party secretary and the organisers of the community's Party organisation: registrations (search, pages, masked
Excel export, detail with audited reveal), the needs list (new, close, claims, claim on a member's behalf),
services (record for a member, confirm what members recorded) and the quarterly record PDF.

Objects are fetched through the scoped selectors: outside the communities the actor reaches answers 404. The
services check every rule again; a failed form re-renders its page with what was typed (400).
"""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import NotFound, ValidationError
from shequ.core.http import errors_to_form, require_can, scoped_view
from shequ.core.lookup import get_by_public_id
from shequ.core.permissions import can
from shequ.volunteers.domain import hours_text

from . import exports, forms, inservice_services, service_forms
from . import inservice_selectors as sel
from .domain import (
    CLAIM_STATUS_LABELS,
    ENTRY_STATUS_LABELS,
    NEED_KIND_LABELS,
    NEED_STATUS_LABELS,
    REGISTRATION_STATUS_LABELS,
    EntryStatus,
    NeedStatus,
    quarter_label,
)

PAGE_SIZE = 25


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else ""


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("nav_members", bool(can(request.user, "party.members")))
    context.setdefault("nav_service", True)
    return render(request, template, context, status=status)


def _run(request: HttpRequest, form: Any, call: Any, done: str) -> bool:
    try:
        call()
    except ValidationError as exc:
        errors_to_form(form, exc)
        return False
    messages.success(request, done)
    return True


def _flash(request: HttpRequest, call: Any, done: str) -> None:
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)


# --- registrations --------------------------------------------------------------------------------------------


@never_cache
@require_GET
@scoped_view
def registrations(request: HttpRequest) -> HttpResponse:
    """Registrations of the communities the actor reaches; by exact full name or employer, and status."""
    require_can(request, "party.service")
    actor = request.user
    filter_form = service_forms.RegistrationFilterForm(request.GET)
    applied = filter_form.cleaned_data if filter_form.is_valid() else {}
    status = applied.get("status") or "active"
    rows = sel.registrations_for(actor, text=applied.get("text", ""), status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [{"r": r, "status_label": _label(REGISTRATION_STATUS_LABELS, r.status)} for r in page]
    context = {
        "filter_form": filter_form,
        "filtered": bool(applied.get("text")) or status != "active",
        "page": page,
        "pending": sel.pending_count(actor),
        "open_needs": sel.needs_for(actor, status=NeedStatus.OPEN).count(),
        "query": request.GET.urlencode(),
    }
    return _page(request, "party/service/registrations.html", context)


@require_GET
@scoped_view
def registrations_export(request: HttpRequest) -> HttpResponse:
    """The registrations as .xlsx, names masked; audited."""
    require_can(request, "party.service")
    filter_form = service_forms.RegistrationFilterForm(request.GET)
    applied = filter_form.cleaned_data if filter_form.is_valid() else {}
    fileobj = exports.export_registrations(
        actor=request.user, text=applied.get("text", ""), status=applied.get("status") or "active"
    )
    response = FileResponse(
        fileobj, as_attachment=True, filename=exports.registrations_filename(), content_type=exports.CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


def _registration_context(request: HttpRequest, member: Any, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    claims = list(sel.claims_of(member))
    active = member.status == "active"
    entries = [
        {"e": e, "status_label": _label(ENTRY_STATUS_LABELS, e.status), "hours": hours_text(e.hours)}
        for e in sel.entries_of(member)
    ]
    today = timezone.localdate()
    open_claims = [c for c in claims if c.status != "withdrawn"]
    return {
        "member": member,
        "status_label": _label(REGISTRATION_STATUS_LABELS, member.status),
        "kinds": [_label(NEED_KIND_LABELS, k) for k in sel.preferred_kinds(member)],
        "claims": [{"c": c, "status_label": _label(CLAIM_STATUS_LABELS, c.status)} for c in claims],
        "entries": entries,
        "quarters": [{"year": y, "q": q, "label": quarter_label(y, q)} for y, q in sel.quarters_of(member)],
        "reveal_form": bound.get("reveal") or forms.RevealForm(prefix="reveal"),
        "entry_form": (
            bound.get("entry")
            or service_forms.EntryForm(prefix="entry", claims=open_claims, initial={"served_on": today})
        )
        if active
        else None,
        "end_form": (bound.get("end") or service_forms.EndForm(prefix="end", initial={"on": today}))
        if active
        else None,
    }


@never_cache
@require_GET
@scoped_view
def registration_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    member = sel.get_registration_for(request.user, public_id)
    return _page(request, "party/service/registration_detail.html", _registration_context(request, member))


REGISTRATION_ACTIONS = ("reveal", "entry", "end")


@never_cache
@require_POST
@scoped_view
def registration_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """Reveal the full name (audited), record a service for the member (confirmed), or end the registration."""
    if action not in REGISTRATION_ACTIONS:
        raise NotFound()
    actor = request.user
    member = sel.get_registration_for(actor, public_id)
    detail = redirect("party:service_registration", public_id=member.public_id)
    form: Any
    if action == "reveal":
        form = forms.RevealForm(request.POST, prefix="reveal")
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                revealed = inservice_services.registration_reveal(actor=actor, member=member, reason=reason)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                context = {"member": member, "revealed": revealed, "reason": reason}
                return _page(request, "party/service/revealed.html", context)
    elif action == "entry":
        claims = [c for c in sel.claims_of(member) if c.status != "withdrawn"]
        form = service_forms.EntryForm(request.POST, prefix="entry", claims=claims)
        if form.is_valid():
            d = form.cleaned_data
            claim = get_by_public_id(sel.claims_of(member), d["claim"]) if d["claim"] else None
            data = inservice_services.EntryInput(
                served_on=d["served_on"], hours=d["hours"], content=d["content"], claim=claim
            )
            call = lambda: inservice_services.entry_record(actor=actor, member=member, data=data)  # noqa: E731
            if _run(request, form, call, _("已记录服务")):
                return detail
    else:
        form = service_forms.EndForm(request.POST, prefix="end")
        if form.is_valid():
            day = form.cleaned_data["on"]
            call = lambda: inservice_services.registration_end(actor=actor, member=member, on=day)  # noqa: E731
            if _run(request, form, call, _("已结束报到")):
                return detail
    context = _registration_context(request, member, bound={action: form})
    context["failed_action"] = action
    return _page(request, "party/service/registration_detail.html", context, status=400)


@require_GET
@scoped_view
def registration_record(request: HttpRequest, public_id: str, year: int, quarter: int) -> HttpResponse:
    """The quarterly record for the member's employer (PDF, with the full name); audited."""
    member = sel.get_registration_for(request.user, public_id)
    try:
        data = inservice_services.quarterly_record(actor=request.user, member=member, year=year, quarter=quarter)
    except ValidationError:
        raise NotFound() from None
    return _pdf_response(data, year, quarter)


def _pdf_response(data: bytes, year: int, quarter: int) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    name = f"service-record-{year}-Q{quarter}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- needs ----------------------------------------------------------------------------------------------------


@never_cache
@require_GET
@scoped_view
def needs(request: HttpRequest) -> HttpResponse:
    """The needs lists of the communities the actor reaches, open first."""
    require_can(request, "party.service")
    filter_form = service_forms.NeedFilterForm(request.GET)
    status = filter_form.cleaned_data.get("status", "") if filter_form.is_valid() else ""
    rows = sel.needs_for(request.user, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [
        {
            "n": n,
            "kind_label": _label(NEED_KIND_LABELS, n.kind),
            "status_label": _label(NEED_STATUS_LABELS, n.status),
            "left": sel.places_left(n),
        }
        for n in page
    ]
    context = {"filter_form": filter_form, "status": status, "page": page}
    return _page(request, "party/service/needs.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def need_new(request: HttpRequest) -> HttpResponse:
    """Publish a need on a community's needs list."""
    require_can(request, "party.service")
    actor = request.user
    communities = list(sel.communities_for(actor))
    form = service_forms.NeedForm(
        request.POST if request.method == "POST" else None,
        communities=communities,
        initial={"open_from": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        community = next(c for c in communities if str(c.public_id) == d["community"])
        data = inservice_services.NeedInput(
            title=d["title"],
            kind=d["kind"],
            wanted=d["wanted"],
            open_from=d["open_from"],
            open_until=d["open_until"],
            description=d["description"],
            place=d["place"],
        )
        holder: dict[str, Any] = {}

        def call() -> None:
            holder["n"] = inservice_services.need_publish(actor=actor, community=community, data=data)

        if _run(request, form, call, _("已发布需求")):
            return redirect("party:service_need", public_id=holder["n"].public_id)
    return _page(request, "party/service/need_new.html", {"form": form}, status=400 if form.errors else 200)


def _need_context(request: HttpRequest, need: Any, bound: Any = None) -> dict[str, Any]:
    claims = list(sel.claims_of_need(need))
    holding = {c.member_id for c in claims if c.status != "withdrawn"}
    members = [m for m in sel.registrations_for(request.user, community=need.community) if m.pk not in holding]
    left = sel.places_left(need)
    can_claim = need.status == NeedStatus.OPEN and left > 0 and bool(members)
    return {
        "need": need,
        "kind_label": _label(NEED_KIND_LABELS, need.kind),
        "status_label": _label(NEED_STATUS_LABELS, need.status),
        "left": left,
        "claims": [{"c": c, "status_label": _label(CLAIM_STATUS_LABELS, c.status)} for c in claims],
        "claim_form": (bound or service_forms.ClaimForMemberForm(prefix="claim", members=members))
        if can_claim
        else None,
    }


@never_cache
@require_GET
@scoped_view
def need_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    need = sel.get_need_for(request.user, public_id)
    return _page(request, "party/service/need_detail.html", _need_context(request, need))


@never_cache
@require_POST
@scoped_view
def need_close(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = request.user
    need = sel.get_need_for(actor, public_id)
    _flash(request, lambda: inservice_services.need_close(actor=actor, need=need), _("已关闭需求"))
    return redirect("party:service_need", public_id=need.public_id)


@never_cache
@require_POST
@scoped_view
def need_claim(request: HttpRequest, public_id: str) -> HttpResponse:
    """Claim the need on a registered member's behalf."""
    actor = request.user
    need = sel.get_need_for(actor, public_id)
    members = list(sel.registrations_for(actor, community=need.community))
    form = service_forms.ClaimForMemberForm(request.POST, prefix="claim", members=members)
    if form.is_valid():
        member = get_by_public_id(sel.registrations_for(actor, community=need.community), form.cleaned_data["member"])
        call = lambda: inservice_services.need_claim(actor=actor, need=need, member=member)  # noqa: E731
        if _run(request, form, call, _("已代为认领")):
            return redirect("party:service_need", public_id=need.public_id)
    context = _need_context(request, need, bound=form)
    return _page(request, "party/service/need_detail.html", context, status=400)


# --- services waiting for confirmation ------------------------------------------------------------------------


@never_cache
@require_GET
@scoped_view
def entries(request: HttpRequest) -> HttpResponse:
    """Services members recorded that wait for the community's confirmation (the home page's to-do)."""
    require_can(request, "party.service")
    rows = sel.entries_for(request.user, status=EntryStatus.PENDING)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [{"e": e, "hours": hours_text(e.hours)} for e in page]
    return _page(request, "party/service/entries.html", {"page": page})


@never_cache
@require_POST
@scoped_view
def entry_confirm(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = request.user
    entry = sel.get_entry_for(actor, public_id)
    _flash(request, lambda: inservice_services.entry_confirm(actor=actor, entry=entry), _("已确认服务记录"))
    if request.POST.get("next") == "member":
        return redirect("party:service_registration", public_id=entry.member.public_id)
    return redirect("party:service_entries")
