"""The REST API of the Party side: organisations (list, detail with posts, health and schedule, set-up, coverage,
posts), members (masked, with their transfer history; recorded, made full, transferred, revealed with an audited
reason) and 三会一课 meetings (attendance, validity, decisions), scoped as permissions.py says. Every endpoint:
one success with exact values, a refusal by the rules (400 with the Chinese message and its code) and a denial
that writes nothing; an organiser of another branch does not find a member (404)."""

import datetime

import pytest
from rest_framework.test import APIClient

from shequ.accounts.tests.factories import staff
from shequ.core.models import AuditRecord
from shequ.organisations.models import Unit
from shequ.party import services
from shequ.party.models import MemberTransfer, PartyMeeting, PartyMember, PartyOrg, Post
from shequ.registry.tests.factories import make_world

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)  # the frozen clock's day (conftest.FIXED_NOW)


def _org(actor, level, name, area, parent=None, compound=None):
    data = services.OrgInput(level=level, name=name, area=area, parent=parent, compound=compound)
    return services.org_create(actor=actor, data=data)


def _member(actor, org, name, status="full", mobile=""):
    full = status == "full"
    data = services.MemberInput(
        name=name,
        status=status,
        joined_on=datetime.date(2010, 7, 1) if full else datetime.date(2025, 9, 1),
        full_on=datetime.date(2011, 7, 1) if full else None,
        mobile=mobile,
    )
    return services.member_add(actor=actor, org=org, data=data)


@pytest.fixture
def w(clock):
    """c1's committee with two branches (branch1 of compound1 with three full members and one probationary, branch2
    with one), c2's committee; an organiser of each branch, c1's and c2's Party secretaries, c1's community worker,
    s1's street officer and a grid worker of c1."""
    t = make_world()
    t["secretary"], t["secretary2"] = staff("community_secretary", t["c1"]), staff("community_secretary", t["c2"])
    t["cw"], t["street"], t["grid"] = t["registrar1"], staff("street_officer", t["s1"]), staff("grid_worker", t["g11"])
    sec = t["secretary"]
    t["committee"] = _org(sec, "committee", "洗面桥社区党委", t["c1"])
    t["branch1"] = _org(sec, "branch", "锦苑小区党支部", t["c1"], t["committee"], t["compound1"])
    t["branch2"] = _org(sec, "branch", "洗面桥第二党支部", t["c1"], t["committee"])
    t["committee2"] = _org(t["secretary2"], "committee", "玉林社区党委", t["c2"])
    t["organiser1"] = staff("party_organiser", t["c1"], unit=t["branch1"].unit)
    t["organiser2"] = staff("party_organiser", t["c1"], unit=t["branch2"].unit)
    t["cheng"] = _member(sec, t["branch1"], "程丽", mobile="13912345678")
    t["wang"] = _member(sec, t["branch1"], "王建国")
    t["li"] = _member(sec, t["branch1"], "李秀英")
    t["zhao"] = _member(sec, t["branch1"], "赵小龙", status="probationary")
    t["zhou"] = _member(sec, t["branch2"], "周敏")
    return t


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _state():
    return (
        Unit.objects.count(),
        PartyOrg.objects.count(),
        list(PartyMember.objects.order_by("id").values_list("org_id", "status", "active")),
        MemberTransfer.objects.count(),
        Post.objects.count(),
        PartyMeeting.objects.count(),
        AuditRecord.objects.count(),
    )


def _refused(response, status, field, code, message):
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert (body[field], body["codes"][field]) == (message if field == "detail" else [message], [code])


def _names(response):
    return {row["name"] for row in response.json()["results"]}


# --- organisations -------------------------------------------------------------------------------------------


def test_organisations_are_listed_to_territorial_staff_and_to_those_who_reach_them(w):
    """c1's worker sees c1's three organisations, the street officer the same, branch1's organiser only its
    branch; `level` and `q` filter; a grid worker sees the Party nowhere (403); a bad level is 400."""
    c1_orgs = {"洗面桥社区党委", "锦苑小区党支部", "洗面桥第二党支部"}
    assert _names(api(w["cw"]).get("/api/v1/party-orgs/")) == c1_orgs
    assert _names(api(w["street"]).get("/api/v1/party-orgs/")) == c1_orgs
    only = api(w["organiser1"]).get("/api/v1/party-orgs/").json()["results"]
    assert [(o["name"], o["level"], o["level_label"], o["parent"]["name"], o["compound"]["name"]) for o in only] == [
        ("锦苑小区党支部", "branch", "党支部", "洗面桥社区党委", "锦苑小区")
    ]
    assert _names(api(w["cw"]).get("/api/v1/party-orgs/", {"level": "branch"})) == c1_orgs - {"洗面桥社区党委"}
    assert _names(api(w["cw"]).get("/api/v1/party-orgs/", {"q": "锦苑"})) == {"锦苑小区党支部"}
    denied = api(w["grid"]).get("/api/v1/party-orgs/")
    _refused(denied, 403, "detail", "core.permission_denied", "您无权查看党组织")
    bad = api(w["cw"]).get("/api/v1/party-orgs/", {"level": "cell"})
    assert (bad.status_code, bad.json()["codes"]) == (400, {"level": ["core.invalid_choice"]})


def test_an_organisation_shows_member_counts_only_to_those_who_reach_its_members(w):
    """The secretary sees branch1's counts; c1's worker the same organisation without them; both its schedule for
    the first quarter of 2026; branch2's organiser and c2's secretary do not find it (404)."""
    url = f"/api/v1/party-orgs/{w['branch1'].public_id}/"
    reached = api(w["secretary"]).get(url).json()
    assert reached["health"] == {"full_members": 3, "probationary": 1, "committee": 0, "errors": [], "warnings": []}
    seen = api(w["cw"]).get(url).json()
    assert seen["health"] == {"full_members": None, "probationary": None, "committee": 0, "errors": [], "warnings": []}
    assert (seen["name"], seen["area"]["id"], seen["posts"], seen["joint"]) == (
        "锦苑小区党支部",
        str(w["c1"].public_id),
        [],
        False,
    )
    assert [(s["kind"], s["period_label"], s["due"], s["days_left"]) for s in seen["schedule"]] == [
        ("general", "2026年第1季度", True, 15),
        ("lesson", "2026年第1季度", True, 15),
        ("themed_day", "2026年3月", True, 15),
    ]
    assert seen["schedule"][0] == {
        "kind": "general",
        "kind_label": "支部党员大会",
        "period_label": "2026年第1季度",
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "last_held": None,
        "due": True,
        "overdue": False,
        "missed_periods": 0,
        "days_left": 15,
        "explanation": "2026年第1季度尚未召开支部党员大会，须在 2026年3月31日 前召开（还有 15 天）。尚无召开记录。",
    }
    for outsider in (w["organiser2"], w["secretary2"], w["grid"]):
        assert api(outsider).get(url).status_code == 404


def test_a_group_is_set_up_under_a_branch_its_organiser_manages(w):
    """branch1's organiser sets up a Party group on micro-grid m111 under its branch (201); under the committee,
    which it does not manage, the parent is "not found" (400)."""
    body = {"level": "group", "name": "锦苑第一党小组", "area": str(w["m111"].public_id)}
    before = _state()
    response = api(w["organiser1"]).post(
        "/api/v1/party-orgs/", {**body, "parent": str(w["branch1"].public_id)}, format="json"
    )
    assert response.status_code == 201, response.content.decode()
    data = response.json()
    assert (data["level"], data["level_label"], data["parent"]["id"], data["area"]["id"], data["compound"]) == (
        "group",
        "党小组",
        str(w["branch1"].public_id),
        str(w["m111"].public_id),
        None,
    )
    assert data["health"]["full_members"] == 0  # the organiser reaches the new group
    group = PartyOrg.objects.get(public_id=data["id"])
    assert (group.tree_path, group.unit.kind) == (f"{w['branch1'].tree_path}{group.pk}/", "party_group")
    assert AuditRecord.objects.filter(action="party.org_created", object_id=data["id"]).count() == 1
    assert PartyOrg.objects.count() == before[1] + 1
    above = api(w["organiser1"]).post(
        "/api/v1/party-orgs/", {**body, "parent": str(w["committee"].public_id)}, format="json"
    )
    _refused(above, 400, "parent", "core.invalid", "党组织不存在或不在您的管理范围内")


def test_setting_up_an_organisation_is_refused_by_the_rules_and_writes_nothing(w):
    """A group without a parent (party.level_invalid) and a joint branch naming no units (party.joint_invalid) are
    400 with the service's Chinese message; a community worker may set up nothing (403); nothing is written."""
    before = _state()
    group = {"level": "group", "name": "独立党小组", "area": str(w["c1"].public_id)}
    response = api(w["secretary"]).post("/api/v1/party-orgs/", group, format="json")
    _refused(response, 400, "parent", "party.level_invalid", "党小组须设在党支部之下")
    joint = {"level": "branch", "name": "联合党支部", "area": str(w["c1"].public_id), "joint": True}
    response = api(w["secretary"]).post("/api/v1/party-orgs/", joint, format="json")
    _refused(response, 400, "joint_units", "party.joint_invalid", "只有党支部可以是联合党支部，且须写明联合的单位")
    outside = {"level": "committee", "name": "玉林党委", "area": str(w["c2"].public_id)}
    response = api(w["secretary"]).post("/api/v1/party-orgs/", outside, format="json")
    _refused(response, 400, "area", "core.invalid", "辖区不存在或不在您的辖区内")
    denied = api(w["cw"]).post("/api/v1/party-orgs/", {**joint, "joint": False}, format="json")
    _refused(denied, 403, "detail", "core.permission_denied", "只有党务工作者可以管理党组织")
    assert _state() == before


def test_coverage_of_a_community_is_exact_and_a_percentage(w, clock):
    """compound1 has branch1 (1/1, 100.0%); one of c1's four micro-grids has a Party group (1/4, 25.0%); c2 is out
    of c1's worker's scope (404); a grid worker sees the Party nowhere (403); the organiser has no territory (404)."""
    _org(w["secretary"], "group", "锦苑第一党小组", w["m111"], w["branch1"])
    response = api(w["cw"]).get("/api/v1/party-orgs/coverage/", {"area": str(w["c1"].public_id)})
    assert response.status_code == 200
    assert response.json() == {
        "area": {"id": str(w["c1"].public_id), "name": "洗面桥社区"},
        "compounds": {"covered": 1, "total": 1, "share": "1/1", "text": "100.0%"},
        "micro_grids": {"covered": 1, "total": 4, "share": "1/4", "text": "25.0%"},
    }
    assert api(w["cw"]).get("/api/v1/party-orgs/coverage/", {"area": str(w["c2"].public_id)}).status_code == 404
    assert api(w["grid"]).get("/api/v1/party-orgs/coverage/", {"area": str(w["c1"].public_id)}).status_code == 403
    mine = api(w["organiser1"]).get("/api/v1/party-orgs/coverage/", {"area": str(w["c1"].public_id)})
    assert mine.status_code == 404
    missing = api(w["cw"]).get("/api/v1/party-orgs/coverage/")
    assert (missing.status_code, missing.json()["codes"]) == (400, {"area": ["core.required"]})


def test_a_post_is_recorded_with_its_warnings(w):
    """An organisation member (组织委员) of a branch of 3 full members is recorded, with the two warnings of the
    rules; a term ending before it starts is 400; a member of another branch is refused by the service; c1's worker
    sees the branch but may not record (403); nothing is written by the refusals."""
    url = f"/api/v1/party-orgs/{w['branch1'].public_id}/posts/"
    body = {"member": str(w["wang"].public_id), "post": "organisation", "term_starts_on": "2026-01-01"}
    before = _state()
    bad = api(w["organiser1"]).post(url, {**body, "term_ends_on": "2025-12-31"}, format="json")
    _refused(bad, 400, "term_ends_on", "party.term_invalid", "任期届满日期须晚于任期开始日期")
    other = api(w["secretary"]).post(
        url, {**body, "member": str(w["zhou"].public_id), "term_ends_on": "2031-01-01"}, format="json"
    )
    _refused(other, 400, "member", "party.not_a_member", "只能从本党组织的在册党员中任职")
    denied = api(w["cw"]).post(url, {**body, "term_ends_on": "2031-01-01"}, format="json")
    _refused(denied, 403, "detail", "core.permission_denied", "只有本党组织及上级党组织的党务工作者可以管理")
    assert _state() == before
    response = api(w["organiser1"]).post(url, {**body, "term_ends_on": "2031-01-01"}, format="json")
    assert response.status_code == 201, response.content.decode()
    data = response.json()
    assert data["warnings"] == [
        "正式党员不足 7 人的党支部不设支部委员会，设书记 1 名，必要时设副书记 1 名",
        "支部委员会一般由 3 至 5 人组成",
    ]
    post = data["post"]
    assert (post["member"], post["post"], post["post_label"], post["term_ends_on"], post["ended_on"]) == (
        {"id": str(w["wang"].public_id), "name": "王**"},
        "organisation",
        "组织委员",
        "2031-01-01",
        None,
    )
    detail = api(w["cw"]).get(f"/api/v1/party-orgs/{w['branch1'].public_id}/").json()
    assert [p["id"] for p in detail["posts"]] == [post["id"]]
    assert detail["health"]["committee"] == 1


# --- members -------------------------------------------------------------------------------------------------


def test_members_are_listed_masked_to_those_who_reach_them_only(w):
    """branch1's organiser lists its four members by masked name; `status` and `org` filter; an organisation
    outside its reach is 400; a community worker sees no member (403)."""
    response = api(w["organiser1"]).get("/api/v1/party-members/")
    assert [
        (m["name"], m["status"], m["status_label"], m["full_on"], m["org"]["name"]) for m in response.json()["results"]
    ] == [
        ("李**", "full", "正式党员", "2011-07-01", "锦苑小区党支部"),
        ("王**", "full", "正式党员", "2011-07-01", "锦苑小区党支部"),
        ("程*", "full", "正式党员", "2011-07-01", "锦苑小区党支部"),
        ("赵**", "probationary", "预备党员", None, "锦苑小区党支部"),
    ]
    assert _names(api(w["organiser1"]).get("/api/v1/party-members/", {"status": "probationary"})) == {"赵**"}
    assert _names(api(w["secretary"]).get("/api/v1/party-members/", {"org": str(w["branch2"].public_id)})) == {"周*"}
    outside = api(w["organiser1"]).get("/api/v1/party-members/", {"org": str(w["branch2"].public_id)})
    _refused(outside, 400, "org", "core.invalid", "党组织不存在或不在您的管理范围内")
    denied = api(w["cw"]).get("/api/v1/party-members/")
    _refused(denied, 403, "detail", "core.permission_denied", "只有党务工作者可以查看党员信息")


def test_a_member_shows_the_masked_mobile_and_history_and_another_branch_does_not_find_it(w):
    """程丽's detail for branch1's organiser: masked mobile, recorded on the clock's day; branch2's organiser, c1's
    worker and c2's secretary get 404."""
    url = f"/api/v1/party-members/{w['cheng'].public_id}/"
    data = api(w["organiser1"]).get(url).json()
    assert (data["name"], data["mobile"], data["joined_on"], data["active"], data["left_on"]) == (
        "程*",
        "139****5678",
        "2010-07-01",
        True,
        None,
    )
    assert data["transfers"] == [
        {
            "kind": "in",
            "kind_label": "转入",
            "from_org": None,
            "to_org": {"id": str(w["branch1"].public_id), "name": "锦苑小区党支部"},
            "outside_org": "",
            "on": "2010-07-01",  # recorded without a date: on the roll since joining the Party
            "note": "登记",
        }
    ]
    for outsider in (w["organiser2"], w["cw"], w["secretary2"]):
        assert api(outsider).get(url).status_code == 404


def test_a_member_is_recorded_in_an_organisation_the_caller_manages(w):
    """branch1's organiser records a probationary member transferring in (201, masked); a probationary member with
    a full date and a name already on the roll are 400 with the service's codes; branch2 is "not found" to it;
    a community worker is refused (403); the refusals write nothing."""
    body = {
        "org": str(w["branch1"].public_id),
        "name": "孙志强",
        "status": "probationary",
        "joined_on": "2026-01-10",
        "mobile": "13800001111",
        "transferred_from": "某大学学生党支部",
    }
    before = _state()
    both = api(w["organiser1"]).post("/api/v1/party-members/", {**body, "full_on": "2026-02-01"}, format="json")
    _refused(both, 400, "full_on", "party.date_invalid", "预备党员没有转正日期")
    twice = api(w["organiser1"]).post("/api/v1/party-members/", {**body, "name": "程丽"}, format="json")
    _refused(twice, 400, "name", "party.member_duplicate", "该党员已在本党组织登记")
    other = api(w["organiser1"]).post(
        "/api/v1/party-members/", {**body, "org": str(w["branch2"].public_id)}, format="json"
    )
    _refused(other, 400, "org", "core.invalid", "党组织不存在或不在您的管理范围内")
    denied = api(w["cw"]).post("/api/v1/party-members/", body, format="json")
    _refused(denied, 403, "detail", "core.permission_denied", "只有党务工作者可以管理党组织")
    assert _state() == before
    response = api(w["organiser1"]).post("/api/v1/party-members/", body, format="json")
    assert response.status_code == 201, response.content.decode()
    data = response.json()
    assert (data["name"], data["mobile"], data["status"], data["full_on"]) == (
        "孙**",
        "138****1111",
        "probationary",
        None,
    )
    assert [(t["kind"], t["outside_org"], t["note"]) for t in data["transfers"]] == [("in", "某大学学生党支部", "转入")]
    stored = PartyMember.objects.get(public_id=data["id"])
    assert "孙志强" not in stored.name_encrypted and "13800001111" not in stored.mobile_encrypted


def test_a_probationary_member_is_made_full_once(w):
    """赵小龙 becomes a full member on 2026-03-01; a second time is 400; a date after today is 400; branch2's
    organiser does not find him (404)."""
    url = f"/api/v1/party-members/{w['zhao'].public_id}/make-full/"
    before = _state()
    future = api(w["organiser1"]).post(url, {"full_on": "2026-03-17"}, format="json")
    _refused(future, 400, "full_on", "party.future_date", "日期不能晚于今天")
    assert api(w["organiser2"]).post(url, {"full_on": "2026-03-01"}, format="json").status_code == 404
    assert _state() == before
    response = api(w["organiser1"]).post(url, {"full_on": "2026-03-01"}, format="json")
    assert response.status_code == 200, response.content.decode()
    assert (response.json()["status"], response.json()["full_on"]) == ("full", "2026-03-01")
    again = api(w["organiser1"]).post(url, {"full_on": "2026-03-01"}, format="json")
    _refused(again, 400, "member", "party.status_invalid", "该党员已是正式党员")


def test_a_member_is_transferred_within_the_tree_or_out_of_it(w):
    """The secretary moves 王建国 to branch2 (branch1's organiser then no longer finds him) and transfers 李秀英 out
    (off the roll); naming both a target and an outside organisation is 400; branch1's organiser cannot move a
    member to branch2, which it does not manage (400); branch2's organiser does not find 王建国 (404)."""
    wang_url = f"/api/v1/party-members/{w['wang'].public_id}/transfer/"
    before = _state()
    both = api(w["secretary"]).post(
        wang_url, {"to_org": str(w["branch2"].public_id), "outside_org": "外单位", "on": "2026-03-16"}, format="json"
    )
    _refused(both, 400, "to_org", "party.target_invalid", "须选择转入的党组织或填写外部党组织名称")
    unmanaged = api(w["organiser1"]).post(
        wang_url, {"to_org": str(w["branch2"].public_id), "on": "2026-03-16"}, format="json"
    )
    _refused(unmanaged, 400, "to_org", "core.invalid", "党组织不存在或不在您的管理范围内")
    assert (
        api(w["organiser2"]).post(wang_url, {"outside_org": "外单位", "on": "2026-03-16"}, format="json").status_code
        == 404
    )
    assert _state() == before
    moved = api(w["secretary"]).post(
        wang_url, {"to_org": str(w["branch2"].public_id), "on": "2026-03-16", "note": "工作调动"}, format="json"
    )
    assert moved.status_code == 200, moved.content.decode()
    assert moved.json()["org"]["id"] == str(w["branch2"].public_id)
    assert [(t["kind"], t["from_org"] and t["from_org"]["name"], t["note"]) for t in moved.json()["transfers"]] == [
        ("in", None, "登记"),
        ("within", "锦苑小区党支部", "工作调动"),
    ]
    assert api(w["organiser1"]).get(f"/api/v1/party-members/{w['wang'].public_id}/").status_code == 404
    out = api(w["organiser1"]).post(
        f"/api/v1/party-members/{w['li'].public_id}/transfer/",
        {"outside_org": "某街道机关党支部", "on": "2026-03-16"},
        format="json",
    )
    assert out.status_code == 200, out.content.decode()
    assert (out.json()["active"], out.json()["left_on"], out.json()["transfers"][-1]["outside_org"]) == (
        False,
        "2026-03-16",
        "某街道机关党支部",
    )
    left = api(w["organiser1"]).get("/api/v1/party-members/", {"status": "left"})
    assert _names(left) == {"李**"}


def test_a_reveal_answers_the_full_name_and_mobile_and_is_audited(w):
    """branch1's organiser sees 程丽's name and mobile with a reason (one audit record with the reason); a blank
    reason is 400 and audits nothing; branch2's organiser does not find her (404)."""
    url = f"/api/v1/party-members/{w['cheng'].public_id}/reveal/"
    before = _state()
    blank = api(w["organiser1"]).post(url, {"reason": " "}, format="json")
    _refused(blank, 400, "reason", "party.reason_required", "须填写查看原因")
    assert api(w["organiser2"]).post(url, {"reason": "核实"}, format="json").status_code == 404
    assert _state() == before
    response = api(w["organiser1"]).post(url, {"reason": "通知参加党员大会"}, format="json")
    assert (response.status_code, response.json()) == (200, {"name": "程丽", "mobile": "13912345678"})
    record = AuditRecord.objects.get(action="party.member_revealed")
    assert (record.object_id, record.after) == (str(w["cheng"].public_id), {"reason": "通知参加党员大会"})


# --- meetings ------------------------------------------------------------------------------------------------


def _meeting_body(w, present, **extra):
    return {
        "org": str(w["branch1"].public_id),
        "kind": "general",
        "held_on": "2026-03-10",
        "topic": "讨论接收预备党员",
        "present": [str(w[k].public_id) for k in present],
        **extra,
    }


def test_a_general_meeting_is_recorded_with_its_quorum_attendance_and_decisions(w):
    """Two of three full members and the probationary member present: valid (needed 2), the decision passes with
    2 votes for; the attendance lists everyone on the roll, masked; the list and the detail show it to branch1's
    organiser only."""
    body = _meeting_body(w, ["cheng", "wang", "zhao"], decisions=[{"title": "同意接收预备党员", "votes_for": 2}])
    body["absence_reasons"] = {str(w["li"].public_id): "外出"}
    response = api(w["organiser1"]).post("/api/v1/party-meetings/", body, format="json")
    assert response.status_code == 201, response.content.decode()
    data = response.json()
    assert (data["kind_label"], data["entitled"], data["present"], data["valid"]) == ("支部党员大会", 3, 2, True)
    assert data["validity"] == {
        "valid": True,
        "needed": 2,
        "explanation": "应到有表决权的正式党员 3 人，实到 2 人，超过半数，可以作出决定。",
    }
    assert sorted(
        (a["member"]["name"], a["status"], a["present"], a["absence_reason"]) for a in data["attendance"]
    ) == [
        ("李**", "full", False, "外出"),
        ("王**", "full", True, ""),
        ("程*", "full", True, ""),
        ("赵**", "probationary", True, ""),
    ]
    [decision] = data["decisions"]
    assert (decision["title"], decision["votes_for"], decision["passed"]) == ("同意接收预备党员", 2, True)
    assert decision["explanation"].endswith("赞成 2 票，超过应到会有表决权党员的半数（至少须 2 票），通过。")
    listed = api(w["organiser1"]).get("/api/v1/party-meetings/").json()["results"]
    assert [m["id"] for m in listed] == [data["id"]]
    assert api(w["organiser2"]).get("/api/v1/party-meetings/").json()["count"] == 0
    assert api(w["organiser2"]).get(f"/api/v1/party-meetings/{data['id']}/").status_code == 404
    assert api(w["organiser1"]).get(f"/api/v1/party-meetings/{data['id']}/").json() == data


def test_a_meeting_short_of_its_quorum_is_kept_but_decides_nothing(w):
    """One of three full members present: recorded (201), not valid, the decision does not pass."""
    body = _meeting_body(w, ["cheng"], decisions=[{"title": "同意接收预备党员", "votes_for": 1}])
    data = api(w["organiser1"]).post("/api/v1/party-meetings/", body, format="json").json()
    assert (data["valid"], data["validity"]["needed"], data["decisions"][0]["passed"]) == (False, 2, False)


def test_recording_a_meeting_is_refused_by_the_rules_and_writes_nothing(w):
    """A member transferred out (that day) is refused by masked name; more votes than full members present
    is 400; a lesson needs no quorum; a community worker is refused (403); nothing is written by the refusals."""
    services.member_transfer(actor=w["secretary"], member=w["li"], on=TODAY, outside_org="某街道机关党支部")
    before = _state()
    gone_body = _meeting_body(w, ["cheng", "li"], held_on=TODAY.isoformat())
    gone = api(w["organiser1"]).post("/api/v1/party-meetings/", gone_body, format="json")
    _refused(gone, 400, "present", "party.not_a_member", "李** 在会议当天不是本党组织的党员（已转出或尚未入党）")
    votes = _meeting_body(w, ["cheng", "wang"], decisions=[{"title": "事项", "votes_for": 2, "votes_against": 1}])
    too_many = api(w["organiser1"]).post("/api/v1/party-meetings/", votes, format="json")
    assert (too_many.status_code, too_many.json()["codes"]) == (
        400,
        {"decisions[0].votes_for": ["party.counts_invalid"]},
    )
    denied = api(w["cw"]).post("/api/v1/party-meetings/", _meeting_body(w, ["cheng"]), format="json")
    _refused(denied, 403, "detail", "core.permission_denied", "只有党务工作者可以管理党组织")
    assert api(w["cw"]).get("/api/v1/party-meetings/").status_code == 403
    assert _state() == before
    lesson = api(w["organiser1"]).post(
        "/api/v1/party-meetings/", _meeting_body(w, ["cheng"], kind="lesson"), format="json"
    )
    assert (lesson.status_code, lesson.json()["valid"], lesson.json()["validity"]) == (201, None, None)
