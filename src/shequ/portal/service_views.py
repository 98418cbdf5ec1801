"""The in-service Party member's phone pages (在职党员双报到) on the portal: the registration slip (register, see
mine), the open needs of my community, claim and withdraw, record a service, my services by quarter and the
quarterly record PDF for my employer.

The resident is the signed-in portal resident (`resident_required`); every write goes through the party services
as `ResidentActor(resident)`, which check again that the registration, claim or need is the resident's. A service
recorded here waits for the community's confirmation before it goes on the quarterly record. Every page works
without JavaScript.
"""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shequ.core.actors import ResidentActor
from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.http import errors_to_form
from shequ.party import inservice_selectors as sel
from shequ.party import inservice_services
from shequ.party.domain import (
    CLAIM_STATUS_LABELS,
    ENTRY_STATUS_LABELS,
    NEED_KIND_LABELS,
    EntryStatus,
    quarter_label,
    quarter_range,
)
from shequ.volunteers.domain import hours_text

from .service_forms import EntryForm, RegistrationForm
from .views import resident_required

PAGE_SIZE = 20


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else ""


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _registered(resident: Any) -> Any:
    member = sel.registration_of(resident)
    if member is None:
        raise Http404()
    return member


@never_cache
@resident_required
def service_home(request: HttpRequest, resident: Any) -> HttpResponse:
    """在职党员报到: my registration slip with my claims and latest services, or the form to register."""
    member = sel.registration_of(resident)
    if member is None:
        form = RegistrationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            data = inservice_services.RegistrationInput(
                own_org_name=d["own_org_name"],
                employer=d["employer"],
                job_title=d["job_title"],
                skills=d["skills"],
                preferred_kinds=d["preferred_kinds"],
            )
            try:
                inservice_services.registration_create(actor=ResidentActor(resident), resident=resident, data=data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已向社区报到，欢迎认领社区的服务需求。"))
                return redirect("portal:service")
        context = {"form": form, "community": resident.community}
        return render(request, "portal/service/register.html", context, status=400 if form.errors else 200)
    claims = [
        {"c": c, "status_label": _label(CLAIM_STATUS_LABELS, c.status)}
        for c in sel.claims_of(member)
        if c.status != "withdrawn"
    ]
    context = {
        "member": member,
        "kinds": [_label(NEED_KIND_LABELS, k) for k in sel.preferred_kinds(member)],
        "claims": claims,
        "open_count": sel.open_needs_of(resident, timezone.localdate()).count(),
    }
    return render(request, "portal/service/home.html", context)


@never_cache
@resident_required
def need_list(request: HttpRequest, resident: Any) -> HttpResponse:
    """The open needs of my community, with the places left."""
    member = sel.registration_of(resident)
    rows = sel.open_needs_of(resident, timezone.localdate())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [
        {"n": n, "kind_label": _label(NEED_KIND_LABELS, n.kind), "left": sel.places_left(n)} for n in page.object_list
    ]
    context = {"page": page, "member": member, "community": resident.community}
    return render(request, "portal/service/needs.html", context)


@never_cache
@resident_required
def need_detail(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    try:
        need = sel.get_resident_need(resident, public_id)
    except NotFound:
        raise Http404() from None
    member = sel.registration_of(resident)
    mine = None
    if member is not None:
        mine = next((c for c in sel.claims_of(member) if c.need_id == need.pk and c.status != "withdrawn"), None)
    context = {
        "need": need,
        "kind_label": _label(NEED_KIND_LABELS, need.kind),
        "left": sel.places_left(need),
        "member": member,
        "mine": mine,
        "open": need.status == "open",
    }
    return render(request, "portal/service/need.html", context)


@never_cache
@require_POST
@resident_required
def need_claim(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    """认领: one place of the need for me."""
    member = _registered(resident)
    try:
        need = sel.get_resident_need(resident, public_id)
    except NotFound:
        raise Http404() from None
    try:
        inservice_services.need_claim(actor=ResidentActor(resident), need=need, member=member)
    except PermissionDenied as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("已认领，服务后请记录服务情况。"))
    return redirect("portal:service_need", public_id=need.public_id)


@never_cache
@require_POST
@resident_required
def claim_withdraw(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    member = _registered(resident)
    try:
        claim = sel.get_claim_of(member, public_id)
    except NotFound:
        raise Http404() from None
    try:
        inservice_services.claim_withdraw(actor=ResidentActor(resident), claim=claim)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("已放弃认领。"))
    return redirect("portal:service")


@never_cache
@resident_required
def entry_new(request: HttpRequest, resident: Any) -> HttpResponse:
    """记录服务: day, hours and content, on one of my claims (?claim= preselects it) or without one."""
    member = _registered(resident)
    claims = [c for c in sel.claims_of(member) if c.status != "withdrawn"]
    initial: dict[str, Any] = {"served_on": timezone.localdate()}
    if request.GET.get("claim") in {str(c.public_id) for c in claims}:
        initial["claim"] = request.GET["claim"]
    form = EntryForm(request.POST or None, claims=claims, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        claim = next((c for c in claims if str(c.public_id) == d["claim"]), None)
        data = inservice_services.EntryInput(
            served_on=d["served_on"], hours=d["hours"], content=d["content"], claim=claim
        )
        try:
            inservice_services.entry_record(actor=ResidentActor(resident), member=member, data=data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("已记录服务，社区确认后计入服务情况反馈。"))
            return redirect("portal:service_entries")
    return render(request, "portal/service/entry_new.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@resident_required
def entry_list(request: HttpRequest, resident: Any) -> HttpResponse:
    """My services by quarter, newest first, with the total confirmed hours and the quarterly record."""
    member = _registered(resident)
    entries = list(sel.entries_of(member))
    quarters = []
    for year, q in sel.quarters_of(member):
        first, last = quarter_range(year, q)
        rows = [e for e in entries if first <= e.served_on <= last]
        confirmed = sum((e.hours for e in rows if e.status == EntryStatus.CONFIRMED), Decimal(0))
        quarters.append(
            {
                "year": year,
                "q": q,
                "label": quarter_label(year, q),
                "rows": [
                    {"e": e, "hours": hours_text(e.hours), "status_label": _label(ENTRY_STATUS_LABELS, e.status)}
                    for e in rows
                ],
                "confirmed": hours_text(confirmed),
            }
        )
    return render(request, "portal/service/entries.html", {"member": member, "quarters": quarters})


@never_cache
@resident_required
def record_pdf(request: HttpRequest, resident: Any, year: int, quarter: int) -> HttpResponse:
    """My quarterly record for my employer (PDF)."""
    member = _registered(resident)
    try:
        data = inservice_services.quarterly_record(
            actor=ResidentActor(resident), member=member, year=year, quarter=quarter
        )
    except ValidationError:
        raise Http404() from None
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="service-record-{year}-Q{quarter}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
