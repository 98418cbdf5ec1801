"""Territory browser pages: tree, lazy children, search, map boundaries, compound and building pages."""

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.core.actors import COMMAND_LINE
from shequ.territory import services
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def t():
    return make_tree()


def _square(lng, lat, d=0.001):
    return {
        "type": "Polygon",
        "coordinates": [[[lng, lat], [lng + d, lat], [lng + d, lat + d], [lng, lat + d], [lng, lat]]],
    }


def test_browser_shows_the_roots_of_scope(client, t):
    """A street officer's tree starts at their street; search finds communities in scope only."""
    client.force_login(staff("street_officer", t["s1"]))
    page = client.get(reverse("territory:browser"))
    assert [a.code for a in page.context["roots"]] == [t["s1"].code]
    found = client.get(reverse("territory:browser"), {"q": "社区"}).context["results"]
    assert [a.code for a in found][:2] == [t["c1"].code, t["g11"].code]
    assert client.get(reverse("territory:browser"), {"q": "玉林"}).context["results"].count() == 0


def test_children_partial_lists_children_in_scope(client, t):
    """Expanding a community lists its grids; expanding an area outside scope is 404."""
    client.force_login(staff("community_worker", t["c1"]))
    response = client.get(reverse("territory:children", args=[t["c1"].public_id]))
    assert [a.code for a in response.context["children"]] == [t["g11"].code, t["g12"].code]
    assert client.get(reverse("territory:children", args=[t["c2"].public_id])).status_code == 404


def test_boundaries_geojson_only_in_scope(client, t):
    """The map layer of a community contains its micro-grid polygons (WGS-84), none of another community."""
    services.boundaries_import(
        actor=COMMAND_LINE,
        collection={
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"code": t["m111"].code}, "geometry": _square(104.05, 30.64)},
                {"type": "Feature", "properties": {"code": t["m211"].code}, "geometry": _square(104.06, 30.64)},
            ],
        },
    )
    client.force_login(staff("community_worker", t["c1"]))
    data = client.get(reverse("territory:boundaries", args=[t["c1"].public_id])).json()
    assert [f["properties"]["code"] for f in data["features"]] == [t["m111"].code]
    ring = data["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] != [104.05, 30.64]  # converted from GCJ-02 to WGS-84
    district = client.get(reverse("territory:boundaries", args=[t["district"].public_id]))
    assert district.status_code == 404


def test_compound_page_lists_only_buildings_in_scope(client, t):
    """A micro-grid worker sees the compound with only the building of their micro-grid."""
    client.force_login(staff("micro_grid_worker", t["m111"]))
    response = client.get(reverse("territory:compound", args=[t["compound1"].public_id]))
    assert [b.name for b in response.context["buildings"]] == ["1栋"]


def test_building_page_lists_dwellings_with_area(client, t):
    """The building page shows units and dwellings with their registered floor area."""
    client.force_login(staff("community_worker", t["c1"]))
    body = client.get(reverse("territory:building", args=[t["b1"].public_id])).content.decode()
    assert "1-301" in body and "89.50" in body


def test_browser_shows_counts_of_scope(client, t):
    """The territory browser (not the home page) shows the actor's area with counts."""
    client.force_login(staff("street_officer", t["s2"]))
    roots = client.get(reverse("territory:browser")).context["root_counts"]
    assert [(a.code, c.communities, c.buildings, c.dwellings) for a, c in roots] == [(t["s2"].code, 1, 1, 1)]


def test_department_officer_home_has_no_territory(client, t):
    """A department officer (outside the tree) gets an empty workbench, not the district."""
    client.force_login(staff("department_officer", t["district"]))
    response = client.get(reverse("web:home"))
    assert response.status_code == 200 and "root_counts" not in response.context
    browser = client.get(reverse("territory:browser")).context
    assert (browser["roots"].count(), browser["root_counts"]) == (0, [])
