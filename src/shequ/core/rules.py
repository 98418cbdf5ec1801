"""Permission rules owned by the core: reading and verifying the audit log (auditor only, 三员分立)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from .permissions import ALLOW, Decision, deny, register
from .scoping import scope_of


@register("core.view_audit", "查询审计日志、校验审计链（审计管理员）")
def can_view_audit(actor: Any, obj: Any) -> Decision:
    return ALLOW if scope_of(actor).has_role("auditor") else deny(_("只有审计管理员可以查看审计日志"))


@register("core.admin_site", "使用系统管理后台（系统管理员）")
def can_use_admin_site(actor: Any, obj: Any) -> Decision:
    return ALLOW if scope_of(actor).has_role("system_admin") else deny(_("只有系统管理员可以使用管理后台"))
