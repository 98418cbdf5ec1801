"""Object-access matrix: each role × own/other scope, on pages and in the API; outside scope is 404."""

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db

RESOURCES = ["c1", "c2", "m111", "compound1", "compound2", "b1", "b2", "b3", "d1", "d3"]

# role, node, visible resources
MATRIX = [
    ("micro_grid_worker", "m111", {"m111", "compound1", "b1", "d1"}),
    ("grid_worker", "g11", {"m111", "compound1", "b1", "b2", "d1"}),
    ("community_worker", "c1", {"c1", "m111", "compound1", "b1", "b2", "d1"}),
    ("community_secretary", "c2", {"c2", "compound2", "b3", "d3"}),
    ("street_officer", "s2", {"c2", "compound2", "b3", "d3"}),
    ("district_officer", "district", set(RESOURCES)),
    ("system_admin", "district", set(RESOURCES)),
    ("department_officer", "district", set()),
    ("org_staff", "c1", set()),
    ("auditor", "district", set()),
    ("security_admin", "district", set()),
]

PAGE = {
    "c1": "territory:area",
    "c2": "territory:area",
    "m111": "territory:area",
    "compound1": "territory:compound",
    "compound2": "territory:compound",
    "b1": "territory:building",
    "b2": "territory:building",
    "b3": "territory:building",
}
API = {
    "c1": "areas",
    "c2": "areas",
    "m111": "areas",
    "compound1": "compounds",
    "compound2": "compounds",
    "b1": "buildings",
    "b2": "buildings",
    "b3": "buildings",
    "d1": "dwellings",
    "d3": "dwellings",
}


@pytest.mark.parametrize(("role", "node", "visible"), MATRIX, ids=[m[0] for m in MATRIX])
def test_object_access_matrix(client, role, node, visible):
    """Every resource in scope answers 200; every resource outside answers 404, on pages and in the API."""
    t = make_tree()
    user = staff(role, t[node])
    client.force_login(user)
    for key in RESOURCES:
        obj = t[key]
        expected = 200 if key in visible else 404
        if key in PAGE:
            page = client.get(reverse(PAGE[key], args=[obj.public_id]))
            assert page.status_code == expected, (role, key, "page")
        api = client.get(f"/api/v1/{API[key]}/{obj.public_id}/")
        assert api.status_code == expected, (role, key, "api")


@pytest.mark.parametrize(("role", "node", "visible"), MATRIX, ids=[m[0] for m in MATRIX])
def test_api_lists_only_scope(client, role, node, visible):
    """Collections contain exactly the in-scope buildings, paginated with count/next/results and public ids."""
    t = make_tree()
    client.force_login(staff(role, t[node]))
    data = client.get("/api/v1/buildings/").json()
    expected = {str(t[k].public_id) for k in ("b1", "b2", "b3") if k in visible}
    assert set(data) >= {"count", "next", "results"}
    assert {row["id"] for row in data["results"]} == expected
    assert data["count"] == len(expected)


def test_anonymous_gets_login_redirect_and_401(client):
    """Pages redirect anonymous users to login; the API answers 401/403."""
    t = make_tree()
    assert client.get(reverse("territory:building", args=[t["b1"].public_id])).status_code == 302
    assert client.get("/api/v1/buildings/").status_code in (401, 403)


def test_malformed_id_is_404(client):
    """A non-UUID id answers 404, not 500."""
    t = make_tree()
    client.force_login(staff("district_officer", t["district"]))
    assert client.get("/territory/buildings/123/").status_code == 404
    assert client.get("/api/v1/buildings/123/").status_code == 404


def test_area_page_counts(client):
    """The community page counts its grids, micro-grids, compounds, buildings and dwellings."""
    t = make_tree()
    client.force_login(staff("community_worker", t["c1"]))
    counts = client.get(reverse("territory:area", args=[t["c1"].public_id])).context["counts"]
    assert (counts.grids, counts.micro_grids, counts.compounds, counts.buildings, counts.dwellings) == (
        2,
        4,
        1,
        2,
        1,
    )


def test_list_filters_by_parent_ids_and_reject_bad_ids(client):
    """`?compound=` and `?building=` narrow the lists; a malformed id is a 400, not a 500."""
    t = make_tree()
    client.force_login(staff("community_worker", t["c1"]))
    data = client.get("/api/v1/buildings/", {"compound": str(t["compound1"].public_id)}).json()
    assert sorted(row["name"] for row in data["results"]) == ["1栋", "2栋"]
    data = client.get("/api/v1/dwellings/", {"building": str(t["b1"].public_id)}).json()
    assert [row["number"] for row in data["results"]] == ["1-301"]
    assert client.get("/api/v1/buildings/", {"compound": "xyz"}).status_code == 400
