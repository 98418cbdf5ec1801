"""The REST API of 双报到 and hubs beyond the access matrix: hours above a day refused with their code, the wanted
count, masked names and an audited reveal, hub warnings returned, a household outside the micro-grid refused."""

import datetime
import uuid

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from shequ.core.actors import ResidentActor
from shequ.core.models import AuditRecord
from shequ.party import hub_services
from shequ.party import inservice_services as svc
from shequ.party.models import ServiceEntry
from shequ.party.tests.factories import make_party_world, member
from shequ.registry import services as registry_services
from shequ.registry.tests.factories import make_resident, registrar_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = make_party_world()
    w["alice"] = make_resident(w["c1"], w["d1"], name="程丽")
    w["bob"] = make_resident(w["c1"], w["d1"], name="王建国")
    slip = svc.RegistrationInput(own_org_name="某局党支部", employer="某局", registered_on=datetime.date(2025, 1, 1))
    w["reg"] = svc.registration_create(actor=ResidentActor(w["alice"]), resident=w["alice"], data=slip)
    w["reg2"] = svc.registration_create(actor=ResidentActor(w["bob"]), resident=w["bob"], data=slip)
    return w


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_hours_above_a_day_are_refused_with_their_code(w):
    client = _client(w["secretary"])
    url = f"/api/v1/party-inservice/{w['reg'].public_id}/services/"
    body = {"served_on": timezone.localdate().isoformat(), "hours": "24.5", "content": "巡逻"}
    response = client.post(url, body, format="json")
    assert response.status_code == 400
    assert "party.hours_invalid" in str(response.json())
    assert ServiceEntry.objects.count() == 0
    response = client.post(url, {**body, "hours": "3.25"}, format="json")
    assert response.status_code == 201
    assert (response.json()["hours"], response.json()["status"]) == ("3.25", "confirmed")


def test_list_masks_names_and_reveal_is_audited(w):
    client = _client(w["secretary"])
    names = {row["name"] for row in client.get("/api/v1/party-inservice/").json()["results"]}
    assert names == {"程*", "王**"}
    response = client.post(
        f"/api/v1/party-inservice/{w['reg'].public_id}/reveal/", {"reason": "出具反馈"}, format="json"
    )
    assert response.json() == {"name": "程丽"}
    assert AuditRecord.objects.filter(action="party.inservice_revealed").count() == 1
    assert _client(w["organiser1"]).get("/api/v1/party-inservice/").status_code == 403


def test_claims_stop_at_the_wanted_count(w):
    client = _client(w["secretary"])
    body = {"community": str(w["c1"].public_id), "title": "看望老人", "kind": "visits", "wanted": 1}
    need = client.post("/api/v1/party-needs/", body, format="json").json()
    assert need["places_left"] == 1
    url = f"/api/v1/party-needs/{need['id']}/claim/"
    assert client.post(url, {"member": str(w["reg"].public_id)}, format="json").status_code == 201
    response = client.post(url, {"member": str(w["reg2"].public_id)}, format="json")
    assert response.status_code == 400 and "party.need_full" in str(response.json())


@override_settings(SHEQU_HUB_MAX_MEMBERS=1)
def test_hub_warnings_come_back_and_a_household_outside_is_refused(w):
    host = member(w["secretary"], w["group1"], "周华")
    other = member(w["secretary"], w["group1"], "吴敏")
    hub, _ = hub_services.hub_create(actor=w["secretary"], area=w["m111"], host=host, name="周华党员中心户")
    client = _client(w["organiser1"])
    response = client.post(
        f"/api/v1/party-hubs/{hub.public_id}/links/", {"member": str(other.public_id)}, format="json"
    )
    assert response.status_code == 201
    assert "中心户联系党员 2 名，超过本地设定的 1 名" in response.json()["warnings"]
    outside = registry_services.household_create(
        actor=registrar_of(w["c2"]), community=w["c2"], number="H9", dwelling=w["d3"]
    )
    link = response.json()["hub"]["links"][0]["id"]
    body = {"link": link, "household": str(outside.public_id)}
    response = client.post(f"/api/v1/party-hubs/{hub.public_id}/households/", body, format="json")
    assert response.status_code == 400 and response.json()["codes"] == {"household": ["party.household_outside"]}
    # An id that exists nowhere gets the same answer: the API does not tell which ids exist outside the hub.
    body = {"link": link, "household": str(uuid.uuid4())}
    nowhere = client.post(f"/api/v1/party-hubs/{hub.public_id}/households/", body, format="json")
    assert (nowhere.status_code, nowhere.json()) == (response.status_code, response.json())
