"""Residents for tests, registered through the service (so hashes, masks and history are real)."""

from datetime import date
from decimal import Decimal
from typing import Any

from shequ.accounts.models import User
from shequ.accounts.tests.factories import staff
from shequ.core.validators import resident_id_check_char
from shequ.registry import services
from shequ.registry.models import Resident
from shequ.territory.models import BuildingUnit, Dwelling
from shequ.territory.tests.factories import make_tree


def valid_id(birth: str = "19800101", seq: int = 123, region: str = "510107") -> str:
    """A checksum-valid 18-character resident ID number (fictitious)."""
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def registrar_of(community: Any) -> User:
    """A community worker of `community` (created on first use) to register test residents."""
    found = User.objects.filter(assignments__role="community_worker", assignments__area=community).first()
    return found or staff("community_worker", community)


def make_resident(community: Any, dwelling: Any = None, *, actor: Any = None, **kw: Any) -> Resident:
    """Register a resident of `community` through services.resident_register.

    Keyword arguments are ResidentInput fields (name, id_number, mobile, care_tags, legal_basis, moved_in_on,
    household, relation, ...). Without `id_number` and `id_type` the resident has no document. `actor`
    defaults to a community worker of the community (a system actor string is refused by `require`).
    """
    kw.setdefault("name", "张三丰")
    if "id_type" not in kw:
        kw["id_type"] = "resident_id" if kw.get("id_number") else "none"
    if isinstance(kw.get("moved_in_on"), str):
        kw["moved_in_on"] = date.fromisoformat(kw["moved_in_on"])
    data = services.ResidentInput(community=community, dwelling=dwelling, **kw)
    return services.resident_register(actor=actor or registrar_of(community), data=data)


ZSF_ID = valid_id("19800101", 123)
LISI_ID = valid_id("19900202", 456)
WANG_ID = valid_id("19700303", 789, region="510104")
ZSF_MOBILE, LISI_MOBILE, WANG_MOBILE = "13812345678", "13987654321", "13700001111"


def make_world() -> dict[str, Any]:
    """make_tree() plus a dwelling d2 in building b2 (micro-grid m112), household H001 and four residents.

    - zsf 张三丰: c1, d1 (m111), head of H001, ID ZSF_ID, mobile ZSF_MOBILE, tags 独居老人 + 残疾人 (sensitive)
    - child 小明: c1, d1, member of H001, no document and no mobile
    - lisi 李四: c1, d2 (m112), ID LISI_ID, mobile LISI_MOBILE, 户籍, by consent
    - wang 王五: c2, d3 (m211), ID WANG_ID, mobile WANG_MOBILE
    """
    w = make_tree()
    unit = BuildingUnit.objects.create(building=w["b2"], number=1, name="1单元")
    w["d2"] = Dwelling.objects.create(unit=unit, building=w["b2"], floor=5, number="1-502", floor_area=Decimal("120"))
    w["registrar1"], w["registrar2"] = registrar_of(w["c1"]), registrar_of(w["c2"])
    w["h1"] = services.household_create(actor=w["registrar1"], community=w["c1"], number="H001", dwelling=w["d1"])
    w["zsf"] = make_resident(
        w["c1"],
        w["d1"],
        name="张三丰",
        id_number=ZSF_ID,
        mobile=ZSF_MOBILE,
        household=w["h1"],
        relation="head",
        care_tags=["elderly_alone", "disabled"],
        notes="行动不便",
        moved_in_on="2020-01-01",
    )
    w["child"] = make_resident(
        w["c1"], w["d1"], name="小明", household=w["h1"], relation="grandchild", moved_in_on="2020-01-01"
    )
    w["lisi"] = make_resident(
        w["c1"],
        w["d2"],
        name="李四",
        id_number=LISI_ID,
        mobile=LISI_MOBILE,
        residence_type="registered",
        legal_basis="consent",
        moved_in_on="2021-06-01",
    )
    w["wang"] = make_resident(
        w["c2"], w["d3"], name="王五", id_number=WANG_ID, mobile=WANG_MOBILE, moved_in_on="2019-03-01"
    )
    return w
