"""The REST API of deliberation: bodies with members, terms and rules; proposals; meetings with resolutions;
residents' groups and meeting requests, scoped as the pages; a proposal recorded by staff, its comments (listed,
added by staff, hidden with a reason) and a resolution recorded through the services. Every endpoint: one success
and one denial; a refusal writes nothing."""

import datetime

import pytest
from rest_framework.test import APIClient

from shequ.accounts.tests.factories import staff
from shequ.core.actors import ResidentActor
from shequ.core.models import AuditRecord
from shequ.deliberation import proposal_services, selectors, services
from shequ.deliberation.models import Proposal, ProposalComment, RequestSupport, Resolution
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


# --- comments on a proposal ----------------------------------------------------------------------------------


def _comments():
    return (list(ProposalComment.objects.order_by("id").values_list("text", "hidden_reason")), _state())


def _resident_comment(w, text="充电桩最好装在地面停车场"):
    return proposal_services.proposal_comment(actor=ResidentActor(w["lisi"]), proposal=w["proposal"], text=text)


def test_staff_comment_and_the_list_shows_every_comment_with_its_author_kind(w):
    """201 for the worker's comment; the list (the street officer's too) holds the resident's comment and the
    worker's, oldest first, told as 居民 / 社区 without names."""
    first = _resident_comment(w)
    url = f"/api/v1/proposals/{w['proposal'].public_id}/comments/"
    response = api(w["cw"]).post(url, {"text": "社区已联系供电部门核实容量"}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["text"], created["author"], created["author_label"], created["hidden"]) == (
        "社区已联系供电部门核实容量",
        "staff",
        "社区",
        False,
    )
    assert ProposalComment.objects.get(public_id=created["id"]).author_user == w["cw"]
    listed = api(w["street"]).get(url)
    assert listed.status_code == 200
    assert listed.json()["count"] == 2
    assert [(c["id"], c["author"], c["author_label"], c["text"]) for c in listed.json()["results"]] == [
        (str(first.public_id), "resident", "居民", "充电桩最好装在地面停车场"),
        (created["id"], "staff", "社区", "社区已联系供电部门核实容量"),
    ]


def test_a_comment_with_a_mobile_or_on_a_closed_proposal_is_400_and_writes_nothing(w):
    """A mobile number in the text: 400 "请勿填写手机号码或身份证号码" (deliberation.personal_number); a declined
    proposal takes no more comments (deliberation.proposal_closed)."""
    url = f"/api/v1/proposals/{w['proposal'].public_id}/comments/"
    before = _comments()
    response = api(w["cw"]).post(url, {"text": "请联系13812345678"}, format="json")
    assert (response.status_code, response.json()["text"], response.json()["codes"]) == (
        400,
        ["请勿填写手机号码或身份证号码"],
        {"text": ["deliberation.personal_number"]},
    )
    assert _comments() == before
    proposal_services.proposal_decline(actor=w["cw"], proposal=w["proposal"], reason="不属于居民自治事项")
    declined = _comments()
    response = api(w["cw"]).post(url, {"text": "补充意见"}, format="json")
    assert (response.status_code, response.json()["text"], response.json()["codes"]) == (
        400,
        ["该议题已不再征集意见"],
        {"text": ["deliberation.proposal_closed"]},
    )
    assert _comments() == declined


def test_commenting_and_listing_are_refused_outside_the_community_and_write_nothing(w):
    """The street officer reads but does not comment (403); c2's worker gets 404 for both; a grid worker 404."""
    url = f"/api/v1/proposals/{w['proposal'].public_id}/comments/"
    before = _comments()
    response = api(w["street"]).post(url, {"text": "同意"}, format="json")
    assert (response.status_code, response.json()["codes"]) == (403, {"detail": ["core.permission_denied"]})
    assert api(w["cw2"]).post(url, {"text": "同意"}, format="json").status_code == 404
    assert api(w["cw2"]).get(url).status_code == 404
    assert api(w["grid"]).get(url).status_code == 404
    assert _comments() == before


def test_staff_hide_a_comment_with_a_reason(w):
    """200: the resident's comment is hidden with the reason and stays listed for staff; the portal's list drops
    it."""
    comment = _resident_comment(w, text="某某住户乱停车，大家去骂他")
    url = f"/api/v1/proposals/{w['proposal'].public_id}/hide-comment/"
    response = api(w["cw"]).post(url, {"comment": str(comment.public_id), "reason": "含人身攻击"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["hidden"], body["hidden_reason"], body["author"]) == (
        str(comment.public_id),
        True,
        "含人身攻击",
        "resident",
    )
    comment.refresh_from_db()
    assert (comment.hidden_by, comment.hidden_reason) == (w["cw"], "含人身攻击")
    assert list(selectors.comments_of(w["proposal"], include_hidden=False)) == []
    listed = api(w["cw"]).get(f"/api/v1/proposals/{w['proposal'].public_id}/comments/").json()
    assert [(c["id"], c["hidden"]) for c in listed["results"]] == [(str(comment.public_id), True)]


def test_hiding_without_a_reason_is_400_and_refusals_write_nothing(w):
    """A blank reason is core.blank; a reason with an ID number deliberation.personal_number; the street officer
    403; c2's worker 404; a comment id of another proposal 404. Nothing hidden, no audit record."""
    comment = _resident_comment(w)
    url = f"/api/v1/proposals/{w['proposal'].public_id}/hide-comment/"
    ref = {"comment": str(comment.public_id)}
    before = _comments()
    response = api(w["cw"]).post(url, {**ref, "reason": " "}, format="json")
    assert (response.status_code, response.json()["codes"]) == (400, {"reason": ["core.blank"]})
    response = api(w["cw"]).post(url, {**ref, "reason": "身份证110101199003074514"}, format="json")
    assert (response.status_code, response.json()["reason"], response.json()["codes"]) == (
        400,
        ["请勿填写手机号码或身份证号码"],
        {"reason": ["deliberation.personal_number"]},
    )
    assert api(w["street"]).post(url, {**ref, "reason": "含人身攻击"}, format="json").status_code == 403
    assert api(w["cw2"]).post(url, {**ref, "reason": "含人身攻击"}, format="json").status_code == 404
    assert _comments() == before
    other = proposal_services.proposal_submit(
        actor=w["cw"], community=w["c1"], title="改造场地", description="更换器材", source="staff"
    )
    before = _comments()
    other_url = f"/api/v1/proposals/{other.public_id}/hide-comment/"
    assert api(w["cw"]).post(other_url, {**ref, "reason": "含人身攻击"}, format="json").status_code == 404
    assert _comments() == before
