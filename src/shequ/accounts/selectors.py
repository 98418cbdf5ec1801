"""Reads of accounts, scoped to the actor."""

from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet

from shequ.core.lookup import get_by_public_id
from shequ.core.permissions import require
from shequ.core.scoping import Grant, Scope, scope_of

from .domain import TERRITORIAL_ROLES, Role
from .models import ApiToken, RoleAssignment, User, UserSession


def build_scope(user: User) -> Scope:
    rows = RoleAssignment.objects.filter(user=user).values_list(
        "role", "area_id", "area__path", "area__level", "unit_id"
    )
    grants = tuple(Grant(role=r, area_id=a, area_path=p, area_level=lv, unit_id=u) for r, a, p, lv, u in rows)
    return Scope(grants=grants, territory_roles=TERRITORIAL_ROLES)


def assignments_of(user: User) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user).select_related("area", "unit").order_by("role", "area__path")


def users_for(actor: Any, *, search: str = "", role: str = "", active: bool | None = None) -> QuerySet[User]:
    """Accounts a security admin manages: an assignment in the admin's subtree, or no role and a home area there."""
    require(actor, "accounts.view_users")
    scope = scope_of(actor)
    in_scope = scope.q("assignments__area__path", roles=[Role.SECURITY_ADMIN])
    # An account without roles (e.g. emptied by a handover) stays with the admins of its home area.
    roleless = Q(assignments__isnull=True) & scope.q("home_area__path", roles=[Role.SECURITY_ADMIN])
    qs = User.objects.filter(in_scope | roleless).distinct()
    if search:
        qs = qs.filter(Q(username__icontains=search) | Q(display_name__icontains=search))
    if role:
        qs = qs.filter(assignments__role=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("username")


def get_user_for(actor: Any, public_id: UUID | str) -> User:
    return get_by_public_id(users_for(actor), public_id)


def sessions_of(user: User) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user=user).order_by("-created_at")


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def get_active_user(user_id: int) -> User | None:
    """Internal lookup for a login in progress (the password step already passed)."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def get_user_by_username(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def users_assigned_at(area: Any, roles: Any) -> QuerySet[User]:
    """Active users holding one of `roles` exactly at `area` (the staff of that unit)."""
    return User.objects.filter(is_active=True, assignments__area=area, assignments__role__in=list(roles)).distinct()


def users_with_roles(roles: Any) -> QuerySet[User]:
    """Active users holding one of `roles` anywhere (e.g. the auditors and security admins an alert goes to)."""
    return User.objects.filter(is_active=True, assignments__role__in=list(roles)).distinct()


def users_of_unit(unit: Any) -> QuerySet[User]:
    """Active staff of a unit outside the territory tree (department, property company, organisation)."""
    return User.objects.filter(is_active=True, assignments__unit=unit).distinct()


def unit_named(area: Any, name: str) -> Any:
    """The active unit called `name` at `area`, for a role assignment to name.

    Units live in organisations, which sits above accounts: they are reached through the assignment's foreign key
    rather than imported.
    """
    Unit = RoleAssignment._meta.get_field("unit").related_model
    return Unit.objects.filter(is_active=True, area=area, name=name).first()
