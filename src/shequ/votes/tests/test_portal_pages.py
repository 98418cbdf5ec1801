"""Residents' vote pages (portal): an owner lists, casts, sees the receipt, changes before close and checks the
receipt in the published list; a non-owner sees no vote and cannot reach a ballot (404)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.votes import services
from shequ.votes.models import Ballot

from .factories import CLOSES, opened, owner_of, vote_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(clock):
    return vote_world()


@pytest.fixture
def vote(w):
    return opened(w)


def _sign_in(client, resident):
    client.cookies.clear()  # a new portal session (a moved clock may have expired the old one)
    session = client.session
    session["portal_resident"] = str(resident.public_id)
    session["portal_last_activity"] = int(timezone.now().timestamp())
    session.save()
    return client


def _ballot_url(vote, owner):
    return reverse("portal:vote_ballot", args=[vote.public_id, owner.public_id])


def test_an_owner_votes_sees_the_receipt_and_changes_the_ballot(client, w, vote):
    owner = owner_of(vote, "1栋1单元1-301")
    page = _sign_in(client, w["zsf"]).get(reverse("portal:vote_list")).content.decode()
    assert "锦苑小区2026年业主大会" in page and "1栋1单元1-301、1栋1单元1-401" in page and "去投票" in page
    form = client.get(_ballot_url(vote, owner)).content.decode()
    assert "最多选 2 人；不选表示不参与此项" in form
    response = client.post(_ballot_url(vote, owner), {"item_1": "agree", "item_3": ["王芳"]})
    receipt_url = reverse("portal:vote_receipt", args=[vote.public_id, owner.public_id])
    assert response["Location"] == receipt_url
    first = Ballot.objects.get()
    receipt = client.get(receipt_url).content.decode()
    assert first.receipt_code[:5] in receipt and "未参与" in receipt and "王芳" in receipt
    assert re.search(r'value="agree"[^>]* checked', client.get(_ballot_url(vote, owner)).content.decode())
    client.post(_ballot_url(vote, owner), {"item_1": "oppose"})
    first.refresh_from_db()
    assert first.status == "void" and Ballot.objects.get(status="counted").receipt_code != first.receipt_code


def test_too_many_candidates_are_refused_with_the_reason(client, w, vote):
    owner = owner_of(vote, "2栋1单元1-502")
    response = _sign_in(client, w["lisi"]).post(_ballot_url(vote, owner), {"item_3": ["王芳", "刘强", "陈静"]})
    assert response.status_code == 400 and "“选举业主委员会委员”最多选 2 人，您选了 3 人" in response.content.decode()
    assert Ballot.objects.count() == 0


def test_a_non_owner_sees_no_vote_and_cannot_reach_a_ballot(client, w, vote):
    owner = owner_of(vote, "1栋1单元1-301")
    page = _sign_in(client, w["child"]).get(reverse("portal:vote_list")).content.decode()
    assert "您目前没有需要参加的业主表决" in page
    assert client.post(_ballot_url(vote, owner), {"item_1": "agree"}).status_code == 404
    assert Ballot.objects.count() == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, vote):
    assert client.get(reverse("portal:vote_list"))["Location"] == reverse("portal:login")


def test_published_list_checks_a_receipt(client, w, vote, clock):
    owner = owner_of(vote, "1栋1单元1-301")
    _sign_in(client, w["zsf"]).post(_ballot_url(vote, owner), {"item_1": "agree"})
    old = Ballot.objects.get()
    client.post(_ballot_url(vote, owner), {"item_1": "oppose"})
    new = Ballot.objects.get(status="counted")
    clock.now = CLOSES + dt.timedelta(minutes=5)
    services.vote_close(actor=w["cw1"], vote=vote)
    url = reverse("portal:vote_published", args=[vote.public_id])
    listed = _sign_in(client, w["zsf"]).get(url, {"code": new.receipt_code.lower()}).content.decode()
    assert 'data-check="listed"' in listed and "1. 选聘新的物业服务企业" in listed and "反对" in listed
    void = client.get(url, {"code": old.receipt_code}).content.decode()
    assert 'data-check="void"' in void
    assert _sign_in(client, w["wang"]).get(url).status_code == 404
