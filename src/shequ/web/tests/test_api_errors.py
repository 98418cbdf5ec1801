"""Stable error codes: one enum per app, every code unique and namespaced by its app, listed in the OpenAPI
schema, and carried by API error bodies beside the Chinese message (see docs/api-errors.md)."""

import re
import uuid
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from shequ.accounts import services as accounts_services
from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.core.errors import CoreError, ErrorCode, error_codes, stable_code
from shequ.territory.tests.factories import make_tree

TOKEN = "/api/v1/auth/token/"
DOC = Path(__file__).resolve().parents[4] / "docs" / "api-errors.md"


def test_every_code_is_unique_and_namespaced_by_its_app():
    """Each code is `<app label>.<snake_case>`, the app being the one whose `errors` module declares it, and has a
    Chinese description; no value is declared twice."""
    codes = error_codes()
    assert len({str(c) for c in codes}) == len(codes)
    for code in codes:
        app = type(code).__module__.removeprefix("shequ.").removesuffix(".errors")
        assert re.fullmatch(rf"{app}\.[a-z][a-z0-9_]*", code), code
        assert str(code.description).strip(), code
    families = {type(c).__name__ for c in codes}
    assert {"CoreError", "AccountError", "RegistryError", "CaseError", "Open311Error"} <= families


def test_the_doc_lists_every_code_with_its_description():
    """docs/api-errors.md has one row per registered code, with its registered description, and no other row."""
    rows = re.findall(r"^\| `([a-z0-9_.]+)` \| (.+) \|$", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert rows == [(str(c), str(c.description)) for c in error_codes()]


def test_builtin_drf_and_django_codes_answer_as_core_codes():
    """A DRF or Django field code `x` is core.x; ours stay as they are; a raise without a code is core.invalid."""
    assert stable_code("required") is CoreError.REQUIRED
    assert stable_code("invalid_choice") is CoreError.INVALID_CHOICE
    assert stable_code("registry.document_checksum") == "registry.document_checksum"
    assert stable_code(None) is CoreError.INVALID
    assert isinstance(stable_code("not_found"), ErrorCode)


@pytest.fixture
def tree(db):
    return make_tree()


def test_schema_lists_every_code_and_documents_the_error_body(client, tree):
    """The OpenAPI schema has the ErrorCode enum with every registered code, and every 4xx answer is an Error."""
    user = staff("district_officer", tree["district"], username="api-user")
    accounts_services.token_issue(actor=user)
    client.force_login(user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert components["ErrorCode"]["enum"] == [str(c) for c in error_codes()]
    for code in error_codes():
        assert f"`{code}`" in components["ErrorCode"]["description"]
    assert components["Error"]["properties"]["codes"]["additionalProperties"]["items"] == {
        "$ref": "#/components/schemas/ErrorCode"
    }
    four_hundreds = [
        (path, method, status, response)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status.startswith("4")
    ]
    assert len(four_hundreds) > 20
    for path, method, status, response in four_hundreds:
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (
            path,
            method,
            status,
        )


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_representative_bad_requests_carry_their_codes(tree):
    """Each refusal keeps its body and adds `codes`, by field (or `detail`), with the expected stable codes."""
    anonymous = _api()
    signed_in = _api(staff("community_worker", tree["c1"], username="worker"))

    response = anonymous.get("/api/v1/me/")
    assert (response.status_code, response.json()["codes"]) == (401, {"detail": ["core.not_authenticated"]})

    response = anonymous.get("/api/v1/me/", HTTP_AUTHORIZATION="Token nonsense")
    assert response.status_code == 401
    assert response.json() == {"detail": "令牌无效或已过期", "codes": {"detail": ["accounts.token_invalid"]}}

    response = anonymous.get("/api/v1/me/", HTTP_AUTHORIZATION="Token a b")
    assert response.json()["codes"] == {"detail": ["accounts.token_malformed"]}

    response = anonymous.post(TOKEN, {"username": "worker", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["codes"]) == (
        "invalid",
        {"detail": ["accounts.credentials_invalid"]},
    )

    response = anonymous.post(TOKEN, {"password": PASSWORD[:3], "otp": 123}, format="json")
    assert response.status_code == 400
    assert response.json()["codes"] == {"username": ["core.required"], "otp": ["core.invalid"]}

    response = signed_in.get(f"/api/v1/areas/{uuid.uuid4()}/")
    assert (response.status_code, response.json()["codes"]) == (404, {"detail": ["core.not_found"]})

    response = signed_in.get("/api/v1/locate/", {"lng": "500", "lat": "north"})
    assert response.status_code == 400
    assert response.json()["codes"] == {"lng": ["core.max_value"], "lat": ["core.invalid"]}

    response = signed_in.get("/api/v1/areas/", {"level": "planet"})
    assert response.json()["codes"] == {"level": ["core.invalid_choice"]}

    response = signed_in.put("/api/v1/me/", {}, format="json")
    assert (response.status_code, response.json()["codes"]) == (405, {"detail": ["core.method_not_allowed"]})

    response = signed_in.post("/api/v1/residents/", "{not json", content_type="application/json")
    assert (response.status_code, response.json()["codes"]) == (400, {"detail": ["core.parse_error"]})

    response = _api(staff("department_officer", tree["district"])).get("/api/v1/residents/")
    assert (response.status_code, response.json()["codes"]) == (403, {"detail": ["core.permission_denied"]})


def test_a_path_no_route_matches_is_the_api_404_under_api_only(tree, client):
    """An id that is not a UUID matches no route: under /api/ the answer is still the API's 404 with its code;
    elsewhere the usual page."""
    response = _api(staff("community_worker", tree["c1"])).get("/api/v1/residents/null/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。", "codes": {"detail": ["core.not_found"]}}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
