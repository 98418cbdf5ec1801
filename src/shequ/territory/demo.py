"""The demo's territory: the real 武侯区 (2016 codes) with generated compounds, buildings, grids and dwellings.

Everything below community level is generated and fictitious (see the data note page). Each community gets
2-3 compounds of 3-6 buildings; its micro-grids pack 30-100 households each and are laid out as one block,
clear of every other community's block. Bulk inserts: this is a data generator, not a request path.
"""

import math
from decimal import Decimal
from pathlib import Path

from shequ.core.demo import DemoContext
from shequ.territory import services as territory
from shequ.territory.divisions import parse_divisions
from shequ.territory.domain import Level
from shequ.territory.geo import convert_geometry
from shequ.territory.models import Area, Building, BuildingUnit, Compound, Dwelling

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "wuhou_510107_2016.csv"
DISTRICT_CODE = "510107000000"

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


def _fill_community(
    ctx: DemoContext, district: Area, community: Area, taken_blocks: list[tuple[float, float, float, float]]
) -> list[Area]:
    """Generate the compounds, grids, micro-grids, buildings and dwellings of `community`; returns its micro-grids.

    The micro-grids' block is placed clear of every box in `taken_blocks`, and its box is added there.
    """
    rng = ctx.rng
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
                responsible_name=ctx.person_name(),
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
                    responsible_name=ctx.person_name(),
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
    for compound in compounds:
        pts = [(b.center_lng, b.center_lat) for b in buildings if b.compound_id == compound.pk]
        if pts:
            compound.center_lng = round(sum(p[0] for p in pts) / len(pts), 7)
            compound.center_lat = round(sum(p[1] for p in pts) / len(pts), 7)
    Compound.objects.bulk_update(compounds, ["center_lng", "center_lat"])
    return [saved[a.code] for a, _, _ in micro_areas]


def seed(ctx: DemoContext) -> None:
    """Import the district's official divisions, then generate each community's places.

    Makes "territory.district", "territory.streets" and "territory.communities" (by code), and
    "territory.micro_grids" (community id -> its micro-grids, by code).
    """
    territory.divisions_import(actor=ctx.actor, records=list(parse_divisions(FIXTURE)))
    district = Area.objects.get(code=DISTRICT_CODE)
    streets = list(Area.objects.filter(parent=district, level=Level.STREET).order_by("code"))
    communities = list(Area.objects.filter(path__startswith=district.path, level=Level.COMMUNITY).order_by("code"))
    micro_by_community: dict[int, list[Area]] = {}
    taken_blocks: list[tuple[float, float, float, float]] = []
    for community in communities:
        micro_by_community[community.pk] = _fill_community(ctx, district, community, taken_blocks)
    ctx.put("territory.district", district)
    ctx.put("territory.streets", streets)
    ctx.put("territory.communities", communities)
    ctx.put("territory.micro_grids", micro_by_community)
    ctx.counts["communities"] = len(communities)


def first_community(ctx: DemoContext) -> Area:
    """The first community of the first street: the one with the demo's units and their case work."""
    first_street = ctx.get("territory.streets")[0]
    return next(c for c in ctx.get("territory.communities") if c.parent_id == first_street.pk)
