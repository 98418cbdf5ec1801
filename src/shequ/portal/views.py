"""Resident portal pages: sign in with a mobile number and an SMS code, then see one's own register entry.

The portal session is separate from staff login: it is the session key `portal_resident` (the resident's
public id), set only here, after a successful code, with a new session key. `request.user` plays no part, so
a staff login does not open the portal and a portal sign-in does not open the workbench. The number travels
between the two steps inside the session (encrypted), never in a URL. Idle sessions end after
SHEQU_IDLE_TIMEOUT_SECONDS, as staff sessions do. Every page works without JavaScript.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shequ.cases import photo_services, photos, public, public_map, topics
from shequ.cases import portal_services as cases
from shequ.core import ratelimit
from shequ.core.actors import ResidentActor
from shequ.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from shequ.core.masking import mask_mobile
from shequ.core.middleware import client_ip
from shequ.core.redaction import redact

from . import held_photos, selectors, services
from .forms import CodeForm, MobileForm, RateForm, ReportForm
from .services import CodeRejected, RateLimited

SESSION_RESIDENT = "portal_resident"
SESSION_ACTIVITY = "portal_last_activity"
SESSION_PENDING = "portal_pending"
LARGE_TEXT_COOKIE = "portal_large_text"
PENDING_TTL = 15 * 60  # seconds between asking for a code and typing it (codes themselves last 5 minutes)
ACTIVITY_WRITE_EVERY = 30  # seconds: do not rewrite the session on every click


def _now() -> int:
    return int(timezone.now().timestamp())


def _end_portal_session(request: HttpRequest) -> None:
    for key in (SESSION_RESIDENT, SESSION_ACTIVITY, SESSION_PENDING):
        request.session.pop(key, None)
    request.session.cycle_key()


def _pending(request: HttpRequest) -> dict | None:
    pending = request.session.get(SESSION_PENDING)
    if not pending or _now() - pending.get("at", 0) > PENDING_TTL:
        return None
    return pending


def resident_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pass the signed-in, still active resident to the view; otherwise send the visitor to the sign-in page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        public_id = request.session.get(SESSION_RESIDENT)
        if not public_id:
            return redirect("portal:login")
        now = _now()
        last = request.session.get(SESSION_ACTIVITY, 0)
        if now - last > settings.SHEQU_IDLE_TIMEOUT_SECONDS:
            _end_portal_session(request)
            messages.info(request, _("由于长时间未操作，您已自动退出，请重新登录。"))
            return redirect("portal:login")
        resident = selectors.active_resident(public_id)
        if resident is None:  # moved out, died or withdrew consent since signing in
            _end_portal_session(request)
            return redirect("portal:login")
        if now - last > ACTIVITY_WRITE_EVERY:
            request.session[SESSION_ACTIVITY] = now
        return view(request, resident, *args, **kwargs)

    return wrapper


@never_cache
def login(request: HttpRequest) -> HttpResponse:
    """Step 1: the mobile number. Answers alike whether or not the number is registered."""
    if request.session.get(SESSION_RESIDENT):
        return redirect("portal:home")
    form = MobileForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            mobile = services.normalise_mobile(form.cleaned_data["mobile"])
            services.request_code(mobile=mobile, ip=client_ip(request))
        except ValidationError as exc:
            form.add_error("mobile", exc.message_dict["mobile"])
        except RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        else:
            request.session[SESSION_PENDING] = {
                "mobile": services.seal_mobile(mobile),
                "masked": mask_mobile(mobile),
                "at": _now(),
            }
            return redirect("portal:verify")
    context = {"form": form, "pending": _pending(request)}
    return render(request, "portal/login.html", context, status=status)


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the code. On success the session gets a new key and the resident's public id."""
    pending = _pending(request)
    if pending is None:
        return redirect("portal:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.verify_code(
                mobile=services.unseal_mobile(pending["mobile"]),
                code=form.cleaned_data["code"],
                ip=client_ip(request),
            )
        except CodeRejected as exc:
            form.add_error("code", exc.message)
        else:
            request.session.pop(SESSION_PENDING, None)
            request.session.cycle_key()
            request.session[SESSION_RESIDENT] = str(resident.public_id)
            request.session[SESSION_ACTIVITY] = _now()
            return redirect("portal:home")
    return render(request, "portal/verify.html", {"form": form, "masked": pending["masked"]})


@never_cache
@require_POST
def resend(request: HttpRequest) -> HttpResponse:
    """Ask for another code for the number of step 1 (kept in the session)."""
    pending = _pending(request)
    if pending is None:
        return redirect("portal:login")
    try:
        services.request_code(mobile=services.unseal_mobile(pending["mobile"]), ip=client_ip(request))
    except RateLimited as exc:
        messages.error(request, exc.message)
    else:
        pending["at"] = _now()
        request.session[SESSION_PENDING] = pending
        messages.success(request, _("如该号码已在社区登记，新的验证码已发送。"))
    return redirect("portal:verify")


@never_cache
@resident_required
def home(request: HttpRequest, resident: Any) -> HttpResponse:
    """The signed-in resident's own entry: name, masked number, address, household and its members."""
    context = {
        "resident": resident,
        "address": selectors.address_of(resident),
        "members": selectors.household_members(resident),
    }
    return render(request, "portal/home.html", context)


@never_cache
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """End the portal session (a staff login in the same browser, if any, stays)."""
    public_id = request.session.get(SESSION_RESIDENT)
    resident = selectors.active_resident(public_id) if public_id else None
    if resident is not None:  # one who left the register since signing in just loses the session
        services.record_sign_out(actor=ResidentActor(resident))
    _end_portal_session(request)
    messages.success(request, _("您已退出登录。"))
    return redirect("portal:login")


@require_POST
def text_size(request: HttpRequest) -> HttpResponse:
    """Switch the large-text mode for elderly residents (a cookie read by the base template); works without JS."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/portal/"
    response = redirect(target)
    if request.COOKIES.get(LARGE_TEXT_COOKIE) == "1":
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    else:
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


# --- cases: report, my cases, status, rate, withdraw --------------------------------------------------


def _add_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _topic_context(description: str, query: str, chosen: str) -> dict:
    """The topic choices: suggested from the description, then search results or the featured short list."""
    active = topics.active_topics()
    suggested = topics.suggest_topics(description, active)
    found = topics.search_topics(query, active) if query else [t for t in active if t.featured]
    listed = suggested + [t for t in found if t not in suggested]
    if chosen and chosen != topics.OTHER_TOPIC and all(t.code != chosen for t in listed):
        listed += [t for t in active if t.code == chosen]
    return {
        "topics": listed,
        "suggested_codes": [t.code for t in suggested],
        "query": query,
        "chosen": chosen,
        "other_topic": topics.OTHER_TOPIC,
        "searched": bool(query),
    }


def _hold_uploads(request: HttpRequest) -> list[str]:
    """Clean and hold the photos of a failed try (each on its own); the refusals of the bad ones."""
    good, refused = [], []
    for upload in request.FILES.getlist("photos"):
        try:
            good.append(photos.clean_photo(upload))
        except ValidationError as exc:
            refused += exc.message_dict.get("photos", [])
    held_photos.hold(request.session, good)
    return refused


@never_cache
@resident_required
def case_new(request: HttpRequest, resident: Any) -> HttpResponse:
    """Report a problem in one's own words: the description first, then a topic (suggested from the text, a
    short list, a search by name or synonym, or 其他 / 不确定), type, place, up to 9 photos, anonymous.

    Without JavaScript the 查找 button posts the form back with the search (nothing is submitted); with it,
    `report.js` asks `case_topics` while the resident types. A refused submission keeps the text, and the
    photos it carried are held for the session (`held_photos`) and shown again to keep or drop.
    """
    form = ReportForm(request.POST or None)
    photo_errors: list[str] = []
    status = 200
    searching = request.method == "POST" and "search" in request.POST
    if request.method == "POST" and not searching:
        ratelimit.enforce("portal.case_submit.ip", client_ip(request))
        ratelimit.enforce("portal.case_submit", f"resident:{resident.pk}")
        if form.is_valid():
            report = cases.PortalReport(
                category_code=form.cleaned_data["category"],
                topic=form.cleaned_data["topic"],
                case_type=form.cleaned_data["case_type"],
                description=form.cleaned_data["description"],
                building=form.cleaned_data["building"],
                anonymous=form.cleaned_data["anonymous"],
                contact_consent=form.cleaned_data["contact_consent"],
            )
            try:
                case = cases.report_submit(
                    actor=ResidentActor(resident),
                    report=report,
                    uploads=request.FILES.getlist("photos"),
                    held=held_photos.keep_only(request.session, request.POST.getlist("keep_photo")),
                )
            except ValidationError as exc:
                photo_errors = exc.message_dict.pop("photos", [])
                _add_errors(form, exc)
            else:
                held_photos.clear(request.session)
                if case.anonymous:
                    return render(request, "portal/case_submitted.html", {"case": case})
                messages.success(request, _("提交成功，受理编号：%(n)s") % {"n": case.tracking_number})
                return redirect(f"{reverse('portal:case', args=[case.tracking_number])}?submitted=1")
        else:
            held_photos.keep_only(request.session, request.POST.getlist("keep_photo"))
        status = 400
    if request.method == "POST":
        refused = _hold_uploads(request)
        photo_errors = photo_errors or refused
        if searching:  # shown again as typed, without errors: nothing was submitted
            form = ReportForm(initial=request.POST.dict())
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()[:30]
    chosen = form["topic"].value() or ""
    context = {
        "form": form,
        "photo_errors": photo_errors,
        "held": held_photos.held(request.session),
        "home_building": cases.home_building(resident),
        "other_buildings": cases.other_buildings(resident),
        "resident": resident,
        "anonymous_allowed": cases.anonymous_allowed(),
        "max_photos": photos.MAX_PHOTOS,
        **_topic_context(form["description"].value() or "", query, chosen),
    }
    return render(request, "portal/case_new.html", context, status=status)


@never_cache
@require_POST
@resident_required
def case_topics(request: HttpRequest, resident: Any) -> HttpResponse:
    """The topic list of the report form for its description and search (a fragment for `report.js`)."""
    description = request.POST.get("description", "")[:2000]
    query = request.POST.get("q", "").strip()[:30]
    context = _topic_context(description, query, request.POST.get("topic", "")[:40])
    return render(request, "portal/_topics.html", context)


@never_cache
@resident_required
def held_photo(request: HttpRequest, resident: Any, photo_id: str) -> HttpResponse:
    """A photo held from the resident's failed try, to this session only."""
    found = held_photos.content(request.session, photo_id)
    if found is None:
        raise Http404()
    return _private_image(*found)


def _private_image(data: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@resident_required
def case_photo(request: HttpRequest, resident: Any, tracking_number: str, photo_id: str) -> HttpResponse:
    """A photo of one's own case: one's own, or an after-photo staff published (?thumb=1: small)."""
    case = _own_case(resident, tracking_number)
    try:
        photo = cases.photo_for_reporter(case, photo_id)
        data, content_type = photo_services.photo_content(photo, thumbnail=request.GET.get("thumb") == "1")
    except (NotFound, OSError, ValueError):
        raise Http404() from None
    return _private_image(data, content_type)


@never_cache
@resident_required
def case_list(request: HttpRequest, resident: Any) -> HttpResponse:
    """The signed-in resident's own cases, newest first."""
    rows = [(c, cases.status_label(c.status)) for c in cases.cases_of(resident)[:100]]
    return render(request, "portal/case_list.html", {"rows": rows})


def _own_case(resident: Any, tracking_number: str) -> Any:
    try:
        return cases.case_of(resident, tracking_number)
    except NotFound:
        raise Http404() from None


@never_cache
@resident_required
def case_detail(request: HttpRequest, resident: Any, tracking_number: str) -> HttpResponse:
    """Status, timeline (events and times), the official reply, the rating form and the withdraw button."""
    case = _own_case(resident, tracking_number)
    return _render_detail(request, case, RateForm())


def _render_detail(request: HttpRequest, case: Any, rate_form: RateForm, status: int = 200) -> HttpResponse:
    own_photos, after_photos = cases.photos_for_reporter(case)
    context = {
        "case": case,
        "own_photos": own_photos,
        "after_photos": after_photos,
        "expected": cases.expected_answer(case),
        "status_label": cases.status_label(case.status),
        "timeline": cases.timeline_of(case),
        "can_rate": cases.can_rate(case),
        "can_withdraw": cases.can_withdraw(case),
        "rate_form": rate_form,
        "submitted": request.GET.get("submitted") == "1",
    }
    return render(request, "portal/case_detail.html", context, status=status)


@never_cache
@require_POST
@resident_required
def case_rate(request: HttpRequest, resident: Any, tracking_number: str) -> HttpResponse:
    """Rate one's own resolved case (满意/基本满意/不满意, optionally asking for it to be redone)."""
    case = _own_case(resident, tracking_number)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            cases.case_rate(
                actor=ResidentActor(resident),
                case=case,
                satisfaction=form.cleaned_data["satisfaction"],
                reopen=form.cleaned_data["reopen"],
            )
        except (ValidationError, InvalidTransition):
            messages.error(request, _("该诉求当前不能评价。"))
        else:
            messages.success(request, _("感谢您的评价。"))
        return redirect("portal:case", tracking_number=tracking_number)
    return _render_detail(request, case, form, status=400)


@never_cache
@resident_required
def case_withdraw(request: HttpRequest, resident: Any, tracking_number: str) -> HttpResponse:
    """GET asks for confirmation; POST withdraws one's own open case."""
    case = _own_case(resident, tracking_number)
    if request.method == "POST":
        try:
            cases.case_withdraw(actor=ResidentActor(resident), case=case)
        except (ValidationError, InvalidTransition):
            messages.error(request, _("该诉求当前不能撤回。"))
        else:
            messages.success(request, _("已撤回。"))
        return redirect("portal:case", tracking_number=tracking_number)
    if not cases.can_withdraw(case):
        return redirect("portal:case", tracking_number=tracking_number)
    return render(request, "portal/case_withdraw.html", {"case": case})


# --- compound cases: public list and "me too" (附议) ---------------------------------------------------
#
# The list is of the resident's compound (from their registered dwelling); a resident without a registered
# dwelling sees their community's public cases instead. Rows carry no personal data (see cases.public);
# titles are redacted with the public-text redactor (core.redaction).


@never_cache
@resident_required
def compound_cases(request: HttpRequest, resident: Any) -> HttpResponse:
    """小区诉求: public cases of the resident's compound, each with a support button (not on one's own)."""
    rows = public.public_cases_for(resident, redact=redact)
    own = public.own_tracking_numbers(resident, [r["tracking_number"] for r in rows])
    for row in rows:
        row["own"] = row["tracking_number"] in own
    context = {"rows": rows, "compound": public.compound_of(resident), "community": resident.community}
    return render(request, "portal/compound_cases.html", context)


@never_cache
@require_POST
@resident_required
def case_support(request: HttpRequest, resident: Any, tracking_number: str) -> HttpResponse:
    """我也反映（附议）: support a public case of one's compound; a second click changes nothing."""
    try:
        public.support_case(actor=ResidentActor(resident), case=public.public_case(tracking_number))
    except NotFound:
        raise Http404() from None
    except PermissionDenied as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("已附议，感谢您的反映。"))
    return redirect("portal:compound_cases")


# --- compound map -----------------------------------------------------------------------------------------
#
# The same public cases as the compound list, as approximate markers over the compound's own geometry (no
# tile server on the intranet); the list under the map carries the same items for screen readers and for
# phones without JavaScript. Photos appear only once staff have made them public.


def _compound_map_data(request: HttpRequest, resident: Any) -> dict:
    def photo_url(tracking_number: str, photo_id: str) -> str:
        return reverse("portal:compound_photo", args=[tracking_number, photo_id])

    return public_map.compound_map(resident, redact=redact, photo_url=photo_url)


@never_cache
@resident_required
def compound_map(request: HttpRequest, resident: Any) -> HttpResponse:
    """小区地图: the compound's public cases on a map of its buildings, with the list below."""
    data = _compound_map_data(request, resident)
    items = [f["properties"] for f in data["features"] if f["properties"]["kind"] == "case"]
    located = sum(1 for f in data["features"] if f["properties"]["kind"] == "case" and f["geometry"])
    context = {"name": data["name"], "cases": items, "located": located}
    return render(request, "portal/compound_map.html", context)


@never_cache
@resident_required
def compound_map_data(request: HttpRequest, resident: Any) -> HttpResponse:
    """The map's GeoJSON: boundaries, buildings and public cases of the resident's compound, no personal data."""
    response = JsonResponse(_compound_map_data(request, resident), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@resident_required
def compound_photo(request: HttpRequest, resident: Any, tracking_number: str, photo_id: str) -> HttpResponse:
    """A public photo of a public case of the resident's compound (?thumb=1: small); 404 for anything else."""
    try:
        photo = public_map.public_photo_for(resident, tracking_number, photo_id)
        data, content_type = photo_services.photo_content(photo, thumbnail=request.GET.get("thumb") == "1")
    except (NotFound, OSError, ValueError):
        raise Http404() from None
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
