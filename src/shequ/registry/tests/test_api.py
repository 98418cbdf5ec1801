"""REST API of residents and households: scoped like the pages, masked, exact search and reveal by POST."""

import pytest
from rest_framework.test import APIClient

from shequ.accounts.tests.factories import staff
from shequ.core.models import AuditRecord
from shequ.registry import encryption
from shequ.registry.models import Resident
from shequ.registry.tests.factories import (
    LISI_ID,
    LISI_MOBILE,
    WANG_ID,
    ZSF_ID,
    ZSF_MOBILE,
    make_world,
    valid_id,
)

pytestmark = pytest.mark.django_db
RESIDENTS = "/api/v1/residents/"
HOUSEHOLDS = "/api/v1/households/"


@pytest.fixture
def w():
    return make_world()


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _names(response) -> list[str]:
    return [r["name"] for r in response.json()["results"]]


def test_list_is_scoped_and_masked(w, clock):
    """A community worker lists c1's residents with masked identifiers, the birth decade (no age) and plain tag
    labels only."""
    response = api(staff("community_worker", w["c1"])).get(RESIDENTS)
    assert response.status_code == 200
    data = response.json()
    assert (data["count"], _names(response)) == (3, ["小明", "张三丰", "李四"])
    zsf = data["results"][1]
    keys = ("id", "birth_decade", "birth_decade_label", "id_number_masked", "mobile_masked", "tags")
    assert {k: zsf[k] for k in (*keys, "has_sensitive_tags")} == {
        "id": str(w["zsf"].public_id),
        "birth_decade": 1980,
        "birth_decade_label": "1980年代",
        "id_number_masked": f"{ZSF_ID[:4]}**********{ZSF_ID[-4:]}",
        "mobile_masked": "138****5678",
        "tags": ["独居老人"],
        "has_sensitive_tags": True,
    }
    assert zsf["household"] == {"id": str(w["h1"].public_id), "number": "H001"}
    assert zsf["address"]["text"] == "锦苑小区 1栋 1-301"
    raw = response.content.decode()
    assert "birth_date" not in raw and ZSF_ID not in raw and ZSF_MOBILE not in raw and "1980-01-01" not in raw
    assert '"age"' not in raw


def test_list_filters_like_the_page(w):
    """The API takes the page's filters: pinyin text, household, building, area, tag, residence type, status."""
    client = api(staff("community_worker", w["c1"]))
    assert _names(client.get(RESIDENTS, {"text": "zsf"})) == ["张三丰"]
    assert _names(client.get(RESIDENTS, {"household": "H001"})) == ["小明", "张三丰"]
    assert _names(client.get(RESIDENTS, {"building": str(w["b2"].public_id)})) == ["李四"]
    assert _names(client.get(RESIDENTS, {"area": str(w["m111"].public_id)})) == ["小明", "张三丰"]
    assert _names(client.get(RESIDENTS, {"tag": "disabled"})) == ["张三丰"]
    assert _names(client.get(RESIDENTS, {"residence_type": "registered"})) == ["李四"]
    assert _names(client.get(RESIDENTS, {"status": "deceased"})) == []


def test_list_rejects_invalid_filters(w):
    """An invalid filter value is a 400 naming the field."""
    response = api(staff("community_worker", w["c1"])).get(RESIDENTS, {"building": "x", "status": "withdrawn"})
    assert response.status_code == 400
    assert sorted(response.json()) == ["building", "codes", "status"]
    assert response.json()["codes"] == {"building": ["core.invalid"], "status": ["core.invalid_choice"]}


def test_list_denied_without_registry_role(w):
    """A department officer gets 403; an anonymous caller 401."""
    assert api(staff("department_officer", w["district"])).get(RESIDENTS).status_code == 403
    assert api().get(RESIDENTS).status_code == 401


def test_retrieve_in_scope_and_404_outside(w):
    """A resident of c1 is readable with its history; a resident of c2 answers 404 to a c1 worker."""
    client = api(staff("community_worker", w["c1"]))
    response = client.get(f"{RESIDENTS}{w['zsf'].public_id}/")
    assert response.status_code == 200
    assert [(s["valid_from"], s["valid_to"], s["household"]) for s in response.json()["residences"]] == [
        ("2020-01-01", None, "H001")
    ]
    assert client.get(f"{RESIDENTS}{w['wang'].public_id}/").status_code == 404


def test_search_by_post(w):
    """POST /residents/search/ finds by exact ID number or mobile within scope."""
    client = api(staff("community_worker", w["c1"]))
    by_id = client.post(f"{RESIDENTS}search/", {"id_number": ZSF_ID}, format="json")
    assert (by_id.status_code, _names(by_id)) == (200, ["张三丰"])
    assert ZSF_ID not in by_id.content.decode()
    assert _names(client.post(f"{RESIDENTS}search/", {"mobile": LISI_MOBILE}, format="json")) == ["李四"]
    assert _names(client.post(f"{RESIDENTS}search/", {"id_number": WANG_ID}, format="json")) == []


def test_search_refuses_get_and_bad_bodies(w):
    """Searching by GET is not allowed (405); both or neither number is a 400; a department officer gets 403."""
    client = api(staff("community_worker", w["c1"]))
    assert client.get(f"{RESIDENTS}search/", {"id_number": ZSF_ID}).status_code == 405
    both = client.post(f"{RESIDENTS}search/", {"id_number": ZSF_ID, "mobile": ZSF_MOBILE}, format="json")
    assert both.status_code == 400
    assert both.json() == {
        "non_field_errors": ["请只给出证件号码（id_number）或手机号码（mobile）其中之一"],
        "codes": {"non_field_errors": ["registry.search_one_number"]},
    }
    denied = api(staff("department_officer", w["district"]))
    assert denied.post(f"{RESIDENTS}search/", {"id_number": ZSF_ID}, format="json").status_code == 403


def test_create_registers_a_resident(w):
    """POST /residents/ registers with the service's validation; the community follows from the dwelling; a tag
    given twice counts once."""
    client = api(staff("micro_grid_worker", w["m111"]))
    body = {
        "dwelling": str(w["d1"].public_id),
        "name": "赵六",
        "id_type": "resident_id",
        "id_number": valid_id("19850505", 321),
        "care_tags": ["veteran", "veteran"],
    }
    response = client.post(RESIDENTS, body, format="json")
    assert response.status_code == 201
    r = Resident.objects.get(public_id=response.json()["id"])
    birth = encryption.decrypt_birth_date(r.birth_date_encrypted)
    assert (r.community_id, birth.isoformat(), r.birth_decade, r.plain_tags) == (
        w["c1"].pk,
        "1985-05-05",
        1980,
        "veteran",
    )
    child = client.post(RESIDENTS, {"dwelling": str(w["d1"].public_id), "name": "小红"}, format="json")
    assert (child.status_code, child.json()["id_type"]) == (201, "none")


def test_create_returns_field_errors(w):
    """A bad checksum or a person registered elsewhere is a 400 with the field's Chinese message."""
    client = api(staff("community_worker", w["c1"]))
    base = {"community": str(w["c1"].public_id), "name": "赵六", "id_type": "resident_id"}
    bad = client.post(
        RESIDENTS, {**base, "id_number": ZSF_ID[:-1] + ("0" if ZSF_ID[-1] != "0" else "1")}, format="json"
    )
    assert bad.status_code == 400 and list(bad.json()) == ["id_number", "codes"]
    assert bad.json()["codes"] == {"id_number": ["core.resident_id_checksum"]}
    elsewhere = client.post(RESIDENTS, {**base, "id_number": WANG_ID}, format="json")
    assert elsewhere.json() == {
        "id_number": ["该居民已在其他社区登记，请联系街道办事处"],
        "codes": {"id_number": ["registry.id_number_registered_elsewhere"]},
    }
    assert client.post(RESIDENTS, {"name": "赵六"}, format="json").json() == {
        "community": ["请给出社区或房屋"],
        "codes": {"community": ["registry.community_or_dwelling_required"]},
    }


def test_create_denied_to_view_only_roles(w):
    """A street officer may not register (403); a community outside the edit scope is a 400; nothing is created."""
    street = api(staff("street_officer", w["s1"]))
    response = street.post(RESIDENTS, {"dwelling": str(w["d1"].public_id), "name": "赵六"}, format="json")
    assert response.status_code == 403 and response.json()["codes"] == {"detail": ["core.permission_denied"]}
    other = api(staff("community_worker", w["c1"]))
    assert other.post(RESIDENTS, {"community": str(w["c2"].public_id), "name": "赵六"}, format="json").json() == {
        "community": ["社区不存在或不在您的登记范围内"],
        "codes": {"community": ["registry.community_not_found"]},
    }
    assert not Resident.objects.filter(name="赵六").exists()


def _reveal(client, r, field, reason="核对信息"):
    return client.post(
        f"{RESIDENTS}{r.public_id}/reveal/",
        {"field": field, "reason_code": "home_visit", "reason": reason},
        format="json",
    )


def test_reveal_mobile_by_grid_worker_is_audited(w):
    """A micro-grid worker reveals a mobile; the audit record holds the field and the reason, not the number."""
    response = _reveal(api(staff("micro_grid_worker", w["m111"])), w["zsf"], "mobile", "联系家属")
    assert (response.status_code, response.json()) == (200, {"value": ZSF_MOBILE})
    assert response["Cache-Control"] == "no-store"
    record = AuditRecord.objects.get(action="registry.reveal")
    assert record.after == {"field": "mobile", "reason_code": "home_visit", "reason": "联系家属"}


def test_reveal_identity_denied_to_grid_worker(w):
    """A micro-grid worker asking for the ID number gets 403; outside the micro-grid 404; nothing is audited."""
    client = api(staff("micro_grid_worker", w["m111"]))
    assert _reveal(client, w["zsf"], "id_number").status_code == 403
    assert _reveal(client, w["lisi"], "mobile").status_code == 404
    assert AuditRecord.objects.filter(action="registry.reveal").count() == 0


def test_reveal_identity_by_community_worker(w):
    """A community worker reveals the ID number with a reason; a missing reason is a 400."""
    client = api(staff("community_worker", w["c1"]))
    assert _reveal(client, w["lisi"], "id_number").json() == {"value": LISI_ID}
    assert _reveal(client, w["lisi"], "id_number", reason="").status_code == 400
    assert [r.after for r in AuditRecord.objects.filter(action="registry.reveal")] == [
        {"field": "id_number", "reason_code": "home_visit", "reason": "核对信息"}
    ]


def test_households_list_and_detail(w):
    """Households in scope with members in scope; another community's household is 404."""
    client = api(staff("community_worker", w["c1"]))
    listed = client.get(HOUSEHOLDS).json()
    assert [h["number"] for h in listed["results"]] == ["H001"]
    detail = client.get(f"{HOUSEHOLDS}{w['h1'].public_id}/").json()
    assert sorted(m["name"] for m in detail["members"]) == ["小明", "张三丰"]
    assert (detail["head"], detail["address"]["room"]) == (str(w["zsf"].public_id), "1-301")
    assert ZSF_MOBILE not in str(detail)
    other = api(staff("community_worker", w["c2"]))
    assert other.get(f"{HOUSEHOLDS}{w['h1'].public_id}/").status_code == 404


def test_households_denied_without_registry_role(w):
    """A department officer gets 403 on the household list."""
    assert api(staff("department_officer", w["district"])).get(HOUSEHOLDS).status_code == 403
