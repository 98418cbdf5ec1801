"""The REST endpoints: one success and one denial each, the shapes clients rely on, and masked contacts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from shequ.accounts import services as accounts_services
from shequ.coordination.models import ActorRole, FollowUp, JointMeeting
from shequ.coordination.tests.factories import CONTACT_MOBILE, meeting, state

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    key, _ = accounts_services.token_issue(actor=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_roles_list_masked_and_scoped(w):
    body = api(w["worker"]).get("/api/v1/community-actors/", {"community": str(w["c1"].public_id)}).json()
    rows = {r["unit"]["name"]: r for r in body["results"]}
    assert set(rows) == {"洗面桥社区居民委员会", "武侯区住房建设局"}
    assert (rows["洗面桥社区居民委员会"]["contact_mobile"], rows["洗面桥社区居民委员会"]["contact_name"]) == (
        "138****5678",
        "李*",
    )
    assert CONTACT_MOBILE not in str(body)
    assert api(w["other_worker"]).get("/api/v1/community-actors/").json()["results"] == []
    refused = api(w["other_worker"]).get("/api/v1/community-actors/", {"community": str(w["c1"].public_id)})
    assert refused.status_code == 400


def test_upsert(w):
    client = api(w["worker"])
    body = {"community": str(w["c1"].public_id), "unit": str(w["social"].public_id), "responsibilities": "助老服务"}
    created = client.post("/api/v1/community-actors/", body, format="json")
    assert created.status_code == 201 and created.json()["responsibilities"] == "助老服务"
    updated = client.post("/api/v1/community-actors/", {**body, "responsibilities": "助老、托幼服务"}, format="json")
    assert updated.status_code == 200 and ActorRole.objects.filter(unit=w["social"]).count() == 1
    outside = client.post("/api/v1/community-actors/", {**body, "unit": str(w["rc2"].public_id)}, format="json")
    assert outside.status_code == 400
    street = api(w["street"])
    before = state()
    assert street.post("/api/v1/community-actors/", body, format="json").status_code == 403
    assert state() == before


def test_reveal(w):
    url = f"/api/v1/community-actors/{w['role_rc'].public_id}/reveal/"
    assert api(w["secretary"]).post(url, {"reason": "通知开会"}, format="json").json() == {
        "name": "李梅",
        "mobile": CONTACT_MOBILE,
    }
    assert api(w["org_staff"]).post(url, {"reason": "通知开会"}, format="json").status_code == 403
    assert api(w["other_worker"]).post(url, {"reason": "通知开会"}, format="json").status_code == 404


def test_overview(w):
    body = api(w["org_staff"]).get("/api/v1/community-actors/overview/", {"community": str(w["c1"].public_id)}).json()
    assert body["centre"]["name"] == "洗面桥社区党委" and body["centre"]["secretary"] == ""
    keys = [g["key"] for g in body["groups"]]
    assert keys == ["party", "residents_committee", "owners", "property_company", "social_org", "department"]
    department = body["groups"][-1]["actors"][0]
    assert department["present_only"] is True and department["role"]["responsibilities"] == "老旧小区改造的技术指导"
    other = api(w["other_worker"]).get("/api/v1/community-actors/overview/", {"community": str(w["c1"].public_id)})
    assert other.status_code == 404


def test_meeting_create_and_follow_up_actions(w):
    client = api(w["secretary"])
    today = timezone.localdate()
    body = {
        "community": str(w["c1"].public_id),
        "held_on": today.isoformat(),
        "topic": "垃圾分类",
        "minutes": "物业负责设点，居委会宣传。",
        "participants": [str(w["committee"].unit.public_id), str(w["property"].public_id)],
        "follow_ups": [
            {
                "text": "增设分类投放点",
                "lead_unit": str(w["property"].public_id),
                "due_on": str(today + timedelta(days=7)),
            }
        ],
    }
    bad = client.post(
        "/api/v1/joint-meetings/", {**body, "minutes": "", "participants": body["participants"][:1]}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["codes"] == {
        "minutes": ["coordination.minutes_required"],
        "participants": ["coordination.participants_too_few"],
    }
    created = client.post("/api/v1/joint-meetings/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert [u["name"] for u in data["participants"]] == ["洗面桥社区党委", "锦苑物业公司"] or len(
        data["participants"]
    ) == 2
    follow_up = data["follow_up_items"][0]
    assert (follow_up["status"], follow_up["kind"], follow_up["case"]) == ("open", "none", None)
    url = f"/api/v1/joint-follow-ups/{follow_up['id']}/"
    cased = client.post(url + "case/", {}, format="json")
    assert cased.status_code == 200 and cased.json()["kind"] == "case" and cased.json()["case"]["tracking_number"]
    again = client.post(url + "proposal/", {}, format="json")
    assert again.status_code == 400 and again.json()["codes"] == {"kind": ["coordination.already_handed_over"]}
    done = client.post(url + "done/", {"done_on": today.isoformat(), "result": "已设 4 处"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    m = JointMeeting.objects.get()
    added = client.post(f"/api/v1/joint-meetings/{m.public_id}/follow-ups/", {"text": "评估效果"}, format="json")
    assert added.status_code == 201 and FollowUp.objects.count() == 2
    proposal = client.post(f"/api/v1/joint-follow-ups/{added.json()['id']}/proposal/", {}, format="json")
    assert proposal.status_code == 200 and proposal.json()["proposal"]
    assert api(w["street"]).post("/api/v1/joint-meetings/", body, format="json").status_code == 403


def test_meeting_list_and_retrieve_scoped(w):
    m = meeting(w)
    ids = [r["id"] for r in api(w["dept_officer"]).get("/api/v1/joint-meetings/").json()["results"]]
    assert ids == [str(m.public_id)]
    assert api(w["other_worker"]).get("/api/v1/joint-meetings/").json()["results"] == []
    assert api(w["other_worker"]).get(f"/api/v1/joint-meetings/{m.public_id}/").status_code == 404
    detail = api(w["street"]).get(f"/api/v1/joint-meetings/{m.public_id}/").json()
    assert detail["minutes"].startswith("各方同意") and detail["follow_ups"] == 1
    fid = m.follow_ups.get().public_id
    assert api(w["street"]).get(f"/api/v1/joint-follow-ups/{fid}/").status_code == 200
    assert api(w["street"]).post(f"/api/v1/joint-follow-ups/{fid}/done/", {}, format="json").status_code == 403


@pytest.mark.parametrize(("path", "text"), [("/api/v1/community-actors/", "kind"), ("/api/v1/joint-meetings/", "q")])
def test_blank_community_filter_is_refused_and_blank_text_is_no_filter(w, path, text):
    meeting(w)
    client = api(w["worker"])
    blank = client.get(path, {"community": ""})
    assert blank.status_code == 400 and "community" in blank.json()["codes"]
    everything = client.get(path).json()["count"]
    assert everything > 0 and client.get(path, {text: ""}).json()["count"] == everything
