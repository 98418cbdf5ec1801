"""Permission rules for territory data: visibility by subtree, maintenance by system admins."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.actors import COMMAND_LINE, DEMO_LOADER, Kind, kind_of
from shequ.core.permissions import ALLOW, Decision, deny, register
from shequ.core.scoping import scope_of


@register("territory.view", "查看本辖区的区域、小区、楼栋和房屋")
def can_view_territory(actor: Any, obj: Any) -> Decision:
    scope = scope_of(actor)
    if not scope.paths():
        return deny(_("您的角色不能浏览辖区数据"))
    return ALLOW


@register(
    "territory.maintain",
    "维护辖区结构：导入区划、网格边界，调整楼栋所属微网格（系统管理员）",
    actors={Kind.STAFF, Kind.SYSTEM},
)
def can_maintain_territory(actor: Any, area: Any) -> Decision:
    if kind_of(actor) is Kind.SYSTEM:
        # The import commands and the demo loader, run by whoever operates the server; no other job.
        return ALLOW if actor in (COMMAND_LINE, DEMO_LOADER) else deny(_("该系统任务不能维护辖区结构"))
    scope = scope_of(actor)
    if not scope.has_role("system_admin"):
        return deny(_("只有系统管理员可以维护辖区结构"))
    if area is not None and not scope.covers(area.path, roles=["system_admin"]):
        return deny(_("该区域不在您的管理范围内"))
    return ALLOW
