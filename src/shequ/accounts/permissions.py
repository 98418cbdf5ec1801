"""Permission rules for account management (security admin, 等保 三员分立)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.actors import DEMO_LOADER, Kind
from shequ.core.permissions import ALLOW, Decision, deny, register
from shequ.core.scoping import scope_of

from .domain import Role


def _is_security_admin(actor: Any) -> bool:
    return scope_of(actor).has_role(Role.SECURITY_ADMIN)


@register("accounts.view_users", "查看账号列表（安全管理员）")
def can_view_users(actor: Any, obj: Any) -> Decision:
    return ALLOW if _is_security_admin(actor) else deny(_("只有安全管理员可以管理账号"))


@register("accounts.manage_user", "创建、停用、解锁账号，重置密码和双因素认证（安全管理员）")
def can_manage_user(actor: Any, obj: Any) -> Decision:
    if not _is_security_admin(actor):
        return deny(_("只有安全管理员可以管理账号"))
    if obj is not None and getattr(obj, "pk", None) == actor.pk:
        return deny(_("不能管理自己的账号，请由另一位安全管理员操作"))
    if obj is not None and not _user_in_admin_scope(actor, obj):
        return deny(_("该账号不在您的管理范围内"))
    return ALLOW


def _user_in_admin_scope(actor: Any, user: Any) -> bool:
    """A user is managed by a security admin whose subtree holds one of their assignments (or who has none)."""
    paths = list(user.assignments.values_list("area__path", flat=True))
    if not paths:
        paths = [user.home_area.path] if user.home_area_id else []
    scope = scope_of(actor)
    return any(scope.covers(p, roles=[Role.SECURITY_ADMIN]) for p in paths)


@register("accounts.assign_role", "在本辖区内为账号分配或收回角色（安全管理员）")
def can_assign_role(actor: Any, area: Any) -> Decision:
    if not _is_security_admin(actor):
        return deny(_("只有安全管理员可以分配角色"))
    if area is not None and not scope_of(actor).covers(area.path, roles=[Role.SECURITY_ADMIN]):
        return deny(_("该区域不在您的管理范围内"))
    return ALLOW


@register("accounts.manage_own_security", "修改本人密码、设置本人双因素认证，管理本人的登录会话和 API 令牌")
def can_manage_own_security(actor: Any, obj: Any) -> Decision:
    return ALLOW if obj is None or getattr(obj, "pk", None) == actor.pk else deny()


@register(
    "accounts.install_known_totp",
    "为演示账号设置已知的双因素认证密钥（仅限演示数据）",
    actors={Kind.SYSTEM},
)
def can_install_known_totp(actor: Any, obj: Any) -> Decision:
    # A secret someone else knows defeats the second factor: only demo accounts get one.
    return ALLOW if actor == DEMO_LOADER else deny(_("只有演示数据可以设置已知的双因素认证密钥"))


# The roles that use the API: system admins connect other systems; district and department officers feed them.
# Community, grid and micro-grid staff work in the browser and on the phone pages, never through the API.
API_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.DISTRICT_OFFICER, Role.DEPARTMENT_OFFICER})


@register("accounts.view_api_docs", "查看 API 文档和接口描述（系统管理员；已申领过 API 令牌的区级、职能部门工作人员）")
def can_view_api_docs(actor: Any, obj: Any) -> Decision:
    # A system admin always; a district or department officer once an API token was issued to the account
    # (expired ones count, so the docs stay readable between two 12-hour tokens). Nobody else needs the map of
    # every endpoint, even with a token.
    scope = scope_of(actor)
    if scope.has_role(Role.SYSTEM_ADMIN):
        return ALLOW
    if scope.has_role(*API_ROLES) and actor.api_tokens.exists():
        return ALLOW
    return deny(_("API 文档仅供使用 API 的工作人员查看"))
