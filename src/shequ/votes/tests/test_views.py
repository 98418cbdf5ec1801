"""Staff pages of owners' votes: every page answers its staff (success) and refuses others (404/403), forms
re-render with errors, and the tally page shows both thresholds and the engine's explanation."""

import datetime as dt

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.core.actors import ResidentActor
from shequ.core.models import AuditRecord
from shequ.votes import services
from shequ.votes.models import Ballot, Vote

from .factories import CLOSES, draft, opened, owner_of, scan, vote_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(clock):
    return vote_world()


@pytest.fixture
def vote(w):
    return opened(w)


def _as(client, user):
    client.force_login(user)
    return client


def test_list_shows_votes_in_scope_with_search_and_empty_state(client, w, vote):
    page = _as(client, w["cw1"]).get(reverse("votes:vote_list"))
    assert page.status_code == 200 and "锦苑小区2026年业主大会" in page.content.decode()
    assert "发起表决" in page.content.decode()
    found = client.get(reverse("votes:vote_list"), {"q": "不存在"})
    assert "没有符合条件的业主表决。" in found.content.decode()
    other = _as(client, w["cw_c2"]).get(reverse("votes:vote_list"))
    assert other.status_code == 200 and "您的辖区内还没有业主表决。" in other.content.decode()


def test_list_is_refused_to_a_grid_worker(client, w):
    grid = staff("grid_worker", w["g11"])
    assert _as(client, grid).get(reverse("votes:vote_list")).status_code == 403


def test_create_a_vote_with_items(client, w):
    data = {
        "compound": w["compound1"].pk,
        "title": "更换电梯表决",
        "description": "",
        "closes_at": "2026-03-30T18:00",
        "verifiable": "on",
        "item1-kind": "special",
        "item1-title": "使用维修资金更换电梯",
        "item2-kind": "election",
        "item2-title": "选举业委会",
        "item2-seats": "1",
        "item2-candidates": "王芳\n刘强",
        "item3-kind": "consent",
        "item3-title": "1-701改为经营性用房",
        "item3-affected": "1栋1单元1-601\n2栋1单元1-502",
    }
    response = _as(client, w["cw1"]).post(reverse("votes:vote_new"), data)
    vote = Vote.objects.get(title="更换电梯表决")
    assert response.status_code == 302 and response["Location"] == reverse("votes:vote_detail", args=[vote.public_id])
    assert [(i.kind, i.seats) for i in vote.items.all()] == [("special", None), ("election", 1), ("consent", None)]
    assert sorted(d.number for d in vote.items.get(kind="consent").affected_dwellings.all()) == ["1-502", "1-601"]


def test_create_with_an_unknown_dwelling_re_renders_with_the_error(client, w):
    data = {
        "compound": w["compound1"].pk,
        "title": "改变用途",
        "closes_at": "2026-03-30T18:00",
        "item1-kind": "consent",
        "item1-title": "改为经营性用房",
        "item1-affected": "9栋9单元9-999",
    }
    response = _as(client, w["cw1"]).post(reverse("votes:vote_new"), data)
    assert response.status_code == 400 and "第 1 项：本小区没有房屋 9栋9单元9-999" in response.content.decode()
    assert Vote.objects.count() == 0


def test_create_is_refused_to_a_street_officer(client, w):
    assert _as(client, w["street1"]).get(reverse("votes:vote_new")).status_code == 403


def test_detail_shows_the_live_tally_with_both_thresholds(client, w, vote):
    services.ballot_cast(actor=ResidentActor(w["zsf"]), owner=owner_of(vote, "1栋1单元1-301"), choices={1: "agree"})
    page = _as(client, w["street1"]).get(reverse("votes:vote_detail", args=[vote.public_id])).content.decode()
    assert "实时计票" in page and "≥ 2/3" in page and "&gt; 1/2" in page and "≥ 3/4" in page
    assert "参与表决的专有部分面积占总面积 28.5%（189.5㎡/664.5㎡），未达到 2/3。" in page
    assert "已计入 1 张，待复核 0 张，已作废 0 张" in page
    assert "录入纸质选票" not in page  # a street officer follows, does not run the vote


def test_detail_is_not_found_outside_the_scope(client, w, vote):
    assert _as(client, w["cw_c2"]).get(reverse("votes:vote_detail", args=[vote.public_id])).status_code == 404


def test_open_a_draft(client, w):
    vote = draft(w)
    response = _as(client, w["cw1"]).post(reverse("votes:vote_open", args=[vote.public_id]))
    assert response.status_code == 302 and Vote.objects.get(pk=vote.pk).status == "open"
    assert _as(client, w["street1"]).post(reverse("votes:vote_open", args=[vote.public_id])).status_code == 403


def test_paper_entry_then_a_colleague_confirms_from_the_queue(client, w, vote):
    data = {"dwelling": "1栋1单元1-701", "scan": scan(), "item_1": "agree", "item_2": "oppose"}
    response = _as(client, w["cw1"]).post(reverse("votes:paper_new", args=[vote.public_id]), data)
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.status == "pending"
    assert "没有等待您复核的纸质选票。" in client.get(reverse("votes:paper_queue")).content.decode()
    scan_page = client.get(reverse("votes:scan", args=[vote.public_id, ballot.public_id]))
    assert scan_page.status_code == 200 and scan_page.content.startswith(b"\x89PNG")
    queue = _as(client, w["cw2"]).get(reverse("votes:paper_queue")).content.decode()
    assert "1栋1单元1-701" in queue and "同意" in queue
    confirm = reverse("votes:paper_decide", args=[vote.public_id, ballot.public_id, "confirm"])
    assert client.post(confirm, {"next": "queue"})["Location"] == reverse("votes:paper_queue")
    ballot.refresh_from_db()
    assert (ballot.status, ballot.confirmed_by) == ("counted", w["cw2"])


def test_paper_entry_of_an_unknown_dwelling_is_refused(client, w, vote):
    data = {"dwelling": "9栋", "scan": scan(), "item_1": "agree"}
    response = _as(client, w["cw1"]).post(reverse("votes:paper_new", args=[vote.public_id]), data)
    assert response.status_code == 400 and "本次表决的业主名册中没有该房屋" in response.content.decode()
    assert Ballot.objects.count() == 0


def test_the_enterer_cannot_confirm_and_a_street_officer_cannot_enter(client, w, vote):
    ballot = services.paper_enter(
        actor=w["cw1"], owner=owner_of(vote, "1栋1单元1-701"), choices={1: "agree"}, upload=scan()
    )
    confirm = reverse("votes:paper_decide", args=[vote.public_id, ballot.public_id, "confirm"])
    assert _as(client, w["cw1"]).post(confirm).status_code == 403
    assert _as(client, w["street1"]).get(reverse("votes:paper_new", args=[vote.public_id])).status_code == 403
    assert client.get(reverse("votes:scan", args=[vote.public_id, ballot.public_id])).status_code == 403
    assert Ballot.objects.get().status == "pending"


def test_proxy_registration(client, w, vote):
    data = {"dwelling": "1栋1单元1-501", "mobile": "13700001111", "scan": scan("proxy.png")}
    # 王五 lives in c2: outside cw1's register scope, so cw1 cannot find him by his number.
    response = _as(client, w["cw1"]).post(reverse("votes:proxy_new", args=[vote.public_id]), data)
    assert response.status_code == 400 and "没有找到登记了该手机号码的居民" in response.content.decode()
    data = {"dwelling": "1栋1单元1-501", "mobile": "13987654321", "scan": scan("proxy.png")}
    assert client.post(reverse("votes:proxy_new", args=[vote.public_id]), data).status_code == 302
    assert owner_of(vote, "1栋1单元1-501").proxy.proxy == w["lisi"]
    assert _as(client, w["street1"]).get(reverse("votes:proxy_new", args=[vote.public_id])).status_code == 403


def test_close_confirmation_then_the_published_list(client, w, vote, clock):
    services.ballot_cast(actor=ResidentActor(w["zsf"]), owner=owner_of(vote, "1栋1单元1-301"), choices={1: "agree"})
    url = reverse("votes:vote_close", args=[vote.public_id])
    page = _as(client, w["cw1"]).get(url).content.decode()
    assert "确认结束并公布" in page
    early = client.post(url)
    assert early.status_code == 400 and "截止时间未到，不能提前结束表决" in early.content.decode()
    clock.now = CLOSES + dt.timedelta(hours=1)
    response = _as(client, w["cw1"]).post(url)  # signed in again: two weeks idle end a session
    assert response["Location"] == reverse("votes:vote_published", args=[vote.public_id])
    published = client.get(response["Location"]).content.decode()
    code = Ballot.objects.get().receipt_code
    assert f"{code[:5]}-{code[5:]}" in published and "回执码清单（共 1 张选票）" in published
    data = client.get(reverse("votes:vote_published_json", args=[vote.public_id])).json()
    assert data["receipts"][0]["code"] == code
    assert AuditRecord.objects.filter(action="votes.closed").count() == 1


def test_close_is_refused_to_a_street_officer(client, w, vote):
    assert _as(client, w["street1"]).post(reverse("votes:vote_close", args=[vote.public_id])).status_code == 403
    assert _as(client, w["street1"]).get(reverse("votes:vote_published", args=[vote.public_id])).status_code == 404
