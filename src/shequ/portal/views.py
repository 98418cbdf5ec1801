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
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shequ.core.errors import ValidationError
from shequ.core.masking import mask_mobile
from shequ.core.middleware import client_ip

from . import selectors, services
from .forms import CodeForm, MobileForm
from .services import CodeRejected, RateLimited

SESSION_RESIDENT = "portal_resident"
SESSION_ACTIVITY = "portal_last_activity"
SESSION_PENDING = "portal_pending"
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
    if public_id:
        services.record_sign_out(resident_public_id=public_id)
    _end_portal_session(request)
    messages.success(request, _("您已退出登录。"))
    return redirect("portal:login")
