"""Restrict the Django admin to system admins (等保 三员分立) and log in through the workbench."""

from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import can


def install_admin_policy(site: AdminSite) -> None:
    site.site_header = _("社区发展治理平台 · 系统管理")
    site.site_title = _("系统管理")
    site.index_title = _("系统配置")

    def has_permission(request) -> bool:
        return bool(request.user.is_active and can(request.user, "core.admin_site"))

    def login(request, extra_context=None):
        query = urlencode({"next": request.GET.get("next", reverse("admin:index"))}, safe="/")
        return redirect(f"{reverse('accounts:login')}?{query}")

    site.has_permission = has_permission
    site.login = login
