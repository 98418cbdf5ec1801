"""The demo's units outside the territory tree: three district departments, and a property company, an owners'
committee and a social work station in the first community. The department and organisation accounts of the
accounts step are attached to their unit. The case work that involves the units is the cases step's.
"""

from shequ.accounts.models import RoleAssignment
from shequ.core.demo import DemoContext
from shequ.organisations.models import Unit
from shequ.territory.demo import first_community

DEPARTMENTS = [
    ("department", "武侯区住房和城乡建设局"),
    ("department", "武侯区城市管理局"),
    ("department", "武侯区市场监督管理局"),
]


def build_units(*, district, community) -> dict[str, Unit]:
    """District departments plus the property company, owners' committee and social work station of `community`."""
    units = {name: Unit.objects.create(kind=kind, name=name, area=district) for kind, name in DEPARTMENTS}
    for kind, name in (
        ("property_company", "蜀信物业服务有限公司"),
        ("owners_committee", f"{community.name}锦绣苑业主委员会"),
        ("social_org", f"{community.name}社会工作服务站"),
    ):
        units[name] = Unit.objects.create(kind=kind, name=name, area=community)
    return units


def attach(username_unit: dict[str, str], units: dict[str, Unit]) -> None:
    """Give the demo's department and organisation accounts their unit."""
    for username, unit_name in username_unit.items():
        RoleAssignment.objects.filter(user__username=username).update(unit=units[unit_name])


def seed(ctx: DemoContext) -> None:
    """Create the units and attach their accounts. Makes "organisations.units" (unit name -> unit)."""
    units = build_units(district=ctx.get("territory.district"), community=first_community(ctx))
    attach(ctx.get("accounts.unit_accounts"), units)
    ctx.put("organisations.units", units)
