"""The API contract: an OpenAPI 3 schema, offline documentation, paginated lists and public UUID ids."""

import re
import uuid

import pytest
from django.contrib.staticfiles import finders

from shequ.accounts import services as accounts_services
from shequ.accounts.tests.factories import staff
from shequ.core.actors import COMMAND_LINE
from shequ.territory import services as territory
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db

V1_PATHS = {
    "/api/v1/areas/",
    "/api/v1/areas/{id}/",
    "/api/v1/compounds/",
    "/api/v1/compounds/{id}/",
    "/api/v1/buildings/",
    "/api/v1/buildings/{id}/",
    "/api/v1/dwellings/",
    "/api/v1/dwellings/{id}/",
    "/api/v1/auth/token/",
    "/api/v1/me/",
    "/api/v1/locate/",
    "/api/v1/residents/",
    "/api/v1/residents/{id}/",
    "/api/v1/residents/{id}/reveal/",
    "/api/v1/residents/search/",
    "/api/v1/households/",
    "/api/v1/households/{id}/",
    "/api/v1/notices/",
    "/api/v1/notices/{id}/",
    "/api/v1/notices/{id}/publish/",
    "/api/v1/notices/{id}/withdraw/",
    "/api/v1/notices/{id}/objections/",
    "/api/v1/objections/{id}/answer/",
    "/api/v1/votes/",
    "/api/v1/votes/{id}/",
    "/api/v1/votes/{id}/published/",
    "/api/v1/votes/{id}/open/",
    "/api/v1/votes/{id}/close/",
    "/api/v1/votes/{id}/paper/",
    "/api/v1/votes/{id}/confirm-paper/",
    "/api/v1/votes/{id}/reject-paper/",
    "/api/v1/votes/{id}/proxies/",
    "/api/v1/bodies/",
    "/api/v1/bodies/{id}/",
    "/api/v1/proposals/",
    "/api/v1/proposals/{id}/",
    "/api/v1/proposals/{id}/comments/",
    "/api/v1/proposals/{id}/hide-comment/",
    "/api/v1/meetings/",
    "/api/v1/meetings/{id}/",
    "/api/v1/meetings/{id}/resolutions/",
    "/api/v1/residents-groups/",
    "/api/v1/residents-groups/{id}/",
    "/api/v1/meeting-requests/",
    "/api/v1/meeting-requests/{id}/",
    "/api/v1/meeting-requests/{id}/supporters/",
    "/api/v1/party-orgs/",
    "/api/v1/party-orgs/{id}/",
    "/api/v1/party-orgs/coverage/",
    "/api/v1/party-orgs/{id}/posts/",
    "/api/v1/party-members/",
    "/api/v1/party-members/{id}/",
    "/api/v1/party-members/{id}/make-full/",
    "/api/v1/party-members/{id}/transfer/",
    "/api/v1/party-members/{id}/reveal/",
    "/api/v1/party-meetings/",
    "/api/v1/party-meetings/{id}/",
    "/api/v1/volunteers/",
    "/api/v1/volunteers/{id}/",
    "/api/v1/volunteers/{id}/entries/",
    "/api/v1/volunteers/{id}/consent/",
    "/api/v1/volunteers/{id}/proofs/",
    "/api/v1/volunteer-activities/",
    "/api/v1/volunteer-activities/{id}/",
    "/api/v1/volunteer-activities/{id}/sign-ups/",
    "/api/v1/volunteer-activities/{id}/confirm-hours/",
    "/api/v1/volunteer-activities/{id}/status/",
    "/api/v1/volunteer-activities/{id}/absent/",
    "/api/v1/volunteer-corrections/",
    "/api/v1/volunteer-corrections/{id}/",
    "/api/v1/volunteer-corrections/{id}/answer/",
    "/api/v1/party-inservice/",
    "/api/v1/party-inservice/{id}/",
    "/api/v1/party-inservice/{id}/end/",
    "/api/v1/party-inservice/{id}/reveal/",
    "/api/v1/party-inservice/{id}/services/",
    "/api/v1/party-needs/",
    "/api/v1/party-needs/{id}/",
    "/api/v1/party-needs/{id}/close/",
    "/api/v1/party-needs/{id}/claim/",
    "/api/v1/party-service-entries/",
    "/api/v1/party-service-entries/{id}/confirm/",
    "/api/v1/party-hubs/",
    "/api/v1/party-hubs/{id}/",
    "/api/v1/party-hubs/{id}/links/",
    "/api/v1/party-hubs/{id}/households/",
    "/api/v1/party-hubs/{id}/end/",
    "/api/v1/community-actors/",
    "/api/v1/community-actors/overview/",
    "/api/v1/community-actors/{id}/",
    "/api/v1/community-actors/{id}/reveal/",
    "/api/v1/joint-meetings/",
    "/api/v1/joint-meetings/{id}/",
    "/api/v1/joint-meetings/{id}/follow-ups/",
    "/api/v1/joint-follow-ups/{id}/",
    "/api/v1/joint-follow-ups/{id}/done/",
    "/api/v1/joint-follow-ups/{id}/case/",
    "/api/v1/joint-follow-ups/{id}/proposal/",
}
MICRO_GRIDS = [111, 112, 121, 122, 211, 212, 221, 222]
COLLECTIONS = {"areas": "Area", "compounds": "Compound", "buildings": "Building", "dwellings": "Dwelling"}


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def officer_client(client, tree):
    client.force_login(staff("district_officer", tree["district"], username="officer"))
    return client


@pytest.fixture
def api_user_client(client, tree):
    """A signed-in staff member who uses the API (a token was issued): may read the schema and the docs."""
    user = staff("district_officer", tree["district"], username="api-user")
    accounts_services.token_issue(actor=user)
    client.force_login(user)
    return client


def _is_uuid_string(value):
    return isinstance(value, str) and str(uuid.UUID(value)) == value


# --- schema and docs ------------------------------------------------------------------------------


def test_schema_is_openapi_3_json_with_v1_paths(api_user_client):
    """GET /api/schema/?format=json answers OpenAPI 3 JSON listing exactly the /api/v1/ endpoints."""
    response = api_user_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert (schema["info"]["title"], schema["info"]["version"]) == ("shequ API", "1")
    assert set(schema["paths"]) == V1_PATHS
    assert set(schema["paths"]["/api/v1/auth/token/"]) == {"post"}
    assert set(schema["paths"]["/api/v1/me/"]) == {"get"}
    assert set(schema["paths"]["/api/v1/locate/"]) == {"get"}


def test_schema_documents_paginated_lists_and_uuid_ids(api_user_client):
    """Every list answers a Paginated<Model>List; every object's `id` is a read-only UUID string."""
    schema = api_user_client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    for collection, model in COLLECTIONS.items():
        ok = schema["paths"][f"/api/v1/{collection}/"]["get"]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/Paginated{model}List"}
        page = components[f"Paginated{model}List"]
        assert set(page["properties"]) == {"count", "next", "previous", "results"}
        assert page["properties"]["results"]["items"] == {"$ref": f"#/components/schemas/{model}"}
        assert components[model]["properties"]["id"] == {"type": "string", "format": "uuid", "readOnly": True}
        assert "pk" not in components[model]["properties"]
    assert components["Me"]["properties"]["id"] == {"type": "string", "format": "uuid"}


def test_docs_page_uses_only_local_static_files(api_user_client):
    """/api/docs/ renders Swagger UI from the app's own static files: no script or style from another host, and
    nothing inline (its start-up script is a second request to the same view), so the strict CSP allows it."""
    response = api_user_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "http://" not in html and "https://" not in html
    sources = re.findall(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"', html)
    assert sorted(sources) == [
        "/api/docs/?script=",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "/static/shequ/swagger_ui.css",
    ]
    for src in sources:
        if src.startswith("/static/"):
            assert finders.find(src.removeprefix("/static/")) is not None, src
    assert re.findall(r"<script>|<style>|\sstyle=", html) == []
    script = api_user_client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"] == "application/javascript"
    assert '"/api/schema/"' in script.content.decode()


# --- lists and ids --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("collection", "keys"),
    [
        ("areas", ["district", "s1", "s2", "c1", "c2", "g11", "g12", "g21", "g22"] + [f"m{n}" for n in MICRO_GRIDS]),
        ("compounds", ["compound1", "compound2"]),
        ("buildings", ["b1", "b2", "b3"]),
        ("dwellings", ["d1", "d3"]),
    ],
)
def test_list_endpoints_answer_count_next_results_with_uuid_ids(officer_client, tree, collection, keys):
    """Each list answers {count, next, previous, results}; every object's `id` is its public UUID string."""
    data = officer_client.get(f"/api/v1/{collection}/").json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert (data["next"], data["previous"]) == (None, None)
    ids = [row["id"] for row in data["results"]]
    assert all(_is_uuid_string(i) for i in ids)
    assert (data["count"], set(ids)) == (len(keys), {str(tree[k].public_id) for k in keys})


def test_list_pagination_links(officer_client):
    """page_size splits the 17 areas of the district into pages linked by absolute next/previous URLs."""
    first = officer_client.get("/api/v1/areas/", {"page_size": 5}).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (17, 5, None)
    assert first["next"] == "http://testserver/api/v1/areas/?page=2&page_size=5"
    last = officer_client.get("/api/v1/areas/", {"page_size": 5, "page": 4}).json()
    assert (len(last["results"]), last["next"]) == (2, None)
    assert last["previous"] == "http://testserver/api/v1/areas/?page=3&page_size=5"


def test_references_between_objects_are_public_ids(officer_client, tree):
    """A building names its compound, a dwelling its building, by public UUID; never by database key."""
    building = officer_client.get(f"/api/v1/buildings/{tree['b1'].public_id}/").json()
    assert building == {
        "id": str(tree["b1"].public_id),
        "name": "1栋",
        "number": 1,
        "floors": 1,
        "compound": str(tree["compound1"].public_id),
        "micro_grid": "510107001002-01-01",
    }
    dwelling = officer_client.get(f"/api/v1/dwellings/{tree['d1'].public_id}/").json()
    assert (dwelling["id"], dwelling["building"]) == (str(tree["d1"].public_id), str(tree["b1"].public_id))


@pytest.mark.parametrize(
    ("collection", "key"), [("areas", "c1"), ("compounds", "compound1"), ("buildings", "b1"), ("dwellings", "d1")]
)
def test_integer_primary_key_is_not_an_address(officer_client, tree, collection, key):
    """The database key does not address an object (404); its UUID does (200)."""
    obj = tree[key]
    assert officer_client.get(f"/api/v1/{collection}/{obj.pk}/").status_code == 404
    assert officer_client.get(f"/api/v1/{collection}/{obj.public_id}/").status_code == 200


def test_me_and_locate_carry_uuid_ids(officer_client, tree):
    """/me/ and /locate/ identify the account and the micro-grid by public UUID."""
    me = officer_client.get("/api/v1/me/").json()
    assert me["id"] == str(tree["district"].role_assignments.get().user.public_id)
    square = [[104.04, 30.64], [104.042, 30.64], [104.042, 30.642], [104.04, 30.642], [104.04, 30.64]]
    territory.boundaries_import(
        actor=COMMAND_LINE,
        collection={
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": tree["m111"].code},
                    "geometry": {"type": "Polygon", "coordinates": [square]},
                }
            ],
        },
        crs="wgs84",
    )
    territory.micro_grid_index(force=True)
    located = officer_client.get("/api/v1/locate/", {"lng": 104.041, "lat": 30.641})
    assert located.status_code == 200
    assert (located.json()["id"], located.json()["code"]) == (str(tree["m111"].public_id), "510107001002-01-01")
