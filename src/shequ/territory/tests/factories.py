"""Factories for a small territory: city → district → street → community → grid → micro-grid, places."""

from decimal import Decimal

import factory

from shequ.territory.models import Area, Building, BuildingUnit, Compound, Dwelling


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    level = "city"
    code = factory.Sequence(lambda n: f"5101{n:08d}")
    name = factory.Sequence(lambda n: f"区域{n}")
    is_official_code = True


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    code = factory.Sequence(lambda n: f"C{n:06d}")
    name = factory.Sequence(lambda n: f"小区{n}")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    name = factory.Sequence(lambda n: f"{n}栋")
    number = factory.Sequence(lambda n: n + 1)


def make_tree():
    """Build two streets with one community each; each community has 2 grids × 2 micro-grids.

    Returns a dict of named nodes: city, district, s1, s2, c1, c2, g11, g12, g21, m111, m112, m121, m211,
    compound1 (in c1, buildings b1 in m111 and b2 in m112), compound2 (in c2, building b3 in m211), and
    dwellings d1 (in b1) and d3 (in b3).
    """
    t = {}
    t["city"] = Area.objects.create(level="city", code="510100000000", name="成都市", is_official_code=True)
    t["district"] = Area.objects.create(
        parent=t["city"], level="district", code="510107000000", name="武侯区", is_official_code=True
    )
    t["s1"] = Area.objects.create(
        parent=t["district"], level="street", code="510107001000", name="浆洗街街道", is_official_code=True
    )
    t["s2"] = Area.objects.create(
        parent=t["district"], level="street", code="510107005000", name="玉林街道", is_official_code=True
    )
    t["c1"] = Area.objects.create(
        parent=t["s1"], level="community", code="510107001002", name="洗面桥社区", is_official_code=True
    )
    t["c2"] = Area.objects.create(
        parent=t["s2"], level="community", code="510107005001", name="玉林社区", is_official_code=True
    )
    for c, key in ((t["c1"], "1"), (t["c2"], "2")):
        for g in (1, 2):
            grid = Area.objects.create(parent=c, level="grid", code=f"{c.code}-{g:02d}", name=f"{c.name}{g}网格")
            t[f"g{key}{g}"] = grid
            for m in (1, 2):
                t[f"m{key}{g}{m}"] = Area.objects.create(
                    parent=grid, level="micro_grid", code=f"{grid.code}-{m:02d}", name=f"{grid.name}{m}微网格"
                )
    t["compound1"] = Compound.objects.create(community=t["c1"], code="510107001002-C01", name="锦苑小区")
    t["compound2"] = Compound.objects.create(community=t["c2"], code="510107005001-C01", name="玉林北苑")
    t["b1"] = Building.objects.create(compound=t["compound1"], micro_grid=t["m111"], name="1栋", number=1)
    t["b2"] = Building.objects.create(compound=t["compound1"], micro_grid=t["m112"], name="2栋", number=2)
    t["b3"] = Building.objects.create(compound=t["compound2"], micro_grid=t["m211"], name="1栋", number=1)
    for key, b in (("1", t["b1"]), ("3", t["b3"])):
        unit = BuildingUnit.objects.create(building=b, number=1, name="1单元")
        t[f"d{key}"] = Dwelling.objects.create(
            unit=unit, building=b, floor=3, number="1-301", floor_area=Decimal("89.50")
        )
    return t
