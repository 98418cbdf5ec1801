"""Build the demo: the real 武侯区 (2016 codes) with generated compounds, buildings, grids and staff.

Everything below community level is generated and fictitious (see the data note page). Deterministic:
the same seed gives the same demo.
"""

import math
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from shequ.accounts import services as accounts
from shequ.cases.services import categories_seed
from shequ.core import audit
from shequ.core.actors import DEMO_LOADER
from shequ.core.calendar import seed_official_calendar
from shequ.territory import services as territory
from shequ.territory.divisions import parse_divisions
from shequ.territory.domain import Level
from shequ.territory.geo import convert_geometry

from .demo_cases import build_cases
from .demo_disputes import build_disputes
from .demo_people import build_people
from .demo_units import attach, build_unit_work, build_units

FIXTURE = Path(__file__).resolve().parents[1] / "territory" / "fixtures" / "wuhou_510107_2016.csv"
DISTRICT_CODE = "510107000000"
DEMO_TOTP_SECRET = "SHEQUDEMOTOTPKEYFORADMINSONLYXYZ"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬鹏斌宇浩凯健俊帆帅旭宁"
COMPOUND_WORDS = [
    "锦苑",
    "花园",
    "雅居",
    "新村",
    "华庭",
    "小区",
    "家园",
    "丽都",
    "名城",
    "院落",
    "公寓",
    "嘉园",
]
COMPOUND_PREFIX = [
    "玉林",
    "芳草",
    "桐梓",
    "紫荆",
    "棕北",
    "倪家",
    "科华",
    "双楠",
    "红牌",
    "望江",
    "金花",
    "簇桥",
    "晋阳",
    "武侯",
    "浆洗",
    "火车南",
    "永丰",
    "机投",
    "簇锦",
    "华兴",
    "锦官",
    "川大",
    "蓝天",
    "南站",
]
PROPERTY_COMPANIES = ["蜀信物业", "锦城物业", "天府物业服务有限公司", "", "居民自治管理", "嘉诚物业"]


@dataclass
class DemoAccount:
    username: str
    role: str
    area_code: str


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _offset(lng: float, lat: float, dx_m: float, dy_m: float) -> tuple[float, float]:
    return lng + dx_m / (111_320 * math.cos(math.radians(lat))), lat + dy_m / 110_540


def _rect(lng0: float, lat0: float, lng1: float, lat1: float) -> dict:
    ring = [[lng0, lat0], [lng1, lat0], [lng1, lat1], [lng0, lat1], [lng0, lat0]]
    return {"type": "Polygon", "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}


def _column_outline(boxes: list[tuple[float, float, float, float]]) -> dict:
    """Return the polygon around a column of stacked boxes, through every corner where two of them meet.

    A neighbouring column may be shorter; with those corners as vertices its corner is a shared vertex,
    not a point in the middle of this outline's edge, so both still share exact edges after conversion.
    """
    lng0, lng1 = boxes[0][0], boxes[0][2]
    lats = [box[1] for box in boxes] + [boxes[-1][3]]
    ring = [[lng0, lats[0]]] + [[lng1, lat] for lat in lats] + [[lng0, lat] for lat in reversed(lats)]
    return {"type": "Polygon", "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}


# Communities' micro-grids are laid out as one block each near the community's centre; a block that would
# come closer than BLOCK_GAP_M to an earlier one moves outwards in BLOCK_STEP_M steps until it does not.
BLOCK_GAP_M = 30.0
BLOCK_STEP_M = 110.0


def _block_box(lng: float, lat: float, width_m: float, height_m: float) -> tuple[float, float, float, float]:
    """Return the lng/lat box of a block centred on (lng, lat), grown by half the gap on every side."""
    half_w, half_h = (width_m + BLOCK_GAP_M) / 2, (height_m + BLOCK_GAP_M) / 2
    return (*_offset(lng, lat, -half_w, -half_h), *_offset(lng, lat, half_w, half_h))


def _free_block_centre(
    lng: float, lat: float, width_m: float, height_m: float, taken: list[tuple[float, float, float, float]]
) -> tuple[float, float]:
    """Return the centre nearest (lng, lat) on a BLOCK_STEP_M lattice for a block clear of every taken box.

    The block's box is appended to `taken`. Deterministic: candidates are tried by distance, then position.
    """
    ring = 0
    while True:
        steps = [(i, j) for i in range(-ring, ring + 1) for j in range(-ring, ring + 1) if max(abs(i), abs(j)) == ring]
        for i, j in sorted(steps, key=lambda s: (s[0] ** 2 + s[1] ** 2, s)):
            centre = _offset(lng, lat, i * BLOCK_STEP_M, j * BLOCK_STEP_M)
            box = _block_box(*centre, width_m, height_m)
            if all(box[2] <= t[0] or t[2] <= box[0] or box[3] <= t[1] or t[3] <= box[1] for t in taken):
                taken.append(box)
                return centre
        ring += 1


def build_demo(seed: int = 2026) -> list[DemoAccount]:
    """Load the fixture district and generate its contents; returns the demo staff accounts."""
    from shequ.accounts.models import RoleAssignment, User
    from shequ.territory.models import Area, Building, BuildingUnit, Compound, Dwelling

    rng = random.Random(seed)
    seed_official_calendar()
    territory.divisions_import(actor=DEMO_LOADER, records=list(parse_divisions(FIXTURE)))
    district = Area.objects.get(code=DISTRICT_CODE)
    streets = list(Area.objects.filter(parent=district, level=Level.STREET).order_by("code"))
    communities = list(Area.objects.filter(path__startswith=district.path, level=Level.COMMUNITY).order_by("code"))

    with transaction.atomic():
        micro_by_community: dict[int, list] = {}
        taken_blocks: list[tuple[float, float, float, float]] = []
        for community in communities:
            street = community.parent
            base_lng = community.center_lng or (street.center_lng or district.center_lng or 104.043)
            base_lat = community.center_lat or (street.center_lat or district.center_lat or 30.642)
            if community.center_lng is None:
                base_lng, base_lat = _offset(base_lng, base_lat, rng.uniform(-900, 900), rng.uniform(-900, 900))
            # Compounds and buildings first; micro-grids then pack 30-100 households each.
            compounds, buildings_plan = [], []
            for k in range(rng.randint(2, 3)):
                compounds.append(
                    Compound(
                        community=community,
                        code=f"{community.code}-C{k + 1:02d}",
                        name=f"{rng.choice(COMPOUND_PREFIX)}{rng.choice(COMPOUND_WORDS)}",
                        kind=rng.choice(["commercial", "commercial", "old", "resettlement"]),
                        address=f"{street.name.replace('街道办事处', '').replace('街道', '')}{rng.randint(1, 300)}号",
                        built_year=rng.randint(1985, 2018),
                        property_company=rng.choice(PROPERTY_COMPANIES),
                    )
                )
            Compound.objects.bulk_create(compounds)
            for compound in compounds:
                for b in range(rng.randint(3, 6)):
                    units, floors, per_floor = rng.randint(1, 2), rng.randint(5, 8), rng.randint(2, 3)
                    buildings_plan.append((compound, b + 1, units, floors, per_floor))
            groups: list[list] = [[]]
            total = 0
            for plan in buildings_plan:
                groups[-1].append(plan)
                total += plan[2] * plan[3] * plan[4]
                if total >= 30:
                    groups.append([])
                    total = 0
            if not groups[-1]:
                groups.pop()
            elif len(groups) > 1:
                rest = sum(p[2] * p[3] * p[4] for p in groups[-1])
                prev = sum(p[2] * p[3] * p[4] for p in groups[-2])
                if rest < 30 and rest + prev <= 100:
                    groups[-2].extend(groups.pop())
            n_grids = max(1, math.ceil(len(groups) / 4))
            cell = 220.0  # metres per micro-grid cell
            # Micro-grids never overlap, not even those of neighbouring communities with nearby centres.
            base_lng, base_lat = _free_block_centre(base_lng, base_lat, cell * n_grids, cell * 4, taken_blocks)
            grid_areas, micro_areas = [], []
            for g in range(n_grids):
                code = f"{community.code}-{g + 1:02d}"
                grid_areas.append(
                    Area(
                        parent=community,
                        level=Level.GRID,
                        code=code,
                        name=f"{community.name.replace('社区居委会', '社区')}第{g + 1}网格",
                        path=f"{community.path}{code}/",
                        depth=community.depth + 1,
                        source="demo",
                        responsible_name=_name(rng),
                    )
                )
            Area.objects.bulk_create(grid_areas)
            grid_areas = list(Area.objects.filter(parent=community, level=Level.GRID).order_by("code"))
            for m, group in enumerate(groups):
                grid = grid_areas[m // 4]
                mcode = f"{grid.code}-{m % 4 + 1:02d}"
                x0, y0 = (m // 4) * cell, (m % 4) * cell
                lng0, lat0 = _offset(base_lng, base_lat, x0 - cell * n_grids / 2, y0 - cell * 2)
                lng1, lat1 = _offset(base_lng, base_lat, x0 + cell - cell * n_grids / 2, y0 + cell - cell * 2)
                geometry = _rect(lng0, lat0, lng1, lat1)
                micro_areas.append(
                    (
                        Area(
                            parent=grid,
                            level=Level.MICRO_GRID,
                            code=mcode,
                            name=f"{grid.name}-{m % 4 + 1}号微网格",
                            path=f"{grid.path}{mcode}/",
                            depth=grid.depth + 1,
                            source="demo",
                            geometry=geometry,
                            geometry_crs="gcj02",
                            responsible_name=_name(rng),
                            geometry_wgs84=convert_geometry(geometry, "gcj02", "wgs84"),
                        ),
                        group,
                        (lng0, lat0, lng1, lat1),
                    )
                )
            Area.objects.bulk_create([a for a, _, _ in micro_areas])
            saved = {a.code: a for a in Area.objects.filter(parent__in=grid_areas)}
            for grid in grid_areas:
                grid.geometry = _column_outline([box for a, _, box in micro_areas if a.parent_id == grid.pk])
                grid.geometry_crs = "gcj02"
                grid.geometry_wgs84 = convert_geometry(grid.geometry, "gcj02", "wgs84")
            Area.objects.bulk_update(grid_areas, ["geometry", "geometry_crs", "geometry_wgs84"])
            buildings = []
            for area, group, (lng0, lat0, lng1, lat1) in micro_areas:
                for compound, number, units, floors, per_floor in group:
                    buildings.append(
                        Building(
                            compound=compound,
                            micro_grid=saved[area.code],
                            name=f"{number}栋",
                            number=number,
                            floors=floors,
                            center_lng=round(rng.uniform(lng0, lng1), 7),
                            center_lat=round(rng.uniform(lat0, lat1), 7),
                            center_crs="gcj02",
                        )
                    )
                    buildings[-1]._plan = (units, floors, per_floor)
            plans = [b._plan for b in buildings]
            Building.objects.bulk_create(buildings)
            unit_rows = []
            for b, (units, _floors, _pf) in zip(buildings, plans, strict=True):
                for u in range(units):
                    unit_rows.append(BuildingUnit(building=b, number=u + 1, name=f"{u + 1}单元"))
            BuildingUnit.objects.bulk_create(unit_rows)
            dwellings = []
            plan_by_building = {b.pk: p for b, p in zip(buildings, plans, strict=True)}
            for unit in unit_rows:
                _units, floors, per_floor = plan_by_building[unit.building_id]
                for f in range(1, floors + 1):
                    for d in range(1, per_floor + 1):
                        dwellings.append(
                            Dwelling(
                                unit=unit,
                                building_id=unit.building_id,
                                floor=f,
                                number=f"{unit.number}-{f}{d:02d}",
                                floor_area=Decimal(rng.randint(4500, 14000)) / 100,
                                use="commercial" if f == 1 and d == 1 and rng.random() < 0.1 else "residential",
                            )
                        )
            Dwelling.objects.bulk_create(dwellings, batch_size=2000)
            micro_by_community[community.pk] = [saved[a.code] for a, _, _ in micro_areas]
            for compound in compounds:
                pts = [(b.center_lng, b.center_lat) for b in buildings if b.compound_id == compound.pk]
                if pts:
                    compound.center_lng = round(sum(p[0] for p in pts) / len(pts), 7)
                    compound.center_lat = round(sum(p[1] for p in pts) / len(pts), 7)
            Compound.objects.bulk_update(compounds, ["center_lng", "center_lat"])

        password = settings.SHEQU_DEMO_PASSWORD
        accounts_made: list[DemoAccount] = []

        def staff(username: str, role: str, area: Area, unit: str = "") -> User:
            user = User(username=username, display_name=_name(rng), unit_name=unit, home_area=area)
            user.set_password(password)
            user.save()
            RoleAssignment.objects.create(user=user, role=role, area=area)
            if role in ("auditor", "security_admin", "system_admin"):
                accounts.totp_set_secret(actor=DEMO_LOADER, user=user, secret=DEMO_TOTP_SECRET)
            accounts_made.append(DemoAccount(username, role, area.code))
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
        staff("dept1", "department_officer", district, "武侯区住房和城乡建设局")
        staff("dept2", "department_officer", district, "武侯区城市管理局")
        staff("dept3", "department_officer", district, "武侯区市场监督管理局")
        staff("org1", "org_staff", first_communities[0], "蜀信物业服务有限公司")
        staff("org2", "org_staff", first_communities[0], f"{first_communities[0].name}社会工作服务站")
        units = build_units(district=district, community=first_communities[0])
        attach(
            {
                "dept1": "武侯区住房和城乡建设局",
                "dept2": "武侯区城市管理局",
                "dept3": "武侯区市场监督管理局",
                "org1": "蜀信物业服务有限公司",
                "org2": f"{first_communities[0].name}社会工作服务站",
            },
            units,
        )
        staff("auditor1", "auditor", district, "武侯区社治委")
        staff("secadmin1", "security_admin", district, "武侯区社治委")
        staff("sysadmin1", "system_admin", district, "武侯区社治委")
        staffed = {c.pk for c in first_communities[:3] + [communities[-1]]}
        people = build_people(communities=communities, staffed_ids=staffed, seed=seed)
        categories_seed()
        staffed_list = [c for c in communities if c.pk in staffed]
        workers = {
            a.area_id: a.user
            for a in RoleAssignment.objects.filter(role="community_worker", area_id__in=staffed).select_related("user")
        }
        people["cases"] = build_cases(communities=staffed_list, staff_by_community=workers, seed=seed)
        people["cases"] += build_unit_work(
            community=first_communities[0],
            worker=workers[first_communities[0].pk],
            units=units,
        )
        people["disputes"] = build_disputes(communities=staffed_list, staff_by_community=workers, seed=seed)
        audit.record(
            actor=DEMO_LOADER,
            action="demo.loaded",
            object_type="territory.area",
            object_id=str(district.public_id),
            object_label=district.name,
            after={"accounts": len(accounts_made), "communities": len(communities), **people},
        )
    return accounts_made


def demo_accounts() -> list[tuple[str, str, str, str]]:
    """(username, role, scope_code, scope_name) per staff account, by its first assignment."""
    from shequ.accounts.models import RoleAssignment, User

    rows = []
    for user in User.objects.filter(is_active=True).order_by("username"):
        first = RoleAssignment.objects.filter(user=user).select_related("area").order_by("created_at", "id").first()
        if first is None or first.role == "resident":
            continue
        rows.append((user.username, first.role, first.area.code, first.area.name))
    return rows
