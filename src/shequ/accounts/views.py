"""Login (password, then TOTP), password change, second-factor enrolment, and account management."""

import io
import time

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core import ratelimit
from shequ.core.errors import NotFound, PermissionDenied
from shequ.core.middleware import client_ip
from shequ.core.permissions import can
from shequ.territory.selectors import area_by_code

from . import forms, selectors, services
from .domain import ROLE_SPECS, STAFF_ROLES
from .services import AuthOutcome

PENDING_KEY = "accounts:pending_user"
PENDING_TTL = 300


def _safe_next(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
        return nxt
    return reverse("web:home")


def _finish_login(request: HttpRequest, user) -> HttpResponse:
    nxt = _safe_next(request)
    login(request, user, backend="shequ.accounts.backends.LockoutModelBackend")
    request.session["last_activity"] = int(time.time())
    services.session_register(
        actor=user,
        session_key=request.session.session_key or "",
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    if user.must_change_password:
        return redirect("accounts:password_change")
    return redirect(nxt)


def login_view(request: HttpRequest) -> HttpResponse:
    form = forms.LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ratelimit.enforce("login.ip", client_ip(request))
        username = form.cleaned_data["username"].strip()
        ratelimit.enforce("login.account", username, label=username)
        result = services.authenticate_credentials(
            username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if result.outcome is AuthOutcome.OK:
            return _finish_login(request, result.user)
        if result.outcome in (AuthOutcome.OTP_REQUIRED, AuthOutcome.ENROL_REQUIRED):
            request.session.cycle_key()
            request.session[PENDING_KEY] = {
                "id": result.user.pk,
                "at": int(time.time()),
                "next": _safe_next(request),
            }
            return redirect("accounts:login_otp" if result.outcome is AuthOutcome.OTP_REQUIRED else "accounts:enrol")
        form.add_error(None, result.message)
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


def _pending_user_id(request: HttpRequest) -> int | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or int(time.time()) - pending["at"] > PENDING_TTL:
        return None
    return pending["id"]


def login_otp(request: HttpRequest) -> HttpResponse:
    user_id = _pending_user_id(request)
    if user_id is None:
        messages.info(request, _("请重新输入用户名和密码"))
        return redirect("accounts:login")
    form = forms.OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.verify_second_factor(user_id=user_id, otp=form.cleaned_data["otp"])
        if result.outcome is AuthOutcome.OK:
            nxt = request.session.pop(PENDING_KEY, {}).get("next")
            response = _finish_login(request, result.user)
            return redirect(nxt) if nxt and not result.user.must_change_password else response
        if result.outcome is AuthOutcome.LOCKED:
            request.session.pop(PENDING_KEY, None)
        form.add_error(None, result.message)
    return render(request, "accounts/login_otp.html", {"form": form})


def _qr_svg(uri: str) -> str:
    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = io.BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode()
    return svg[svg.index("<svg") :] if "<svg" in svg else svg


def enrol(request: HttpRequest) -> HttpResponse:
    """Set up TOTP: during login (required roles) or from the security page (voluntary)."""
    if request.user.is_authenticated:
        user = request.user
    else:
        user_id = _pending_user_id(request)
        if user_id is None:
            return redirect("accounts:login")
        user = selectors.get_active_user(user_id)
        if user is None:
            return redirect("accounts:login")
    if request.method == "POST":
        form = forms.OtpForm(request.POST)
        if form.is_valid() and services.totp_confirm_enrolment(actor=user, code=form.cleaned_data["otp"]):
            messages.success(request, _("双因素认证已启用"))
            if request.user.is_authenticated:
                return redirect("accounts:security")
            nxt = request.session.pop(PENDING_KEY, {}).get("next")
            response = _finish_login(request, user)
            return redirect(nxt) if nxt and not user.must_change_password else response
        form.add_error(None, _("验证码不正确，请确认手机时间准确后重试"))
        uri = request.session.get("accounts:enrol_uri", "")
    else:
        form = forms.OtpForm()
        uri = services.totp_begin_enrolment(actor=user)
        request.session["accounts:enrol_uri"] = uri
    secret = services.totp_pending_secret_of(user)
    return render(
        request,
        "accounts/enrol.html",
        {"form": form, "qr_svg": _qr_svg(uri) if uri else "", "secret": secret},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("您已安全退出"))
    return redirect("accounts:login")


@require_POST
@login_required
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the account (this one too) and revoke its API tokens."""
    user = request.user
    sessions, tokens = services.sessions_end_everywhere(actor=user, user=user)
    logout(request)
    messages.info(
        request, _("已在所有设备上退出：结束会话 %(s)d 个，吊销 API 令牌 %(t)d 个") % {"s": sessions, "t": tokens}
    )
    return redirect("accounts:login")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for e in errors:
                    form.add_error(field if field in form.fields else None, e)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改"))
            return redirect("web:home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def security(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/security.html",
        {
            "required": services.second_factor_required(request.user) and not request.user.totp_enabled,
            "sessions": selectors.sessions_of(request.user)[:20],
        },
    )


# --- account management (security admin) ----------------------------------------------------------


def _deny_to_404(fn):
    def wrapper(request, *args, **kwargs):
        try:
            return fn(request, *args, **kwargs)
        except (NotFound, PermissionDenied) as exc:
            raise Http404() from exc

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return login_required(wrapper)


@_deny_to_404
def user_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    role = request.GET.get("role", "")
    active = {"1": True, "0": False}.get(request.GET.get("active", ""))
    users = selectors.users_for(request.user, search=q, role=role, active=active).prefetch_related("assignments__area")
    page = Paginator(users, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "q": q,
            "role": role,
            "active": request.GET.get("active", ""),
            "roles": [(r.value, ROLE_SPECS[r].label) for r in STAFF_ROLES],
        },
    )


@_deny_to_404
def user_create(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "accounts.view_users"):
        raise Http404()
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        area = area_by_code(form.cleaned_data["area_code"])
        if area is None or not can(request.user, "accounts.assign_role", area):
            form.add_error("area_code", _("辖区代码不存在或不在您的管理范围内"))
        else:
            try:
                user, temp = services.user_create(
                    actor=request.user,
                    username=form.cleaned_data["username"],
                    display_name=form.cleaned_data["display_name"],
                    unit_name=form.cleaned_data["unit_name"],
                    role=form.cleaned_data["role"],
                    area=area,
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                return render(request, "accounts/temp_password.html", {"account": user, "temp": temp})
    return render(request, "accounts/user_create.html", {"form": form})


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        for e in exc.messages:
            form.add_error(None, e)


@_deny_to_404
def user_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    account = selectors.get_user_for(request.user, public_id)
    assignment_form = forms.AssignmentForm(request.POST if request.POST.get("op") == "assign" else None)
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "assign" and assignment_form.is_valid():
                area = area_by_code(assignment_form.cleaned_data["area_code"])
                unit_name = assignment_form.cleaned_data["unit_name"].strip()
                unit = selectors.unit_named(area, unit_name) if area is not None and unit_name else None
                if area is None or not can(request.user, "accounts.assign_role", area):
                    assignment_form.add_error("area_code", _("辖区代码不存在或不在您的管理范围内"))
                elif unit_name and unit is None:
                    assignment_form.add_error("unit_name", _("该辖区没有登记这个单位"))
                else:
                    services.assignment_add(
                        actor=request.user,
                        user=account,
                        role=assignment_form.cleaned_data["role"],
                        area=area,
                        unit=unit,
                    )
                    messages.success(request, _("角色已分配"))
                    return redirect("accounts:user_detail", public_id=account.public_id)
            elif op == "unassign":
                assignment = selectors.assignments_of(account).filter(public_id=request.POST.get("assignment")).first()
                if assignment is None:
                    raise NotFound()
                services.assignment_remove(actor=request.user, assignment=assignment)
                messages.success(request, _("角色已收回"))
                return redirect("accounts:user_detail", public_id=account.public_id)
            elif op == "unlock":
                services.user_unlock(actor=request.user, user=account)
                messages.success(request, _("账号已解锁"))
                return redirect("accounts:user_detail", public_id=account.public_id)
            elif op == "reset_totp":
                services.totp_reset(actor=request.user, user=account)
                messages.success(request, _("双因素认证已重置，该用户下次登录时重新设置"))
                return redirect("accounts:user_detail", public_id=account.public_id)
            elif op == "reset_password":
                temp = services.password_reset(actor=request.user, user=account)
                return render(request, "accounts/temp_password.html", {"account": account, "temp": temp})
            elif op == "reactivate":
                services.user_reactivate(actor=request.user, user=account)
                messages.success(request, _("账号已重新启用，用户须修改密码后使用"))
                return redirect("accounts:user_detail", public_id=account.public_id)
        except ValidationError as exc:
            _errors_to_form(assignment_form, exc)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "assignments": selectors.assignments_of(account),
            "sessions": selectors.sessions_of(account),
            "tokens": selectors.tokens_of(account),
            "assignment_form": assignment_form,
            "deactivate_form": forms.ReasonForm(),
            "handover_form": forms.HandoverForm(),
            "is_self": account.pk == request.user.pk,
        },
    )


@_deny_to_404
def user_deactivate(request: HttpRequest, public_id: str) -> HttpResponse:
    account = selectors.get_user_for(request.user, public_id)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sessions, tokens = services.user_deactivate(
                actor=request.user, user=account, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request, _("账号已停用，结束会话 %(s)d 个，吊销令牌 %(t)d 个") % {"s": sessions, "t": tokens}
            )
            return redirect("accounts:user_detail", public_id=account.public_id)
    return render(request, "accounts/confirm_deactivate.html", {"account": account, "form": form})


@_deny_to_404
def user_handover(request: HttpRequest, public_id: str) -> HttpResponse:
    account = selectors.get_user_for(request.user, public_id)
    form = forms.HandoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        successor = selectors.users_for(request.user).filter(username=form.cleaned_data["to_username"]).first()
        if successor is None:
            form.add_error("to_username", _("接替人账号不存在或不在您的管理范围内"))
        else:
            try:
                counts = services.staff_handover(
                    actor=request.user,
                    from_user=account,
                    to_user=successor,
                    deactivate=form.cleaned_data["deactivate"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, exc.message or _("部分角色不在您的管理范围内，无法交接"))
            else:
                messages.success(
                    request, _("交接完成：移交角色 %(n)d 项") % {"n": counts.get("accounts.assignments", 0)}
                )
                return redirect("accounts:user_detail", public_id=successor.public_id)
    return render(
        request,
        "accounts/confirm_handover.html",
        {"account": account, "form": form, "assignments": selectors.assignments_of(account)},
    )
