"""Residents' pages of volunteer service on the portal (phone first): register as a volunteer (from the register:
nothing asked twice), see my record and hours, the open activities of my community, sign up and withdraw, ask for a
correction of one of my services, ask for a proof of service and download it (PDF, free of charge).

The resident is the signed-in portal resident (`resident_required`); every write goes through the volunteers
services as `ResidentActor(resident)`, which check again that the record is the resident's own. Another resident's
sign-up, record or proof answers 404. Every page works without JavaScript.
"""

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
from shequ.volunteers import proofs, selectors, services
from shequ.volunteers.domain import ACTIVITY_STATUS_LABELS, CORRECTION_STATUS_LABELS, SIGNUP_STATUS_LABELS, SignupStatus
from shequ.volunteers.forms import CorrectionForm, JoinForm

from .views import resident_required

PAGE_SIZE = 20


def _flash(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        messages.error(request, exc.message)
        return
    for message in exc.messages:
        messages.error(request, message)


def _volunteer(resident: Any) -> Any:
    volunteer = selectors.volunteer_of_resident(resident)
    if volunteer is None:
        raise Http404()
    return volunteer


def _found(get: Any, *args: Any) -> Any:
    try:
        return get(*args)
    except NotFound:
        raise Http404() from None


@never_cache
@resident_required
def volunteer_home(request: HttpRequest, resident: Any) -> HttpResponse:
    """我的志愿服务: my record (services, total hours, sign-ups, corrections, proofs), or the registration form."""
    volunteer = selectors.volunteer_of_resident(resident)
    if volunteer is None:
        form = JoinForm()
        context = {"form": form, "ask_birth": selectors.resident_birth_date(resident) is None}
        return render(request, "portal/volunteer/join.html", context)
    context = {
        "volunteer": volunteer,
        "totals": selectors.totals_of(volunteer),
        "records": list(selectors.records_of(volunteer)),
        "signups": [
            {
                "s": s,
                "status": SIGNUP_STATUS_LABELS.get(s.status, s.status),
                "can_withdraw": s.status == SignupStatus.SIGNED_UP,
            }
            for s in selectors.signups_of_volunteer(volunteer)[:PAGE_SIZE]
        ],
        "corrections": [
            {"c": c, "status": CORRECTION_STATUS_LABELS.get(c.status, c.status)}
            for c in selectors.corrections_of_volunteer(volunteer)[:PAGE_SIZE]
        ],
        "proofs": list(selectors.proofs_of(volunteer)),
    }
    return render(request, "portal/volunteer/home.html", context)


@never_cache
@require_POST
@resident_required
def volunteer_join(request: HttpRequest, resident: Any) -> HttpResponse:
    """注册志愿者: name, mobile and ID number come from the register; only skills, categories (and the birth date
    when the register lacks it) are asked."""
    form = JoinForm(request.POST)
    if form.is_valid():
        data = services.JoinInput(**form.cleaned_data)
        try:
            services.volunteer_join(actor=ResidentActor(resident), resident=resident, data=data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("您已注册为志愿者，欢迎报名参加社区志愿服务活动。"))
            return redirect("portal:volunteer")
    context = {"form": form, "ask_birth": selectors.resident_birth_date(resident) is None}
    return render(request, "portal/volunteer/join.html", context, status=400)


@never_cache
@resident_required
def activity_list(request: HttpRequest, resident: Any) -> HttpResponse:
    """志愿服务活动: the open activities of my community, soonest first."""
    rows = selectors.open_activities_for_resident(resident, timezone.now())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "community": resident.community, "registered": selectors.volunteer_of_resident(resident)}
    return render(request, "portal/volunteer/activities.html", context)


@never_cache
@resident_required
def activity_detail(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    activity = _found(selectors.get_resident_activity, resident, public_id)
    volunteer = selectors.volunteer_of_resident(resident)
    signup = selectors.signup_of(volunteer, activity)
    context = {
        "activity": activity,
        "status": ACTIVITY_STATUS_LABELS.get(activity.status, activity.status),
        "taken": selectors.taken_slots(activity),
        "volunteer": volunteer,
        "signup": signup,
        "signup_status": SIGNUP_STATUS_LABELS.get(signup.status, signup.status) if signup else "",
    }
    return render(request, "portal/volunteer/activity.html", context)


@never_cache
@require_POST
@resident_required
def activity_signup(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    activity = _found(selectors.get_resident_activity, resident, public_id)
    volunteer = _volunteer(resident)
    try:
        services.signup_create(actor=ResidentActor(resident), volunteer=volunteer, activity=activity)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("报名成功，请按时参加。"))
    return redirect("portal:volunteer_activity", public_id=activity.public_id)


@never_cache
@require_POST
@resident_required
def signup_withdraw(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    volunteer = _volunteer(resident)
    signup = _found(selectors.get_own_signup, volunteer, public_id)
    try:
        services.signup_withdraw(actor=ResidentActor(resident), signup=signup)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已退出该活动。"))
    return redirect("portal:volunteer_activity", public_id=signup.activity.public_id)


@never_cache
@resident_required
def correction_new(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    """申请更正: say what is wrong with one of my service records; the organiser answers."""
    volunteer = _volunteer(resident)
    record = _found(selectors.get_own_record, volunteer, public_id)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_ask(actor=ResidentActor(resident), record=record, text=form.cleaned_data["text"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("更正申请已提交，组织单位答复后您可以在这里查看。"))
            return redirect("portal:volunteer")
    status = 400 if form.errors else 200
    return render(request, "portal/volunteer/correction.html", {"record": record, "form": form}, status=status)


@never_cache
@require_POST
@resident_required
def proof_request(request: HttpRequest, resident: Any) -> HttpResponse:
    """申请出具证明: issued at once from the confirmed records, free of charge."""
    volunteer = _volunteer(resident)
    try:
        proof = services.proof_request(actor=ResidentActor(resident), volunteer=volunteer)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("证明已出具（免费），编号 %(number)s。") % {"number": proof.number})
    return redirect("portal:volunteer")


@never_cache
@resident_required
def proof_download(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    volunteer = _volunteer(resident)
    proof = _found(selectors.get_own_proof, volunteer, public_id)
    response = HttpResponse(proofs.render(proof.snapshot), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{proofs.filename(proof.snapshot)}"'
    response["Cache-Control"] = "no-store"
    return response
