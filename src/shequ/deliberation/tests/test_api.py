"""The REST API of deliberation: bodies with members, terms and rules; proposals; meetings with resolutions;
residents' groups and meeting requests, scoped as the pages; a proposal recorded by staff and a resolution
recorded through the services. Every endpoint: one success and one denial; a refusal writes nothing."""

import datetime

import pytest
from rest_framework.test import APIClient

from shequ.accounts.tests.factories import staff
from shequ.core.actors import ResidentActor
from shequ.core.models import AuditRecord
from shequ.deliberation import proposal_services, selectors, services
from shequ.deliberation.models import Proposal, RequestSupport, Resolution
from shequ.deliberation.tests.factories import council, meeting
from shequ.registry.tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    t = make_world()
    t["cw"], t["cw2"] = t["registrar1"], t["registrar2"]
    t["street"] = staff("street_officer", t["s1"])
    t["grid"] = staff("grid_worker", t["g11"])
    t["body"] = council(t["cw"], t["c1"], [t["zsf"], t["lisi"]], term_end=datetime.date(2030, 1, 1))
    t["meeting"] = meeting(t["cw"], t["body"])
    t["proposal"] = proposal_services.proposal_submit(
        actor=ResidentActor(t["zsf"]), community=t["c1"], title="增设充电桩", description="小区增设电动车充电桩"
    )
    t["group"] = services.group_create(
        actor=t["cw"], community=t["c1"], data=services.GroupInput(name="第一居民小组", buildings=[t["b1"]])
    )
    t["request"] = services.meeting_request_open(
        actor=t["cw"], community=t["c1"], basis="households", subject="讨论小区停车管理办法"
    )
    return t


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _state():
    return (Proposal.objects.count(), Resolution.objects.count(), AuditRecord.objects.count())


COLLECTIONS = {
    "bodies": "body",
    "proposals": "proposal",
    "meetings": "meeting",
    "residents-groups": "group",
    "meeting-requests": "request",
}


@pytest.mark.parametrize("kind", list(COLLECTIONS))
def test_each_collection_lists_the_callers_communities_only(w, kind):
    """c1's worker and the street officer list c1's object; c2's worker lists nothing; a grid worker is refused
    (403); the object answers its detail to c1's worker and 404 to c2's."""
    obj = w[COLLECTIONS[kind]]
    for user in (w["cw"], w["street"]):
        response = api(user).get(f"/api/v1/{kind}/")
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [str(obj.public_id)]
    assert api(w["cw2"]).get(f"/api/v1/{kind}/").json()["count"] == 0
    assert api(w["grid"]).get(f"/api/v1/{kind}/").status_code == 403
    assert api(w["cw"]).get(f"/api/v1/{kind}/{obj.public_id}/").status_code == 200
    assert api(w["cw2"]).get(f"/api/v1/{kind}/{obj.public_id}/").status_code == 404


def test_a_body_lists_its_members_terms_and_rules(w):
    """The council's two members with their roles and terms, the earliest term end, and the default rules."""
    body = api(w["cw"]).get(f"/api/v1/bodies/{w['body'].public_id}/").json()
    assert (body["kind"], body["kind_label"], body["community"]["id"]) == (
        "residents_council",
        "居民议事会",
        str(w["c1"].public_id),
    )
    assert [(m["name"], m["role"], m["term_end"], m["serving"]) for m in body["members"]] == [
        ("张三丰", "chair", "2030-01-01", True),
        ("李四", "member", "2030-01-01", True),
    ]
    assert body["term_end"] == "2030-01-01"
    assert (body["rules"]["quorum"], body["rules"]["majority"], body["rules"]["support_threshold"]) == (
        "1/2",
        "1/2",
        10,
    )


def test_the_proposal_list_filters_by_status_and_a_bad_status_is_400(w):
    """`status` filters; the detail has the text and support count (张三丰 serves on the council: 议事会成员提出);
    an unknown status is 400 naming the field."""
    response = api(w["cw"]).get("/api/v1/proposals/", {"status": "completed"})
    assert response.json()["count"] == 0
    detail = api(w["cw"]).get(f"/api/v1/proposals/{w['proposal'].public_id}/").json()
    assert (detail["status"], detail["source"], detail["support_count"], detail["description"]) == (
        "discussing",
        "member",
        0,
        "小区增设电动车充电桩",
    )
    bad = api(w["cw"]).get("/api/v1/proposals/", {"status": "lost"})
    assert (bad.status_code, bad.json()["codes"]) == (400, {"status": ["core.invalid_choice"]})


def test_staff_record_a_proposal_for_their_community(w):
    """201: the proposal of the Party organisation, addressed to the council, with its threshold."""
    body = {
        "community": str(w["c1"].public_id),
        "title": "改造小区健身场地",
        "description": "更换老旧健身器材",
        "source": "party",
        "body": str(w["body"].public_id),
    }
    response = api(w["cw"]).post("/api/v1/proposals/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["source"], data["status"], data["body"]["id"], data["support_threshold"]) == (
        "party",
        "discussing",
        str(w["body"].public_id),
        10,
    )
    assert Proposal.objects.get(public_id=data["id"]).author_user == w["cw"]


def test_recording_a_proposal_is_refused_outside_the_community_and_writes_nothing(w):
    """The street officer records for no community (403); c2's worker does not find c1 (400); a source residents
    use is refused (400)."""
    body = {"community": str(w["c1"].public_id), "title": "改造场地", "description": "更换器材", "source": "staff"}
    before = _state()
    assert api(w["street"]).post("/api/v1/proposals/", body, format="json").status_code == 403
    response = api(w["cw2"]).post("/api/v1/proposals/", body, format="json")
    assert (response.status_code, list(response.json()["codes"])) == (400, ["community"])
    response = api(w["cw"]).post("/api/v1/proposals/", {**body, "source": "resident"}, format="json")
    assert (response.status_code, response.json()["codes"]) == (400, {"source": ["core.invalid_choice"]})
    assert _state() == before


def _attend(w):
    members = list(selectors.members_of(w["body"]))
    services.attendance_record(actor=w["cw"], meeting=w["meeting"], present_ids=[m.public_id for m in members])
    return members


def test_record_a_resolution_on_a_proposal_of_the_agenda(w):
    """Both members present and in favour: the resolution passes and adopts the proposal; the meeting lists it."""
    members = _attend(w)
    item = services.agenda_add(actor=w["cw"], meeting=w["meeting"], proposal=w["proposal"])
    body = {
        "text": "同意增设充电桩二十个",
        "agenda_item": str(item.public_id),
        "votes": {str(m.public_id): "yes" for m in members},
    }
    response = api(w["cw"]).post(f"/api/v1/meetings/{w['meeting'].public_id}/resolutions/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["title"], data["present"], data["yes"], data["passed"], data["agenda_item"]) == (
        "增设充电桩",
        2,
        2,
        True,
        str(item.public_id),
    )
    assert sorted(v["choice"] for v in data["votes"]) == ["yes", "yes"]
    detail = api(w["street"]).get(f"/api/v1/meetings/{w['meeting'].public_id}/").json()
    assert [r["id"] for r in detail["resolutions"]] == [data["id"]]
    assert detail["attendance"] == {"recorded": 2, "present": 2}
    assert api(w["cw"]).get(f"/api/v1/proposals/{w['proposal'].public_id}/").json()["status"] == "adopted"


def test_resolution_refusals_write_nothing(w):
    """The street officer 403; c2's worker 404; before attendance is recorded 400 (deliberation.no_attendance);
    an unknown choice 400."""
    url = f"/api/v1/meetings/{w['meeting'].public_id}/resolutions/"
    body = {"title": "增设充电桩", "text": "同意增设充电桩二十个", "votes": {}}
    before = _state()
    assert api(w["street"]).post(url, body, format="json").status_code == 403
    assert api(w["cw2"]).post(url, body, format="json").status_code == 404
    response = api(w["cw"]).post(url, body, format="json")
    assert (response.status_code, response.json()["codes"]) == (400, {"votes": ["deliberation.no_attendance"]})
    response = api(w["cw"]).post(url, {**body, "votes": {"x": "maybe"}}, format="json")
    assert (response.status_code, list(response.json()["codes"])) == (400, ["votes"])
    assert _state() == before


def test_record_a_supporter_of_a_residents_meeting_request(w):
    """c1's worker records 张三丰 (counted with household H001): one supporter; twice is 400
    (deliberation.support_duplicate)."""
    url = f"/api/v1/meeting-requests/{w['request'].public_id}/supporters/"
    response = api(w["cw"]).post(url, {"resident": str(w["zsf"].public_id)}, format="json")
    assert (response.status_code, response.json()["supporters"], response.json()["basis"]) == (200, 1, "households")
    again = api(w["cw"]).post(url, {"resident": str(w["zsf"].public_id)}, format="json")
    assert (again.status_code, again.json()["codes"]) == (400, {"resident": ["deliberation.support_duplicate"]})


def test_supporter_refusals_write_nothing(w):
    """The street officer 403; c2's worker 404; a resident of c2 is "not found" for c1's request (400)."""
    url = f"/api/v1/meeting-requests/{w['request'].public_id}/supporters/"
    before = (_state(), RequestSupport.objects.count())
    assert api(w["street"]).post(url, {"resident": str(w["zsf"].public_id)}, format="json").status_code == 403
    assert api(w["cw2"]).post(url, {"resident": str(w["zsf"].public_id)}, format="json").status_code == 404
    response = api(w["cw"]).post(url, {"resident": str(w["wang"].public_id)}, format="json")
    assert (response.status_code, list(response.json()["codes"])) == (400, ["resident"])
    assert (_state(), RequestSupport.objects.count()) == before
