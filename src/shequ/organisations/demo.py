"""The demo's units outside the territory tree: three district departments, a social work station in the first
community, and a property company and an owners' committee of its first compound. The department and organisation
accounts of the accounts step are attached to their unit. The case work that involves the units is the cases step's.
"""

from shequ.accounts.models import RoleAssignment
from shequ.core.demo import DemoContext
from shequ.organisations.models import Unit
from shequ.territory.demo import first_community
from shequ.territory.models import Compound

DEPARTMENTS = [
    ("department", "武侯区住房和城乡建设局"),
    ("department", "武侯区城市管理局"),
    ("department", "武侯区市场监督管理局"),
]


def build_units(*, district, community) -> dict[str, Unit]:
    """District departments, the social work station of `community`, and the property company and owners'
    committee of its first compound (they serve that compound only)."""
    units = {name: Unit.objects.create(kind=kind, name=name, area=district) for kind, name in DEPARTMENTS}
    compound = Compound.objects.filter(community=community).order_by("code").first()
    for kind, name, place in (
        ("property_company", "蜀信物业服务有限公司", compound),
        ("owners_committee", f"{compound.name if compound else community.name}业主委员会", compound),
        ("social_org", f"{community.name}社会工作服务站", None),
    ):
        units[name] = Unit.objects.create(kind=kind, name=name, area=community, compound=place)
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
