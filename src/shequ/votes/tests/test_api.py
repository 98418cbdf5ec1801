"""The REST API of owners' votes: the list and the detail with the live tally ("p/q" shares and the engine's
explanation), the publication after close, and the staff's writes (open, close, paper ballot with its scan,
confirmation by another staff member). Every endpoint: one success and one denial; a refusal writes nothing."""

import json

import pytest
from rest_framework.test import APIClient

from shequ.accounts.tests.factories import staff
from shequ.core.models import AuditRecord
from shequ.votes import services
from shequ.votes.models import Ballot, Vote

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
        list(Ballot.objects.order_by("id").values_list("status", flat=True)),
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
