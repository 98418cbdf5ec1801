"""Roles and the rules about combining them (DESIGN §2, R12).

- Every staff role is held as an assignment: role × territory node.
- 等保 level 3 (GB/T 22239-2019 §8.1.4.2 三权分立): system admin, security admin and auditor are separate
  roles; no account may hold two of them.
- Those three roles must use a second factor (TOTP); any staff account may switch it on.
- Department officers and organisation staff sit outside the territory tree: their node says where their
  unit is, not what they may browse; they see only objects granted to their unit (cases, later).
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from shequ.territory.domain import Level

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


class Role(StrEnum):
    RESIDENT = "resident"
    MICRO_GRID_WORKER = "micro_grid_worker"
    GRID_WORKER = "grid_worker"
    COMMUNITY_WORKER = "community_worker"
    COMMUNITY_SECRETARY = "community_secretary"
    STREET_OFFICER = "street_officer"
    DISTRICT_OFFICER = "district_officer"
    DEPARTMENT_OFFICER = "department_officer"
    ORG_STAFF = "org_staff"
    PARTY_ORGANISER = "party_organiser"
    AUDITOR = "auditor"
    SECURITY_ADMIN = "security_admin"
    SYSTEM_ADMIN = "system_admin"


@dataclass(frozen=True)
class RoleSpec:
    role: Role
    label: "StrOrPromise"
    levels: tuple[Level, ...]
    territorial: bool
    requires_2fa: bool = False


ALL_LEVELS = tuple(Level)
ROLE_SPECS: dict[Role, RoleSpec] = {
    s.role: s
    for s in [
        RoleSpec(Role.RESIDENT, _("居民"), ALL_LEVELS, territorial=False),
        RoleSpec(Role.MICRO_GRID_WORKER, _("微网格员"), (Level.MICRO_GRID,), territorial=True),
        RoleSpec(Role.GRID_WORKER, _("网格员"), (Level.GRID,), territorial=True),
        RoleSpec(Role.COMMUNITY_WORKER, _("社区工作者"), (Level.COMMUNITY,), territorial=True),
        RoleSpec(Role.COMMUNITY_SECRETARY, _("社区党组织书记"), (Level.COMMUNITY,), territorial=True),
        RoleSpec(Role.STREET_OFFICER, _("街道工作人员"), (Level.STREET,), territorial=True),
        RoleSpec(Role.DISTRICT_OFFICER, _("区社治委工作人员"), (Level.DISTRICT, Level.CITY), territorial=True),
        RoleSpec(
            Role.DEPARTMENT_OFFICER,
            _("职能部门工作人员"),
            (Level.CITY, Level.DISTRICT, Level.STREET),
            territorial=False,
        ),
        RoleSpec(Role.ORG_STAFF, _("组织工作人员"), ALL_LEVELS, territorial=False),
        # Holds a Party organisation's unit: sees that organisation and those below it, their members included.
        RoleSpec(Role.PARTY_ORGANISER, _("党务工作者"), ALL_LEVELS, territorial=False),
        RoleSpec(Role.AUDITOR, _("审计管理员"), (Level.CITY, Level.DISTRICT), territorial=False, requires_2fa=True),
        RoleSpec(
            Role.SECURITY_ADMIN,
            _("安全管理员"),
            (Level.CITY, Level.DISTRICT),
            territorial=False,
            requires_2fa=True,
        ),
        RoleSpec(
            Role.SYSTEM_ADMIN,
            _("系统管理员"),
            (Level.CITY, Level.DISTRICT),
            territorial=True,
            requires_2fa=True,
        ),
    ]
}

STAFF_ROLES = tuple(r for r in Role if r is not Role.RESIDENT)
SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
TERRITORIAL_ROLES = frozenset(r.value for r, s in ROLE_SPECS.items() if s.territorial)


def role_label(role: str) -> str:
    try:
        return str(ROLE_SPECS[Role(role)].label)
    except ValueError:
        return role


def requires_second_factor(roles: set[str] | frozenset[str]) -> bool:
    valid = {x.value for x in Role}
    return any(ROLE_SPECS[Role(r)].requires_2fa for r in roles if r in valid)


def separation_conflict(existing: set[str] | frozenset[str], new_role: str) -> str | None:
    """Return the conflicting admin role if adding `new_role` would combine separated roles."""
    if new_role not in SEPARATED_ADMIN_ROLES:
        return None
    for r in existing:
        if r in SEPARATED_ADMIN_ROLES and r != new_role:
            return r
    return None


def level_allowed(role: str, level: str) -> bool:
    return Level(level) in ROLE_SPECS[Role(role)].levels
