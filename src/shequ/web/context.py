"""Workbench context: the left menu by role and the scope indicator, on every page.

Grid and micro-grid workers find their phone work page (网格工作台) in the menu; API 文档 is listed only for the
roles that use the API (`accounts.view_api_docs`).
"""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.accounts.domain import role_label
from shequ.core.permissions import can
from shequ.notifications.selectors import unread_count
from shequ.territory.selectors import area_names_by_path

from .views import has_phone_page, works_on_phone


def _menu(request: HttpRequest) -> list[dict]:
    user = request.user
    grid = {"label": _("网格工作台"), "url": reverse("cases:grid_home"), "key": "grid"}
    if works_on_phone(user):  # their home is the phone work page
        items = [grid]
    else:
        items = [{"label": _("工作台首页"), "url": reverse("web:home"), "key": "home"}]
        if has_phone_page(user):
            items.append(grid)
    if can(user, "territory.view"):
        items.append({"label": _("辖区浏览"), "url": reverse("territory:browser"), "key": "territory"})
    if can(user, "registry.view"):
        items.append({"label": _("居民信息"), "url": reverse("registry:resident_list"), "key": "registry"})
    if can(user, "cases.view"):
        items.append({"label": _("诉求办理"), "url": reverse("cases:case_queue"), "key": "cases"})
        items.append({"label": _("矛盾纠纷调解"), "url": reverse("disputes:dispute_list"), "key": "disputes"})
    if can(user, "notices.view"):
        items.append({"label": _("公示公告"), "url": reverse("notices:notice_list"), "key": "notices"})
    if can(user, "deliberation.view"):
        items.append({"label": _("议事协商"), "url": reverse("deliberation:proposal_list"), "key": "deliberation"})
    if can(user, "votes.view"):
        items.append({"label": _("业主表决"), "url": reverse("votes:vote_list"), "key": "votes"})
    if can(user, "party.view"):
        items.append({"label": _("党建"), "url": reverse("party:home"), "key": "party"})
    if can(user, "coordination.view"):
        items.append({"label": _("一核多元"), "url": reverse("coordination:index"), "key": "coordination"})
    if can(user, "volunteers.view") or can(user, "volunteers.organise"):
        items.append({"label": _("志愿服务"), "url": reverse("volunteers:home"), "key": "volunteers"})
    if can(user, "registry.import"):
        items.append({"label": _("居民信息导入"), "url": reverse("registry:import_list"), "key": "registry_import"})
    if can(user, "accounts.view_users"):
        items.append({"label": _("账号管理"), "url": reverse("accounts:user_list"), "key": "accounts"})
    if can(user, "core.view_audit"):
        items.append({"label": _("审计日志"), "url": reverse("core:audit_list"), "key": "audit"})
        items.append({"label": _("审计链校验"), "url": reverse("core:audit_verify"), "key": "audit_verify"})
    if can(user, "core.admin_site"):
        items.append({"label": _("系统管理后台"), "url": reverse("admin:index"), "key": "admin"})
    if can(user, "notifications.view_deliveries"):
        items.append({"label": _("通知发送监控"), "url": reverse("notifications:deliveries"), "key": "deliveries"})
    unread = unread_count(user)
    label = _("消息通知（%(n)d 条未读）") % {"n": unread} if unread else _("消息通知")
    items.append({"label": label, "url": reverse("notifications:inbox"), "key": "notifications"})
    items.append({"label": _("账号安全"), "url": reverse("accounts:security"), "key": "security"})
    if can(user, "accounts.view_api_docs"):
        items.append({"label": _("API 文档"), "url": reverse("api-docs"), "key": "api"})
    return items


def workbench(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = user.get_scope()
    names = area_names_by_path([g.area_path for g in scope.grants])
    labels = [{"role": role_label(g.role), "area": names.get(g.area_path, "")} for g in scope.grants]
    return {"menu": _menu(request), "scope_labels": labels}
