"""Units a case can be dispatched to: the unit's most specific place must contain the case's place."""

import pytest

from shequ.organisations import selectors
from shequ.organisations.tests.factories import unit
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def t():
    t = make_tree()
    t["dept"] = unit("department", "区住建局", t["district"])
    t["community_org"] = unit("social_org", "洗面桥社工站", t["c1"])
    t["property"] = unit("property_company", "锦城物业", t["c1"], compound=t["compound1"])
    t["building_group"] = unit("other", "2栋自管小组", t["c1"], compound=t["compound1"], building=t["b2"])
    t["other_street"] = unit("social_org", "玉林社工站", t["c2"])
    return t


def _names(qs) -> set[str]:
    return {u.name for u in qs}


def test_a_case_without_compound_reaches_only_units_of_areas_above_it(t):
    assert _names(selectors.dispatchable_units(t["m111"])) == {"区住建局", "洗面桥社工站"}


def test_a_case_in_a_compound_also_reaches_that_compounds_units(t):
    """The property company of compound1 serves compound1, not the rest of the community."""
    found = _names(selectors.dispatchable_units(t["m111"], compound=t["compound1"], building=t["b1"]))
    assert found == {"区住建局", "洗面桥社工站", "锦城物业"}


def test_a_case_in_a_building_reaches_that_buildings_units(t):
    found = _names(selectors.dispatchable_units(t["m112"], compound=t["compound1"], building=t["b2"]))
    assert found == {"区住建局", "洗面桥社工站", "锦城物业", "2栋自管小组"}


def test_another_streets_case_reaches_neither(t):
    found = _names(selectors.dispatchable_units(t["m211"], compound=t["compound2"], building=t["b3"]))
    assert found == {"区住建局", "玉林社工站"}


def test_get_unit_finds_active_units_only(t):
    assert selectors.get_unit(t["property"].public_id) == t["property"]
    t["property"].is_active = False
    t["property"].save()
    assert t["property"] not in selectors.units()
