"""The demo's staff: one or more accounts per role and level, all with the demo password.

The three admin roles also get a known second factor (DEMO_TOTP_SECRET), so a developer can sign in with
`shequ demo-otp`. Department and organisation accounts get their unit from the organisations step.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from shequ.accounts import services as accounts
from shequ.accounts.models import RoleAssignment, User
from shequ.core.demo import DemoContext
from shequ.territory.domain import Level
from shequ.territory.models import Area

DEMO_TOTP_SECRET = "SHEQUDEMOTOTPKEYFORADMINSONLYXYZ"
ADMIN_ROLES = ("auditor", "security_admin", "system_admin")
# Accounts that belong to a unit (organisations.Unit), by the unit's name.
UNIT_ACCOUNTS = {
    "dept1": "武侯区住房和城乡建设局",
    "dept2": "武侯区城市管理局",
    "dept3": "武侯区市场监督管理局",
    "org1": "蜀信物业服务有限公司",
}


@dataclass
class DemoAccount:
    username: str
    role: str
    area_code: str


def seed(ctx: DemoContext) -> None:
    """Create the staff accounts and their assignments.

    Makes "accounts.staff" (DemoAccount per account, in creation order), "accounts.staffed_communities" (the
    communities with a secretary and a community worker, in code order) and "accounts.unit_accounts"
    (username -> unit name, for the organisations step).
    """
    district = ctx.get("territory.district")
    streets = ctx.get("territory.streets")
    communities = ctx.get("territory.communities")
    micro_by_community = ctx.get("territory.micro_grids")
    password = settings.SHEQU_DEMO_PASSWORD
    made: list[DemoAccount] = []

    def staff(username: str, role: str, area: Area, unit: str = "") -> User:
        user = User(username=username, display_name=ctx.person_name(), unit_name=unit, home_area=area)
        user.set_password(password)
        user.save()
        RoleAssignment.objects.create(user=user, role=role, area=area)
        if role in ADMIN_ROLES:
            accounts.totp_set_secret(actor=ctx.actor, user=user, secret=DEMO_TOTP_SECRET)
        made.append(DemoAccount(username, role, area.code))
        return user

    first_street = streets[0]
    first_communities = [c for c in communities if c.parent_id == first_street.pk]
    staff("district1", "district_officer", district, "武侯区社治委")
    staff("district2", "district_officer", district, "武侯区社治委")
    for i, street in enumerate(streets[:3], start=1):
        staff(f"street{i}", "street_officer", street, street.name)
    for i, community in enumerate(first_communities[:3] + [communities[-1]], start=1):
        staff(f"secretary{i}", "community_secretary", community, community.name)
        staff(f"community{i}", "community_worker", community, community.name)
    grid_workers = 0
    micro_workers = 0
    for community in first_communities[:2] + [communities[-1]]:
        grids = Area.objects.filter(parent=community, level=Level.GRID).order_by("code")
        for grid in grids[:2]:
            grid_workers += 1
            staff(f"grid{grid_workers}", "grid_worker", grid, community.name)
        for micro in micro_by_community[community.pk][:2]:
            micro_workers += 1
            staff(f"microgrid{micro_workers}", "micro_grid_worker", micro, community.name)
    unit_accounts = {**UNIT_ACCOUNTS, "org2": f"{first_communities[0].name}社会工作服务站"}
    for username in ("dept1", "dept2", "dept3"):
        staff(username, "department_officer", district, unit_accounts[username])
    for username in ("org1", "org2"):
        staff(username, "org_staff", first_communities[0], unit_accounts[username])
    staff("auditor1", "auditor", district, "武侯区社治委")
    staff("secadmin1", "security_admin", district, "武侯区社治委")
    staff("sysadmin1", "system_admin", district, "武侯区社治委")
    staffed = {c.pk for c in first_communities[:3] + [communities[-1]]}
    ctx.put("accounts.staff", made)
    ctx.put("accounts.staffed_communities", [c for c in communities if c.pk in staffed])
    ctx.put("accounts.unit_accounts", unit_accounts)
    ctx.counts["accounts"] = len(made)


def community_workers(ctx: DemoContext) -> dict[int, Any]:
    """The community worker of each staffed community, by community id (queried once, when first asked for)."""
    staffed = [c.pk for c in ctx.get("accounts.staffed_communities")]

    def query() -> dict[int, Any]:
        assignments = RoleAssignment.objects.filter(role="community_worker", area_id__in=staffed).select_related("user")
        return {a.area_id: a.user for a in assignments}

    return ctx.memo("accounts.community_workers", query)


def demo_accounts() -> list[tuple[str, str, str, str]]:
    """(username, role, scope_code, scope_name) per staff account, by its first assignment."""
    rows = []
    for user in User.objects.filter(is_active=True).order_by("username"):
        first = RoleAssignment.objects.filter(user=user).select_related("area").order_by("created_at", "id").first()
        if first is None or first.role == "resident":
            continue
        rows.append((user.username, first.role, first.area.code, first.area.name))
    return rows
