"""The REST API of owners' votes: the list and the detail with the live tally ("p/q" shares and the engine's
explanation), the publication after close, and the staff's writes (a drafted vote with its items, open, close, a
proxy with its written authorisation, paper ballot with its scan, confirmation or rejection by another staff
member). Every endpoint: one success and one denial; a refusal writes nothing."""

import json

import pytest
from rest_framework.test import APIClient

from shequ.accounts.tests.factories import staff
from shequ.core.models import AuditRecord
from shequ.registry.tests.factories import LISI_MOBILE, WANG_MOBILE
from shequ.votes import services
from shequ.votes.models import Ballot, ProxyAuthorisation, Scan, Vote, VoteItem

from .factories import CLOSES, draft, opened, owner_of, scan, vote_world

pytestmark = pytest.mark.django_db

CHOICES = {"1": "agree", "2": "oppose", "3": ["王芳"]}


@pytest.fixture
def w(clock):
    return vote_world()


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _state():
    return (
        list(Vote.objects.order_by("id").values_list("status", flat=True)),
        VoteItem.objects.count(),
        list(Ballot.objects.order_by("id").values_list("status", flat=True)),
        ProxyAuthorisation.objects.count(),
        Scan.objects.count(),
        AuditRecord.objects.count(),
    )


def _paper(w, vote, user=None, dwelling="1栋1单元1-301", choices=None):
    body = {"dwelling": dwelling, "choices": json.dumps(choices or CHOICES), "scan": scan()}
    return api(user or w["cw1"]).post(f"/api/v1/votes/{vote.public_id}/paper/", body, format="multipart")


# --- reads ---------------------------------------------------------------------------------------------------


def test_the_list_holds_the_votes_of_the_callers_communities(w):
    """c1's worker and the street officer list the vote; c2's worker lists none; a grid worker is refused."""
    vote = draft(w)
    for user in (w["cw1"], w["street1"]):
        body = api(user).get("/api/v1/votes/").json()
        assert [(row["id"], row["status"], row["compound"]["name"]) for row in body["results"]] == [
            (str(vote.public_id), "draft", w["compound1"].name)
        ]
    assert api(w["cw_c2"]).get("/api/v1/votes/").json()["count"] == 0
    assert api(staff("grid_worker", w["g11"])).get("/api/v1/votes/").status_code == 403
    assert api(w["cw1"]).get("/api/v1/votes/", {"status": "open"}).json()["count"] == 0


def test_the_detail_has_the_items_and_the_live_tally_as_exact_fractions(w):
    """After one confirmed paper ballot (张三丰, 189.50 of 664.50 ㎡, one of five owners) each item shows its
    participation and approval as "p/q" in lowest terms, with the engine's Chinese explanation."""
    vote = opened(w)
    ballot = services.paper_enter(
        actor=w["cw1"], owner=owner_of(vote, "1栋1单元1-301"), choices={1: "agree"}, upload=scan()
    )
    services.paper_confirm(actor=w["cw2"], ballot=ballot)
    response = api(w["street1"]).get(f"/api/v1/votes/{vote.public_id}/")
    assert response.status_code == 200
    body = response.json()
    assert [(i["position"], i["kind"], i["candidates"]) for i in body["items"]] == [
        (1, "ordinary", []),
        (2, "special", []),
        (3, "election", ["王芳", "刘强", "陈静"]),
    ]
    assert (body["total_area"], body["total_owners"], body["ballots"]["counted"]) == ("664.50", 5, 1)
    first = body["tally"][0]
    assert first["participation"] == {"area": "379/1329", "owners": "1/5"}
    assert first["approval"] == {"area": "1/1", "owners": "1/1"}
    assert (first["valid"], first["passed"], first["verdict"]) == (False, False, "参与不足，表决无效")
    assert first["explanation"][-1] == "事项未通过。"
    assert body["tally"][1]["participation"] == {"area": "0/1", "owners": "0/1"}
    assert body["tally"][2]["approval"] is None and body["published"] is False


def test_a_vote_of_another_community_is_404(w):
    vote = draft(w)
    assert api(w["cw_c2"]).get(f"/api/v1/votes/{vote.public_id}/").status_code == 404


def test_the_publication_after_close_lists_results_and_receipts_and_is_404_before(w, clock):
    """Before the close: 404. After: the frozen results, explanations and one receipt per counted ballot."""
    vote = opened(w)
    ballot = services.paper_enter(
        actor=w["cw1"], owner=owner_of(vote, "1栋1单元1-301"), choices={1: "agree"}, upload=scan()
    )
    services.paper_confirm(actor=w["cw2"], ballot=ballot)
    url = f"/api/v1/votes/{vote.public_id}/published/"
    assert api(w["cw1"]).get(url).status_code == 404
    clock.now = CLOSES
    services.vote_close(actor=w["cw1"], vote=vote)
    response = api(w["street1"]).get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["results"]["1"]["participation"] == {"area": "379/1329", "owners": "1/5"}
    assert [(r["code"], r["area"], r["choices"]["1"]) for r in body["receipts"]] == [
        (Ballot.objects.get(pk=ballot.pk).receipt_code, "189.50", "agree")
    ]
    assert api(w["cw_c2"]).get(url).status_code == 404


# --- writes --------------------------------------------------------------------------------------------------


def test_open_a_draft_and_refusals_change_nothing(w):
    """c1's worker opens it (electorate frozen); the street officer gets 403, c2's worker 404; twice is 400."""
    vote = draft(w)
    url = f"/api/v1/votes/{vote.public_id}/open/"
    before = _state()
    assert api(w["street1"]).post(url).status_code == 403
    assert api(w["cw_c2"]).post(url).status_code == 404
    assert _state() == before
    response = api(w["cw1"]).post(url)
    assert (response.status_code, response.json()["status"], response.json()["total_owners"]) == (200, "open", 5)
    assert api(w["cw1"]).post(url).status_code == 400


def test_close_after_the_deadline_only_and_refusals_change_nothing(w, clock):
    """Before the deadline 400; the street officer 403; after it, c1's worker closes and the results publish."""
    vote = opened(w)
    url = f"/api/v1/votes/{vote.public_id}/close/"
    before = _state()
    response = api(w["cw1"]).post(url)
    assert (response.status_code, response.json()["codes"]) == (400, {"non_field_errors": ["core.invalid"]})
    clock.now = CLOSES
    assert api(w["street1"]).post(url).status_code == 403
    assert _state() == before
    response = api(w["cw1"]).post(url)
    assert (response.status_code, response.json()["status"], response.json()["published"]) == (200, "closed", True)


def test_enter_a_paper_ballot_with_its_scan_then_another_worker_confirms_it(w):
    """The paper ballot waits (pending); its enterer may not confirm it (403); a colleague does (counted)."""
    vote = opened(w)
    response = _paper(w, vote)
    assert response.status_code == 201, response.content
    entered = response.json()
    assert (entered["dwelling"], entered["channel"], entered["status"]) == (
        "1栋1单元1-301、1栋1单元1-401",
        "paper",
        "pending",
    )
    url = f"/api/v1/votes/{vote.public_id}/confirm-paper/"
    before = _state()
    assert api(w["cw1"]).post(url, {"ballot": entered["id"]}, format="json").status_code == 403
    assert api(w["street1"]).post(url, {"ballot": entered["id"]}, format="json").status_code == 403
    assert api(w["cw_c2"]).post(url, {"ballot": entered["id"]}, format="json").status_code == 404
    assert _state() == before
    response = api(w["cw2"]).post(url, {"ballot": entered["id"]}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "counted")


def test_paper_ballot_refusals_write_nothing(w):
    """The street officer 403; c2's worker 404; a dwelling not in the electorate, a missing scan, a name for an
    ordinary item, a string for an election or text that is not JSON: 400 naming the field. No ballot, no scan,
    no audit record."""
    vote = opened(w)
    before = _state()
    assert _paper(w, vote, w["street1"]).status_code == 403
    assert _paper(w, vote, w["cw_c2"]).status_code == 404
    response = _paper(w, vote, dwelling="9栋9单元9-999")
    assert (response.status_code, list(response.json()["codes"])) == (400, ["dwelling"])
    response = _paper(w, vote, choices={"3": "王芳"})
    assert (response.status_code, list(response.json()["codes"])) == (400, ["choices"])
    response = _paper(w, vote, choices={"1": ["王芳"]})
    assert (response.status_code, list(response.json()["codes"])) == (400, ["choices"])
    response = _paper(w, vote, choices={"7": "agree"})
    assert (response.status_code, list(response.json()["codes"])) == (400, ["choices"])
    not_json = {"dwelling": "1栋1单元1-301", "choices": "{1: agree", "scan": scan()}
    response = api(w["cw1"]).post(f"/api/v1/votes/{vote.public_id}/paper/", not_json, format="multipart")
    assert (response.status_code, list(response.json()["codes"])) == (400, ["choices"])
    no_scan = {"dwelling": "1栋1单元1-301", "choices": json.dumps(CHOICES)}
    response = api(w["cw1"]).post(f"/api/v1/votes/{vote.public_id}/paper/", no_scan, format="multipart")
    assert (response.status_code, list(response.json()["codes"])) == (400, ["scan"])
    assert _state() == before


# --- a new vote ----------------------------------------------------------------------------------------------


def _new_vote(w, **changes):
    body = {
        "compound": str(w["compound1"].public_id),
        "title": "锦苑小区2026年业主大会",
        "description": "书面征求意见",
        "closes_at": CLOSES.isoformat(),
        "items": [
            {"kind": "ordinary", "title": "选聘新的物业服务企业", "text": "续聘蜀信物业，合同三年"},
            {"kind": "election", "title": "选举业主委员会委员", "seats": 2, "candidates": ["王芳", "刘强", "陈静"]},
            {"kind": "consent", "title": "1-301改为经营性用房", "affected": ["1栋1单元1-301", "1栋1单元1-401"]},
        ],
    }
    return {**body, **changes}


def test_a_community_worker_drafts_a_vote_with_its_items(w):
    """201 with the draft: its items numbered in order, the election's seats and candidates, the consent's
    affected dwellings; the vote is not verifiable when asked, and it is the worker's."""
    response = api(w["cw1"]).post("/api/v1/votes/", _new_vote(w, verifiable=False), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["title"], body["compound"]["id"], body["verifiable"], body["closes_at"]) == (
        "draft",
        "锦苑小区2026年业主大会",
        str(w["compound1"].public_id),
        False,
        "2026-03-31T02:00:00+08:00",
    )
    assert [(i["position"], i["kind"], i["title"], i["seats"], i["candidates"]) for i in body["items"]] == [
        (1, "ordinary", "选聘新的物业服务企业", None, []),
        (2, "election", "选举业主委员会委员", 2, ["王芳", "刘强", "陈静"]),
        (3, "consent", "1-301改为经营性用房", None, []),
    ]
    vote = Vote.objects.get(public_id=body["id"])
    assert (vote.created_by, vote.description) == (w["cw1"], "书面征求意见")
    consent = vote.items.get(position=3)
    assert set(consent.affected_dwellings.all()) == {w["d1"], w["d4"]}
    assert AuditRecord.objects.filter(action="votes.created").count() == 1


def test_a_bad_item_is_400_naming_it_and_writes_nothing(w):
    """More seats than candidates, and a consent naming a dwelling the compound does not have: 400 under `items`
    with the Chinese message of the item (core.invalid); a blank title is refused by the field. Nothing written."""
    before = _state()
    election = {"kind": "election", "title": "选举业主委员会委员", "seats": 3, "candidates": ["王芳", "刘强"]}
    response = api(w["cw1"]).post("/api/v1/votes/", _new_vote(w, items=[election]), format="json")
    assert (response.status_code, response.json()["items"], response.json()["codes"]) == (
        400,
        ["第 1 项：应选人数须在 1 到候选人数之间"],
        {"items": ["core.invalid"]},
    )
    consent = {"kind": "consent", "title": "改为经营性用房", "affected": ["9栋9单元9-999"]}
    response = api(w["cw1"]).post("/api/v1/votes/", _new_vote(w, items=[consent]), format="json")
    assert (response.status_code, response.json()["items"]) == (400, ["第 1 项：本小区没有房屋 9栋9单元9-999"])
    response = api(w["cw1"]).post("/api/v1/votes/", _new_vote(w, items=[]), format="json")
    assert (response.status_code, response.json()["items"]) == (400, ["至少需要一个表决事项"])
    response = api(w["cw1"]).post("/api/v1/votes/", _new_vote(w, closes_at="2026-03-01T08:00:00+08:00"), format="json")
    assert (response.status_code, response.json()["closes_at"]) == (400, ["截止时间须晚于现在"])
    assert _state() == before


def test_drafting_a_vote_is_refused_outside_the_community_and_writes_nothing(w):
    """The street officer organises no vote (403); c2's worker does not find compound1 (400 "not found")."""
    before = _state()
    response = api(w["street1"]).post("/api/v1/votes/", _new_vote(w), format="json")
    assert (response.status_code, response.json()["codes"]) == (403, {"detail": ["core.permission_denied"]})
    response = api(w["cw_c2"]).post("/api/v1/votes/", _new_vote(w), format="json")
    assert (response.status_code, response.json()["compound"], response.json()["codes"]) == (
        400,
        ["小区不存在或不在您的辖区内"],
        {"compound": ["core.invalid"]},
    )
    assert _state() == before


# --- rejecting a paper ballot --------------------------------------------------------------------------------


def _entered(w, vote):
    return services.paper_enter(
        actor=w["cw1"], owner=owner_of(vote, "1栋1单元1-301"), choices={1: "agree"}, upload=scan()
    )


def test_another_worker_rejects_a_paper_ballot_with_a_reason(w):
    """200: the ballot is rejected with the reason, by the second worker; the owner may vote again."""
    vote = opened(w)
    ballot = _entered(w, vote)
    url = f"/api/v1/votes/{vote.public_id}/reject-paper/"
    response = api(w["cw2"]).post(url, {"ballot": str(ballot.public_id), "reason": "签名与名册不符"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["status"], body["reject_reason"], body["dwelling"]) == (
        str(ballot.public_id),
        "rejected",
        "签名与名册不符",
        "1栋1单元1-301、1栋1单元1-401",
    )
    ballot.refresh_from_db()
    assert (ballot.status, ballot.confirmed_by, ballot.reject_reason) == ("rejected", w["cw2"], "签名与名册不符")
    assert AuditRecord.objects.filter(action="votes.paper_rejected").count() == 1


def test_rejecting_a_ballot_already_decided_or_without_a_reason_is_400(w):
    """A confirmed ballot cannot be rejected (400, "该纸质选票已复核", core.invalid); a missing reason is
    core.required. Nothing changes."""
    vote = opened(w)
    ballot = _entered(w, vote)
    services.paper_confirm(actor=w["cw2"], ballot=ballot)
    url = f"/api/v1/votes/{vote.public_id}/reject-paper/"
    before = _state()
    response = api(w["cw2"]).post(url, {"ballot": str(ballot.public_id), "reason": "签名与名册不符"}, format="json")
    assert (response.status_code, response.json()["non_field_errors"], response.json()["codes"]) == (
        400,
        ["该纸质选票已复核"],
        {"non_field_errors": ["core.invalid"]},
    )
    response = api(w["cw2"]).post(url, {"ballot": str(ballot.public_id)}, format="json")
    assert (response.status_code, response.json()["codes"]) == (400, {"reason": ["core.required"]})
    assert _state() == before


def test_rejecting_a_paper_ballot_is_refused_to_its_enterer_and_outside_and_writes_nothing(w):
    """Its enterer and the street officer 403; c2's worker 404; a ballot of another vote 404."""
    vote = opened(w)
    ballot = _entered(w, vote)
    other = opened(w)
    body = {"ballot": str(ballot.public_id), "reason": "签名与名册不符"}
    url = f"/api/v1/votes/{vote.public_id}/reject-paper/"
    before = _state()
    assert api(w["cw1"]).post(url, body, format="json").status_code == 403
    assert api(w["street1"]).post(url, body, format="json").status_code == 403
    assert api(w["cw_c2"]).post(url, body, format="json").status_code == 404
    wrong_vote = f"/api/v1/votes/{other.public_id}/reject-paper/"
    assert api(w["cw2"]).post(wrong_vote, body, format="json").status_code == 404
    assert _state() == before


# --- proxies -------------------------------------------------------------------------------------------------


def _proxy(w, vote, user=None, dwelling="1栋1单元1-301", mobile=LISI_MOBILE):
    body = {"dwelling": dwelling, "mobile": mobile, "scan": scan("authorisation.png")}
    return api(user or w["cw1"]).post(f"/api/v1/votes/{vote.public_id}/proxies/", body, format="multipart")


def test_register_a_proxy_with_the_written_authorisation(w):
    """201: 张三丰's owner (two dwellings) authorises 李四, found by the mobile the register holds; the scan is
    kept sealed; 李四 may now cast that owner's ballot."""
    vote = opened(w)
    response = _proxy(w, vote)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["vote"], body["dwelling"], body["proxy"]) == (
        str(vote.public_id),
        "1栋1单元1-301、1栋1单元1-401",
        {"id": str(w["lisi"].public_id), "name": "李四"},
    )
    authorisation = ProxyAuthorisation.objects.get(public_id=body["id"])
    assert (authorisation.owner, authorisation.proxy, authorisation.registered_by) == (
        owner_of(vote, "1栋1单元1-301"),
        w["lisi"],
        w["cw1"],
    )
    assert (authorisation.scan.content_type, authorisation.scan.size) == ("image/png", 72)


def test_a_proxy_is_400_for_an_unknown_mobile_or_a_second_proxy(w):
    """A mobile nobody in scope registered (王五 lives in c2) names `mobile`; a dwelling not in the electorate
    names `dwelling`; a second proxy for the same owner is refused by the service (core.invalid). Nothing more
    is written."""
    vote = opened(w)
    before = _state()
    response = _proxy(w, vote, mobile=WANG_MOBILE)
    assert (response.status_code, response.json()["mobile"], response.json()["codes"]) == (
        400,
        ["没有找到登记了该手机号码的居民"],
        {"mobile": ["core.invalid"]},
    )
    response = _proxy(w, vote, dwelling="9栋9单元9-999")
    assert (response.status_code, response.json()["dwelling"]) == (400, ["本次表决的业主名册中没有该房屋"])
    assert _state() == before
    assert _proxy(w, vote).status_code == 201
    after_first = _state()
    response = _proxy(w, vote)
    assert (response.status_code, response.json()["owner"], response.json()["codes"]) == (
        400,
        ["该业主已登记代理人，每位业主只能委托一位代理人"],
        {"owner": ["core.invalid"]},
    )
    assert _state() == after_first


def test_registering_a_proxy_is_refused_outside_the_community_and_writes_nothing(w):
    """The street officer 403; c2's worker 404. No authorisation, no scan, no audit record."""
    vote = opened(w)
    before = _state()
    assert _proxy(w, vote, w["street1"]).status_code == 403
    assert _proxy(w, vote, w["cw_c2"]).status_code == 404
    assert _state() == before
