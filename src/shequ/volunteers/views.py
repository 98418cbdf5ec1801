"""Workbench pages of volunteer service: the registry of the communities the actor sees (search, pages, masked Excel
export), a volunteer's record (services, training, commendations, complaints, guardian's consent, proofs), the
activities the actor organises or sees with their sign-ups, attendance and hours confirmation, and the correction
requests waiting for an answer.

Objects are fetched through the scoped selectors (outside the scope: 404). Write forms are shown only to those who
may write; the services check again. A refused form re-renders the page with what was typed (400).
"""

from decimal import Decimal
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
from shequ.core.permissions import can
from shequ.core.scoping import scope_of
from shequ.territory import selectors as territory_selectors

from . import exports, forms, proofs, selectors, services
from .domain import (
    ACTIVITY_STATUS_LABELS,
    ACTIVITY_TRANSITIONS,
    CORRECTION_STATUS_LABELS,
    ENTRY_KIND_LABELS,
    GENDER_LABELS,
    SIGNUP_STATUS_LABELS,
    ActivityEvent,
    CorrectionStatus,
    SignupStatus,
)
from .permissions import KEEPER_ROLES

PAGE_SIZE = 25


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else ""


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    actor = request.user
    context.setdefault("nav_registry", bool(can(actor, "volunteers.view")))
    context.setdefault("nav_organise", bool(can(actor, "volunteers.organise")))
    return render(request, template, context, status=status)


def _run(request: HttpRequest, form: Any, call: Any, done: str) -> bool:
    try:
        call()
    except ValidationError as exc:
        errors_to_form(form, exc)
        return False
    messages.success(request, done)
    return True


# --- the registry --------------------------------------------------------------------------------------------


@never_cache
@require_GET
@scoped_view
def home(request: HttpRequest) -> HttpResponse:
    """The registry of the communities the actor sees; unit staff (who see no registry) go to their activities."""
    actor = request.user
    if not can(actor, "volunteers.view"):
        require_can(request, "volunteers.organise")
        return redirect("volunteers:activity_list")
    form = forms.SearchForm(request.GET)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    page = Paginator(selectors.volunteers_for(actor, text=text), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "text": text,
        "page": page,
        "can_manage": bool(can(actor, "volunteers.manage")),
        "waiting": selectors.pending_corrections_count(actor),
    }
    return _page(request, "volunteers/home.html", context)


@require_GET
@scoped_view
def export(request: HttpRequest) -> HttpResponse:
    """The volunteers of the communities the actor keeps as .xlsx, masked; audited."""
    require_can(request, "volunteers.manage")
    form = forms.SearchForm(request.GET)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    fileobj = exports.export_volunteers(actor=request.user, text=text)
    response = FileResponse(fileobj, as_attachment=True, filename=exports.filename(), content_type=exports.CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def _kept_communities(actor: Any) -> list[Any]:
    paths = scope_of(actor).paths(KEEPER_ROLES)
    return [
        a
        for a in territory_selectors.areas_for(actor).filter(level="community")
        if any(a.path.startswith(p) for p in paths)
    ]


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def volunteer_new(request: HttpRequest) -> HttpResponse:
    """Register a volunteer in a community the actor keeps (the first one when they keep several: ?community=)."""
    require_can(request, "volunteers.manage")
    communities = _kept_communities(request.user)
    community = next((c for c in communities if str(c.public_id) == request.GET.get("community")), None)
    community = community or (communities[0] if communities else None)
    if community is None:
        raise NotFound()
    form = forms.VolunteerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = services.VolunteerInput(community=community, **form.cleaned_data)
        holder: dict[str, Any] = {}

        def call() -> None:
            holder["v"] = services.volunteer_register(actor=request.user, data=data)

        if _run(request, form, call, _("已登记志愿者")):
            return redirect("volunteers:volunteer_detail", public_id=holder["v"].public_id)
    context = {"form": form, "community": community, "communities": communities}
    return _page(request, "volunteers/volunteer_new.html", context, status=400 if form.errors else 200)


def _volunteer_context(request: HttpRequest, volunteer: Any, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    actor = request.user
    today = timezone.localdate()
    can_manage = bool(can(actor, "volunteers.manage", volunteer))
    minor = selectors.is_minor_now(volunteer, today)
    context: dict[str, Any] = {
        "volunteer": volunteer,
        "gender": _label(GENDER_LABELS, volunteer.gender),
        "minor": minor,
        "consent": selectors.consent_of(volunteer),
        "totals": selectors.totals_of(volunteer),
        "records": list(selectors.records_of(volunteer)),
        "entries": [{"e": e, "kind": _label(ENTRY_KIND_LABELS, e.kind)} for e in selectors.entries_of(volunteer)],
        "signups": [
            {"s": s, "status": _label(SIGNUP_STATUS_LABELS, s.status)}
            for s in selectors.signups_of_volunteer(volunteer)
        ],
        "proofs": list(selectors.proofs_of(volunteer)),
        "can_manage": can_manage,
        "forms": {},
    }
    if can_manage:
        context["forms"]["entry"] = bound.get("entry") or forms.EntryForm(prefix="entry", initial={"on": today})
        if minor:
            context["forms"]["consent"] = bound.get("consent") or forms.ConsentForm(
                prefix="consent", initial={"consented_on": today}
            )
    return context


@never_cache
@require_GET
@scoped_view
def volunteer_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    volunteer = selectors.get_volunteer_for(request.user, public_id)
    return _page(request, "volunteers/volunteer_detail.html", _volunteer_context(request, volunteer))


VOLUNTEER_ACTIONS = ("entry", "consent", "proof")


@never_cache
@require_POST
@scoped_view
def volunteer_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """Record a training, commendation or complaint; record a guardian's consent; issue a proof (free)."""
    if action not in VOLUNTEER_ACTIONS:
        raise NotFound()
    actor = request.user
    volunteer = selectors.get_volunteer_for(actor, public_id)
    require_can(request, "volunteers.manage", volunteer)
    detail = redirect("volunteers:volunteer_detail", public_id=volunteer.public_id)
    form: Any
    if action == "proof":
        try:
            proof = services.proof_issue(actor=actor, volunteer=volunteer)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已出具证明 %(number)s（免费）") % {"number": proof.number})
        return detail
    if action == "entry":
        form = forms.EntryForm(request.POST, prefix="entry")
        if form.is_valid():
            d = form.cleaned_data
            call = lambda: services.entry_record(actor=actor, volunteer=volunteer, **d)  # noqa: E731
            if _run(request, form, call, _("已登记")):
                return detail
    else:
        form = forms.ConsentForm(request.POST, prefix="consent")
        if form.is_valid():
            data = services.ConsentInput(**form.cleaned_data)
            call = lambda: services.consent_record(actor=actor, volunteer=volunteer, data=data)  # noqa: E731
            if _run(request, form, call, _("已记录监护人同意")):
                return detail
    context = _volunteer_context(request, volunteer, bound={action: form})
    context["failed_action"] = action
    return _page(request, "volunteers/volunteer_detail.html", context, status=400)


@never_cache
@require_GET
@scoped_view
def proof_download(request: HttpRequest, public_id: str) -> HttpResponse:
    """The PDF of an issued proof, rendered again from its frozen content."""
    proof = selectors.get_proof_for(request.user, public_id)
    response = HttpResponse(proofs.render(proof.snapshot), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{proofs.filename(proof.snapshot)}"'
    response["Cache-Control"] = "no-store"
    return response


# --- activities ----------------------------------------------------------------------------------------------


@never_cache
@require_GET
@scoped_view
def activity_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, "volunteers.view"):
        require_can(request, "volunteers.organise")
    status = request.GET.get("status", "")
    status = status if status in ACTIVITY_STATUS_LABELS else ""
    page = Paginator(selectors.activities_for(actor, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [{"a": a, "status": _label(ACTIVITY_STATUS_LABELS, a.status)} for a in page.object_list]
    context = {
        "page": page,
        "status": status,
        "statuses": [(k.value, v) for k, v in ACTIVITY_STATUS_LABELS.items()],
        "can_organise": bool(can(actor, "volunteers.organise")),
    }
    return _page(request, "volunteers/activity_list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def activity_new(request: HttpRequest) -> HttpResponse:
    require_can(request, "volunteers.organise")
    actor = request.user
    units = list(selectors.organiser_units_for(actor))
    form = forms.ActivityForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = next(u for u in units if str(u.public_id) == d["organiser"])
        community = selectors.community_of_area(unit.area)
        data = services.ActivityInput(
            organiser=unit,
            community=community,
            title=d["title"],
            content=d["content"],
            place=d["place"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            slots=d["slots"],
        )
        holder: dict[str, Any] = {}

        def call() -> None:
            holder["a"] = services.activity_create(actor=actor, data=data)

        if _run(request, form, call, _("已发布活动")):
            return redirect("volunteers:activity_detail", public_id=holder["a"].public_id)
    return _page(
        request, "volunteers/activity_new.html", {"form": form, "units": units}, status=400 if form.errors else 200
    )


def _activity_context(request: HttpRequest, activity: Any, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    actor = request.user
    organiser = bool(can(actor, "volunteers.organise", activity))
    started = activity.starts_at <= timezone.now()
    rows = []
    for s in selectors.signups_of(activity):
        key = f"confirm-{s.public_id}"
        confirmable = organiser and started and s.status in (SignupStatus.SIGNED_UP, SignupStatus.ABSENT)
        rows.append(
            {
                "s": s,
                "status": _label(SIGNUP_STATUS_LABELS, s.status),
                "record": getattr(s, "record", None) if s.status == SignupStatus.ATTENDED else None,
                "form": (bound.get(key) or forms.ConfirmForm(prefix=key)) if confirmable else None,
                "can_absent": organiser and s.status == SignupStatus.SIGNED_UP,
            }
        )
    events = []
    if organiser:
        for event, label in (
            (ActivityEvent.CLOSE, _("截止报名")),
            (ActivityEvent.REOPEN, _("重新开放报名")),
            (ActivityEvent.CANCEL, _("取消活动")),
        ):
            if (activity.status, event) in ACTIVITY_TRANSITIONS:
                events.append((event.value, label))
    return {
        "activity": activity,
        "status": _label(ACTIVITY_STATUS_LABELS, activity.status),
        "taken": selectors.taken_slots(activity),
        "rows": rows,
        "organiser": organiser,
        "started": started,
        "events": events,
    }


@never_cache
@require_GET
@scoped_view
def activity_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    activity = selectors.get_activity_for(request.user, public_id)
    return _page(request, "volunteers/activity_detail.html", _activity_context(request, activity))


@never_cache
@require_POST
@scoped_view
def activity_event(request: HttpRequest, public_id: str, event: str) -> HttpResponse:
    activity = selectors.get_activity_for(request.user, public_id)
    require_can(request, "volunteers.organise", activity)
    if event not in {e.value for e in ActivityEvent}:
        raise NotFound()
    try:
        services.activity_change(actor=request.user, activity=activity, event=event)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("活动状态已更新"))
    return redirect("volunteers:activity_detail", public_id=activity.public_id)


@never_cache
@require_POST
@scoped_view
def signup_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """Confirm a volunteer's hours (a refusal shows the activity again with the figures typed and the reason), or
    mark them absent."""
    actor = request.user
    signup = selectors.get_signup_for(actor, public_id)
    activity = signup.activity
    require_can(request, "volunteers.organise", signup)
    detail = redirect("volunteers:activity_detail", public_id=activity.public_id)
    if action == "absent":
        try:
            services.signup_mark_absent(actor=actor, signup=signup)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return detail
    if action != "confirm":
        raise NotFound()
    key = f"confirm-{signup.public_id}"
    form = forms.ConfirmForm(request.POST, prefix=key)
    if form.is_valid():
        d = form.cleaned_data
        travel = d["travel_hours"] if d["travel_hours"] is not None else Decimal(0)

        def call() -> None:
            services.hours_confirm(actor=actor, signup=signup, hours=d["hours"], travel_hours=travel)

        if _run(request, form, call, _("已确认 %(name)s 的服务时长") % {"name": signup.volunteer.name_masked}):
            return detail
    context = _activity_context(request, activity, bound={key: form})
    context["failed"] = key
    return _page(request, "volunteers/activity_detail.html", context, status=400)


# --- corrections ---------------------------------------------------------------------------------------------


def _corrections_context(request: HttpRequest, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    actor = request.user
    status = request.GET.get("status", CorrectionStatus.PENDING.value)
    status = status if status in CORRECTION_STATUS_LABELS or status == "" else CorrectionStatus.PENDING.value
    page = Paginator(selectors.corrections_for(actor, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [
        {
            "c": c,
            "status": _label(CORRECTION_STATUS_LABELS, c.status),
            "form": (bound.get(str(c.public_id)) or forms.AnswerForm(prefix=f"answer-{c.public_id}"))
            if c.status == CorrectionStatus.PENDING
            else None,
        }
        for c in page.object_list
    ]
    statuses = [("", _("全部"))] + [(k.value, v) for k, v in CORRECTION_STATUS_LABELS.items()]
    return {"page": page, "status": status, "statuses": statuses}


@never_cache
@require_GET
@scoped_view
def corrections(request: HttpRequest) -> HttpResponse:
    """Correction requests of the records the actor organises, the waiting ones first by age."""
    require_can(request, "volunteers.organise")
    return _page(request, "volunteers/corrections.html", _corrections_context(request))


@never_cache
@require_POST
@scoped_view
def correction_answer(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = request.user
    correction = selectors.get_correction_for(actor, public_id)
    require_can(request, "volunteers.organise", correction)
    form = forms.AnswerForm(request.POST, prefix=f"answer-{correction.public_id}")
    if form.is_valid():
        d = form.cleaned_data
        data = services.AnswerInput(
            accept=d["accept"], answer=d["answer"], hours=d["hours"], travel_hours=d["travel_hours"], place=d["place"]
        )
        call = lambda: services.correction_answer(actor=actor, correction=correction, data=data)  # noqa: E731
        if _run(request, form, call, _("已答复更正申请")):
            return redirect("volunteers:corrections")
    context = _corrections_context(request, bound={str(correction.public_id): form})
    return _page(request, "volunteers/corrections.html", context, status=400)
