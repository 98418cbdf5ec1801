"""A compound with owners for vote tests: make_world() plus five more dwellings in 锦苑小区 and their owners.

Owners of compound1 (c1) on the register:

- 张三丰 (zsf): d1 1栋1单元1-301 (89.50) and d4 1栋1单元1-401 (100) — one buyer of two dwellings, ONE owner
- 李四 (lisi): d2 2栋1单元1-502 (120)
- 李四 and 赵六 (zhao): d5 2栋1单元1-602 (95) — co-owners: another owner than 李四 alone
- the developer: d6 1栋1单元1-501 (80) and d7 1栋1单元1-601 (110) — unsold stock, ONE owner
- nobody on record: d8 1栋1单元1-701 (70) — counts as an owner nobody can cast online

Five owners, 664.50 ㎡. 王五 (wang) lives in c2 and owns nothing here; 小明 (child) lives in d1 and owns nothing.
Staff: cw1 and cw2 (community workers of c1), street1 (street officer of s1), cw_c2 (community worker of c2).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from shequ.accounts.tests.factories import staff
from shequ.registry.models import Ownership
from shequ.registry.tests.factories import make_resident, make_world
from shequ.territory.models import BuildingUnit, Dwelling
from shequ.votes import services

SINCE = dt.date(2020, 1, 1)
CLOSES = dt.datetime(2026, 3, 30, 18, 0, tzinfo=dt.UTC)  # two weeks after the frozen clock (2026-03-16)


def _dwelling(unit: Any, number: str, floor: int, area: str) -> Dwelling:
    return Dwelling.objects.create(
        unit=unit, building=unit.building, floor=floor, number=number, floor_area=Decimal(area)
    )


def _own(dwelling: Any, resident: Any = None, *, kind: str = "person", share: str = "1") -> None:
    Ownership.objects.create(
        dwelling=dwelling,
        owner_kind=kind,
        resident=resident,
        organisation_name="" if kind == "person" else "锦苑置业有限公司",
        share=Decimal(share),
        registered_area=dwelling.floor_area * Decimal(share),
        valid_from=SINCE,
    )


def vote_world() -> dict[str, Any]:
    w = make_world()
    unit1 = BuildingUnit.objects.get(building=w["b1"], number=1)
    unit2 = BuildingUnit.objects.get(building=w["b2"], number=1)
    w["d4"] = _dwelling(unit1, "1-401", 4, "100")
    w["d5"] = _dwelling(unit2, "1-602", 6, "95")
    w["d6"] = _dwelling(unit1, "1-501", 5, "80")
    w["d7"] = _dwelling(unit1, "1-601", 6, "110")
    w["d8"] = _dwelling(unit1, "1-701", 7, "70")
    w["zhao"] = make_resident(w["c1"], w["d5"], name="赵六", moved_in_on="2021-01-01")
    _own(w["d1"], w["zsf"])
    _own(w["d4"], w["zsf"])
    _own(w["d2"], w["lisi"])
    _own(w["d5"], w["lisi"], share="0.5")
    _own(w["d5"], w["zhao"], share="0.5")
    _own(w["d6"], kind="developer")
    _own(w["d7"], kind="developer")
    w["cw1"] = w["registrar1"]
    w["cw2"] = staff("community_worker", w["c1"], display_name="复核员")
    w["street1"] = staff("street_officer", w["s1"])
    w["cw_c2"] = w["registrar2"]
    return w


def items() -> list[services.ItemInput]:
    return [
        services.ItemInput(kind="ordinary", title="选聘新的物业服务企业", text="续聘蜀信物业，合同三年"),
        services.ItemInput(kind="special", title="使用专项维修资金更换电梯", text="1栋电梯更换，预算80万元"),
        services.ItemInput(kind="election", title="选举业主委员会委员", seats=2, candidates=["王芳", "刘强", "陈静"]),
    ]


def draft(
    w: dict[str, Any], *, verifiable: bool = True, extra: list | None = None, closes_at: dt.datetime = CLOSES
) -> Any:
    return services.vote_create(
        actor=w["cw1"],
        compound=w["compound1"],
        title="锦苑小区2026年业主大会",
        description="书面征求意见",
        closes_at=closes_at,
        items=items() + (extra or []),
        verifiable=verifiable,
    )


def opened(w: dict[str, Any], **kw: Any) -> Any:
    return services.vote_open(actor=w["cw1"], vote=draft(w, **kw))


def scan(name: str = "ballot.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")


def owner_of(vote: Any, label: str) -> Any:
    from shequ.votes import selectors

    return selectors.owner_by_dwelling(vote, label)
