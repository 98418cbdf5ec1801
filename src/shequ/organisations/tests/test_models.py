"""A unit's compound and building lie inside its area (the building inside the compound); its place is the most
specific of them."""

import pytest
from django.core.exceptions import ValidationError

from shequ.organisations.models import Unit
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def t():
    return make_tree()


def _errors(unit: Unit) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        unit.full_clean()
    return exc.value.message_dict


def test_place_is_the_most_specific_of_building_compound_and_area(t):
    """Building over compound over area."""
    unit = Unit(kind="property_company", name="锦城物业", area=t["c1"])
    assert unit.place == t["c1"]
    unit.compound = t["compound1"]
    assert unit.place == t["compound1"]
    unit.building = t["b1"]
    assert unit.place == t["b1"]


@pytest.mark.parametrize(
    ("area", "compound", "building"),
    [
        ("c1", None, None),
        ("c1", "compound1", None),
        ("s1", "compound1", "b2"),
        ("district", None, "b3"),
    ],
)
def test_a_place_inside_the_area_is_valid(t, area, compound, building):
    """A compound of the area or of a community below it, and a building of that compound, pass."""
    unit = Unit(
        kind="owners_committee", name="业委会", area=t[area], compound=t.get(compound), building=t.get(building)
    )
    unit.full_clean()


def test_a_compound_outside_the_area_is_refused(t):
    unit = Unit(kind="property_company", name="锦城物业", area=t["c1"], compound=t["compound2"])
    assert _errors(unit) == {"compound": ["所在小区必须位于所在辖区内"]}


def test_a_building_of_another_compound_is_refused(t):
    unit = Unit(kind="property_company", name="锦城物业", area=t["s1"], compound=t["compound1"], building=t["b3"])
    assert _errors(unit) == {"building": ["所在楼栋必须属于所在小区"]}


def test_a_building_outside_the_area_is_refused(t):
    unit = Unit(kind="owners_committee", name="楼栋自管小组", area=t["c1"], building=t["b3"])
    assert _errors(unit) == {"building": ["所在楼栋必须位于所在辖区内"]}
