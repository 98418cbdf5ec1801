"""Session policy: idle timeout and forced password change at first login (DESIGN R12)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

EXEMPT_PREFIXES = ("/static/", "/healthz", "/readyz", "/i18n/", "/accounts/logout", "/accounts/password")


class SecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session") and request.session.session_key:
            now = int(time.time())
            last = request.session.get("last_activity", now)
            if now - last > settings.SHEQU_IDLE_TIMEOUT_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("长时间未操作，会话已过期，请重新登录")}, status=401)
                messages.info(request, _("由于长时间未操作，您已自动退出，请重新登录。"))
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            if now - last > 30 or "last_activity" not in request.session:
                request.session["last_activity"] = now
            if user.must_change_password and not request.path.startswith(EXEMPT_PREFIXES):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("首次登录须先修改密码")}, status=403)
                return redirect("accounts:password_change")
        return self.get_response(request)
