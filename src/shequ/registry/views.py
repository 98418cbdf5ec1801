"""Staff pages of the resident registry: list and exact search, detail with audited reveal, register and edit,
dated changes, household and building pages, Excel export, the elderly birthday list.

Every object is fetched through a scoped selector (outside the scope answers 404, as missing does). Personal
values are shown masked; a revealed value is rendered once in the POST response and kept nowhere else.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.http import errors_to_form as _errors_to_form
from shequ.core.http import require_can as _require
from shequ.core.http import scoped_view as _scoped
from shequ.core.permissions import can
from shequ.territory import selectors as territory_selectors

from . import disclosures, exports, forms, selectors, services
from .domain import (
    BIRTHDAY_AGES,
    GENDER_LABELS,
    ID_TYPE_LABELS,
    LEGAL_BASIS_LABELS,
    RELATION_LABELS,
    RESIDENCE_TYPE_LABELS,
    STATUS_LABELS,
    LegalBasis,
    ResidentStatus,
    age_on,
)

PAGE_SIZE = 50
RELATION_ORDER = {k.value: i for i, k in enumerate(RELATION_LABELS)}  # the head first, then by kinship
HIDDEN_STATUSES = (ResidentStatus.WITHDRAWN, ResidentStatus.ERASED)
EVENT_LABELS = {
    "move_in": gettext_lazy("迁入"),
    "move_out": gettext_lazy("迁出"),
    "death": gettext_lazy("死亡"),
    "household_change": gettext_lazy("户变更"),
    "ownership_acquired": gettext_lazy("取得房屋产权"),
}


def _area_of_building(building: Any) -> Any:
    """The territory node a building lies in (its micro-grid, else its community), for permission checks."""
    return building.micro_grid if building.micro_grid_id else building.compound.community


# --- rows -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A resident as lists show them: masked identifiers, the birth decade (never an age), plain tag labels."""

    r: Any
    decade: str
    tags: list[str]
    gender: str
    status: str
    hidden: bool

    @property
    def address(self) -> str:
        return address_of(self.r.dwelling)


def address_of(dwelling: Any) -> str:
    if dwelling is None:
        return ""
    b = dwelling.building
    return f"{b.compound.name} {b.name} {dwelling.number}"


def _row(r: Any) -> Row:
    return Row(
        r=r,
        decade=selectors.display_decade(r),
        tags=selectors.display_tags(r),
        gender=str(GENDER_LABELS.get(r.gender, "")),
        status=str(STATUS_LABELS.get(r.status, r.status)),
        hidden=r.status in HIDDEN_STATUSES,
    )


# --- list and exact search ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@_scoped
def resident_list(request: HttpRequest) -> HttpResponse:
    """Resident list with GET filters; POST runs the exact search by ID number or mobile (never in the URL)."""
    _require(request, "registry.view")
    user = request.user
    filter_form = forms.parse_filters(request.GET)
    if "text" in filter_form.errors:
        return _back_to_list(request, filter_form)
    exact_form = forms.ExactSearchForm(request.POST if request.method == "POST" else None)
    exact_rows = None
    if request.method == "POST" and exact_form.is_valid():
        exact_rows = [_row(r) for r in selectors.exact_matches(user, exact_form.cleaned_data["number"])]
    page = None
    if exact_rows is None:
        qs = selectors.listed_residents(user, filter_form.filters())
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = [_row(r) for r in page.object_list]
    applied = filter_form.applied()
    buildings = forms.building_choices(territory_selectors.buildings_for(user))
    context = {
        "filter_form": filter_form,
        "f": filter_form.filters(),
        "applied": applied,
        "area_choices": forms.area_choices(user),
        "building_choices": buildings,
        "building_hidden": applied.get("building") if buildings is None else "",
        "tag_choices": forms.TAG_CHOICES,
        "residence_type_choices": forms.RESIDENCE_TYPE_CHOICES,
        "status_choices": forms.STATUS_FILTER_CHOICES,
        "exact_form": exact_form,
        "exact_rows": exact_rows,
        "page": page,
        "export_query": urlencode(applied),
        "can_edit": bool(can(user, "registry.edit")),
        "can_import": bool(can(user, "registry.import")),
        "can_export_unmasked": bool(can(user, "registry.export_unmasked")),
        "can_approve_export": bool(can(user, "registry.approve_export")),
        # Ages are a reveal: the age filter and the birthday list are offered only to roles that may reveal.
        "can_reveal_identity": bool(can(user, "registry.reveal_identity")),
        "age_choices": forms.AGE_BAND_CHOICES,
    }
    return render(request, "registry/resident_list.html", context)


def _back_to_list(request: HttpRequest, filter_form: forms.ResidentFilterForm) -> HttpResponse:
    """Refuse filters that are not valid: back to the list with the valid ones and the reason.

    Used for a number typed into the name box, so it leaves the address (history, links) at once.
    """
    for errors in filter_form.errors.values():
        messages.error(request, errors[0])
    query = urlencode(filter_form.applied())
    return redirect(reverse("registry:resident_list") + (f"?{query}" if query else ""))


# --- detail and reveal -----------------------------------------------------------------------------------


def _reveal_fields(user: Any, r: Any) -> list[str]:
    if r.status in HIDDEN_STATUSES:
        return []
    fields = []
    if r.mobile_masked and can(user, "registry.reveal_mobile", r):
        fields.append("mobile")
    if can(user, "registry.reveal_identity", r):
        if r.id_number_masked:
            fields.append("id_number")
        if r.birth_date_encrypted:
            fields.append("birth_date")
        if r.has_sensitive_tags:
            fields.append("sensitive_tags")
        fields.append("notes")
    return fields


def _detail_context(request: HttpRequest, r: Any, **extra: Any) -> dict[str, Any]:
    user = request.user
    hidden = r.status in HIDDEN_STATUSES
    may_edit = bool(can(user, "registry.edit", r)) and not hidden
    reveal_fields = _reveal_fields(user, r)
    context = {
        "resident": r,
        "row": _row(r),
        "hidden": hidden,
        "id_type_label": ID_TYPE_LABELS.get(r.id_type, r.id_type),
        "residence_type_label": RESIDENCE_TYPE_LABELS.get(r.residence_type, r.residence_type),
        "relation_label": RELATION_LABELS.get(r.relation, "") if r.relation else "",
        "legal_basis_label": LEGAL_BASIS_LABELS.get(r.legal_basis, r.legal_basis),
        "residences": [] if hidden else _residences(r),
        "events": [] if hidden else _events(r),
        "ownerships": [] if hidden else _ownerships(r),
        "reveal_form": extra.pop("reveal_form", None) or forms.RevealForm(fields=reveal_fields),
        "can_reveal": bool(reveal_fields),
        "can_edit": may_edit and r.status == ResidentStatus.ACTIVE,
        "can_withdraw_consent": (
            not hidden and r.legal_basis == LegalBasis.CONSENT and bool(can(user, "registry.manage_consent", r))
        ),
    }
    context.update(extra)
    return context


def _residences(r: Any) -> list[dict[str, Any]]:
    stays = r.residences.select_related(
        "dwelling", "dwelling__building", "dwelling__building__compound", "household"
    ).order_by("-valid_from", "-id")
    return [
        {
            "valid_from": s.valid_from,
            "valid_to": s.valid_to,
            "address": address_of(s.dwelling),
            "household": s.household.number if s.household_id else "",
            "relation": RELATION_LABELS.get(s.relation, "") if s.relation else "",
        }
        for s in stays
    ]


def _events(r: Any) -> list[dict[str, Any]]:
    return [
        {
            "kind": EVENT_LABELS.get(e.kind, e.kind),
            "effective_date": e.effective_date,
            "recorded_at": e.created_at,
            "household": (e.details or {}).get("household") if e.kind == "household_change" else "",
        }
        for e in r.events.order_by("-effective_date", "-id")
    ]


def _ownerships(r: Any) -> list[dict[str, Any]]:
    rows = r.ownerships.select_related("dwelling", "dwelling__building", "dwelling__building__compound")
    return [
        {
            "address": address_of(o.dwelling),
            "share": o.share,
            "registered_area": o.registered_area,
            "valid_from": o.valid_from,
            "valid_to": o.valid_to,
        }
        for o in rows.order_by("-valid_from", "-id")
    ]


@never_cache
@require_GET
@_scoped
def resident_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    r = selectors.get_resident_for(request.user, public_id)
    return render(request, "registry/resident_detail.html", _detail_context(request, r))


@never_cache
@require_POST
@_scoped
def resident_reveal(request: HttpRequest, public_id: str) -> HttpResponse:
    """Show one personal value in clear, once, in this response; audited with the reason by the service."""
    r = selectors.get_resident_for(request.user, public_id)
    form = forms.RevealForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, r, reveal_form=form)
        return render(request, "registry/resident_detail.html", context, status=400)
    field = form.cleaned_data["field"]
    try:
        value = services.resident_reveal(
            actor=request.user,
            resident=r,
            field=field,
            reason_code=form.cleaned_data["reason_code"],
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied as exc:
        context = _detail_context(request, r, reveal_error=exc.message or _("您无权查看该信息"))
        limited = isinstance(exc, disclosures.DisclosureLimitReached)
        return render(request, "registry/resident_detail.html", context, status=429 if limited else 403)
    except ValidationError as exc:
        _errors_to_form(form, exc)
        context = _detail_context(request, r, reveal_form=form)
        return render(request, "registry/resident_detail.html", context, status=400)
    revealed = {"field": field, "label": forms.REVEAL_LABELS[field], "value": value}
    if field == "birth_date" and value:
        revealed["note"] = _("%(age)s岁") % {"age": age_on(date.fromisoformat(value), timezone.localdate())}
    return render(request, "registry/resident_detail.html", _detail_context(request, r, revealed=revealed))


# --- register and edit -----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@_scoped
def resident_create(request: HttpRequest) -> HttpResponse:
    _require(request, "registry.edit")
    form = forms.ResidentForm(request.POST if request.method == "POST" else None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a new household is kept only if the resident is registered too
                household = _household_for_form(request, form)
                r = services.resident_register(actor=request.user, data=form.to_input(household))
        except ValidationError as exc:
            _errors_to_form(form, exc, {"number": "household_number", "household": "household_number"})
        else:
            messages.success(request, _("已登记居民 %(name)s") % {"name": r.name})
            return redirect("registry:resident_detail", public_id=r.public_id)
    return render(request, "registry/resident_form.html", {"form": form, "resident": None})


def _household_for_form(request: HttpRequest, form: forms.ResidentForm) -> Any:
    if form.cleaned_data.get("new_household"):
        return services.household_create(
            actor=request.user,
            community=form.cleaned_data["community_obj"],
            number=form.cleaned_data["household_number"],
            dwelling=form.cleaned_data["dwelling_obj"],
        )
    return form.household()


@never_cache
@require_http_methods(["GET", "POST"])
@_scoped
def resident_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    r = selectors.get_resident_for(request.user, public_id)
    _require(request, "registry.edit", r)
    if r.status in HIDDEN_STATUSES:
        raise NotFound()
    may_reveal = bool(can(request.user, "registry.reveal_identity", r))
    form = forms.ResidentForm(
        request.POST if request.method == "POST" else None,
        actor=request.user,
        resident=r,
        can_reveal_identity=may_reveal,
    )
    if request.method == "GET" and may_reveal and r.has_sensitive_tags:
        # Pre-ticking the sensitive tags displays them: record and count it like any other reveal. Without them the
        # form would drop the sensitive tags on save, so over the daily limit the edit page is refused.
        try:
            services.resident_reveal(
                actor=request.user, resident=r, field="sensitive_tags", reason_code="other", reason=_("修改居民信息")
            )
        except disclosures.DisclosureLimitReached as exc:
            messages.error(request, exc.message)
            return redirect("registry:resident_detail", public_id=r.public_id)
        form.show_sensitive_tags(services.care_tags_of(r))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                household = _household_for_form(request, form)
                services.resident_update(actor=request.user, resident=r, data=form.to_input(household))
        except ValidationError as exc:
            _errors_to_form(form, exc, {"number": "household_number", "household": "household_number"})
        else:
            messages.success(request, _("居民信息已保存"))
            return redirect("registry:resident_detail", public_id=r.public_id)
    return render(request, "registry/resident_form.html", {"form": form, "resident": r})


@require_GET
@_scoped
def dwelling_options(request: HttpRequest) -> HttpResponse:
    """<option>s of the dwellings of a building in scope (htmx, for the register form)."""
    choices: list[tuple[str, str]] = []
    if request.GET.get("building"):
        building = territory_selectors.get_building_for(request.user, request.GET["building"])
        choices = forms.dwelling_choices(request.user, building)
    return render(request, "registry/_dwelling_options.html", {"choices": choices})


# --- dated changes -----------------------------------------------------------------------------------------

ACTIONS = {
    "move_out": (forms.MoveOutForm, gettext_lazy("登记迁出")),
    "death": (forms.DeathForm, gettext_lazy("登记死亡")),
    "household": (forms.HouseholdChangeForm, gettext_lazy("户变更")),
    "withdraw_consent": (forms.ConsentWithdrawForm, gettext_lazy("撤回同意")),
}


@never_cache
@require_http_methods(["GET", "POST"])
@_scoped
def resident_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """Confirmation page and execution of a dated change (move out, death, household change) or a withdrawal."""
    if action not in ACTIONS:
        raise NotFound()
    r = selectors.get_resident_for(request.user, public_id)
    if r.status != ResidentStatus.ACTIVE:
        raise NotFound()
    _require(request, "registry.manage_consent" if action == "withdraw_consent" else "registry.edit", r)
    if action == "withdraw_consent" and r.legal_basis != LegalBasis.CONSENT:
        raise NotFound()
    form_class, title = ACTIONS[action]
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            done = _apply_action(request, r, action, form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc, {"household": "household_number"})
        else:
            messages.success(request, done)
            return redirect("registry:resident_detail", public_id=r.public_id)
    return render(
        request,
        "registry/resident_action.html",
        {"resident": r, "row": _row(r), "form": form, "action": action, "title": title},
    )


def _apply_action(request: HttpRequest, r: Any, action: str, data: dict[str, Any]) -> str:
    user = request.user
    if action == "move_out":
        services.resident_move_out(actor=user, resident=r, on=data["on"], note=data.get("note", ""))
        return _("已登记迁出")
    if action == "death":
        services.resident_death(actor=user, resident=r, on=data["on"])
        return _("已登记死亡")
    if action == "household":
        household = forms.find_household(user, r.community, data["household_number"])
        if household is None:
            raise ValidationError({"household_number": _("本社区没有该户号")})
        services.resident_change_household(
            actor=user, resident=r, household=household, relation=data["relation"], on=data["on"]
        )
        return _("已登记户变更")
    services.consent_withdraw(actor=user, resident=r)
    return _("已记录撤回同意：该居民信息已隐藏，将在期满后删除")


# --- household and building -----------------------------------------------------------------------------


@never_cache
@require_GET
@_scoped
def household_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    household = selectors.get_household_for(request.user, public_id)
    members = sorted(
        (
            _row(m)
            for m in selectors.members_of(request.user, household).select_related(
                "dwelling", "dwelling__building", "dwelling__building__compound"
            )
        ),
        key=lambda row: (RELATION_ORDER.get(row.r.relation, len(RELATION_ORDER)), row.r.name),
    )
    head_visible = any(m.r.pk == household.head_id for m in members)
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "address": address_of(household.dwelling) if household.dwelling_id else "",
            "members": members,
            "head": household.head if head_visible else None,
            "relation_labels": {k.value: v for k, v in RELATION_LABELS.items()},
        },
    )


@never_cache
@require_GET
@_scoped
def building_occupants(request: HttpRequest, public_id: str) -> HttpResponse:
    """Every dwelling of a building with its occupants in scope (masked)."""
    building = territory_selectors.get_building_for(request.user, public_id)
    if not can(request.user, "registry.view", _area_of_building(building)):
        raise NotFound()
    occupants = selectors.occupants_of_building(request.user, building)
    units = [
        {
            "unit": unit,
            "dwellings": [
                {"dwelling": d, "occupants": [_row(r) for r in occupants.get(d.pk, [])]} for d in unit.dwellings.all()
            ],
        }
        for unit in territory_selectors.units_of_building(building)
    ]
    return render(
        request,
        "registry/building_occupants.html",
        {"building": building, "compound": building.compound, "units": units},
    )


# --- export ----------------------------------------------------------------------------------------------


def export_response(fileobj: Any, unmasked: bool) -> HttpResponse:
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = (_("居民名单（完整信息）") if unmasked else _("居民名单")) + f"-{stamp}.xlsx"
    response = FileResponse(
        fileobj,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@_scoped
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The current list (GET filters) as .xlsx, masked; audited with the row count and the filters."""
    _require(request, "registry.view")
    filter_form = forms.parse_filters(request.GET)
    if filter_form.errors:
        return _back_to_list(request, filter_form)
    qs = selectors.listed_residents(request.user, filter_form.filters())
    try:
        fileobj = exports.export_residents(actor=request.user, queryset=qs, filters=filter_form.applied())
    except exports.TooManyRows as exc:
        messages.error(request, str(exc))
        return redirect(reverse("registry:resident_list") + "?" + urlencode(filter_form.applied()))
    return export_response(fileobj, unmasked=False)


# --- elderly birthday list -------------------------------------------------------------------------------


def _birthday_params(request: HttpRequest) -> tuple[int, int]:
    """The month (default this month) and the age threshold (default 60) from the query string."""
    month = request.GET.get("month", "")
    age = request.GET.get("age", "")
    chosen_month = int(month) if month.isdigit() and 1 <= int(month) <= 12 else timezone.localdate().month
    chosen_age = int(age) if age.isdigit() and int(age) in BIRTHDAY_AGES else BIRTHDAY_AGES[0]
    return chosen_month, chosen_age


@never_cache
@require_GET
@_scoped
def birthday_list(request: HttpRequest) -> HttpResponse:
    """Residents aged 60 (70, 80...) and over with a birthday in a month: a reveal, audited by the service."""
    if not can(request.user, "registry.reveal_identity"):
        refused = _("老年人生日名单含居民的生日和年龄，只有可以查看完整证件信息的人员才能查看。")
        return render(request, "registry/birthday_list.html", {"refused": refused}, status=403)
    month, min_age = _birthday_params(request)
    try:
        year, found = services.elderly_birthdays(actor=request.user, month=month, min_age=min_age)
    except disclosures.DisclosureLimitReached as exc:
        return render(request, "registry/birthday_list.html", {"refused": exc.message}, status=429)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/birthday_list.html",
        {
            "page": page,
            "rows": [{"b": b, "address": address_of(b.resident.dwelling)} for b in page.object_list],
            "year": year,
            "month": month,
            "min_age": min_age,
            "count": len(found),
            "months": range(1, 13),
            "ages": BIRTHDAY_AGES,
            "query": urlencode({"month": month, "age": min_age}),
        },
    )


@require_GET
@_scoped
def birthday_export(request: HttpRequest) -> HttpResponse:
    """The birthday list as .xlsx (formula-safe); audited as an export by the service."""
    _require(request, "registry.reveal_identity")
    month, min_age = _birthday_params(request)
    try:
        year, found = services.elderly_birthdays(actor=request.user, month=month, min_age=min_age, purpose="export")
    except disclosures.DisclosureLimitReached as exc:
        return render(request, "registry/birthday_list.html", {"refused": exc.message}, status=429)
    fileobj = exports.birthday_xlsx(found)
    name = _("老年人生日名单") + f"-{year}{month:02d}.xlsx"
    response = FileResponse(
        fileobj,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "no-store"
    return response
