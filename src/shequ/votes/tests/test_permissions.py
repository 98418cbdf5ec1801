"""Who may do what with a vote, as a table: (actor, action) → allowed, on a vote of compound1 (community c1)."""

import pytest

from shequ.accounts.tests.factories import staff
from shequ.core.actors import ResidentActor
from shequ.core.permissions import can
from shequ.votes import services

from .factories import opened, owner_of, scan, vote_world

pytestmark = pytest.mark.django_db

STAFF_TABLE = [
    # actor, votes.view, votes.manage, votes.enter_paper, votes.register_proxy
    ("cw1", True, True, True, True),
    ("secretary", True, True, True, True),
    ("street1", True, False, False, False),
    ("district", True, False, False, False),
    ("cw_c2", False, False, False, False),
    ("grid", False, False, False, False),
]


@pytest.fixture
def w(clock):
    w = vote_world()
    w["secretary"] = staff("community_secretary", w["c1"])
    w["district"] = staff("district_officer", w["district"])
    w["grid"] = staff("grid_worker", w["g11"])
    return w


@pytest.mark.parametrize(("who", "view", "manage", "enter", "proxy"), STAFF_TABLE)
def test_staff_table(w, who, view, manage, enter, proxy):
    vote = opened(w)
    actor = w[who]
    assert [
        bool(can(actor, a, vote)) for a in ("votes.view", "votes.manage", "votes.enter_paper", "votes.register_proxy")
    ] == [view, manage, enter, proxy]


def test_confirming_a_paper_ballot_needs_a_second_person(w):
    vote = opened(w)
    ballot = services.paper_enter(
        actor=w["cw1"], owner=owner_of(vote, "1栋1单元1-701"), choices={1: "agree"}, upload=scan()
    )
    assert [
        bool(can(w[k], "votes.confirm_paper", ballot)) for k in ("cw1", "cw2", "secretary", "street1", "cw_c2")
    ] == [
        False,
        True,
        True,
        False,
        False,
    ]


def test_residents_table(w):
    """Co-owners cast their own owner's ballot; a proxy casts the owner's; nobody else; staff never cast."""
    vote = opened(w)
    co_owned = owner_of(vote, "2栋1单元1-602")
    developer = owner_of(vote, "1栋1单元1-501")
    services.proxy_register(actor=w["cw1"], owner=developer, proxy=w["wang"], upload=scan())
    table = {
        (who, label): bool(can(ResidentActor(w[who]), "votes.cast", owner))
        for who in ("lisi", "zhao", "zsf", "wang", "child")
        for label, owner in (("co-owned", co_owned), ("developer", developer))
    }
    assert {k for k, allowed in table.items() if allowed} == {
        ("lisi", "co-owned"),
        ("zhao", "co-owned"),
        ("wang", "developer"),
    }
    assert not can(w["cw1"], "votes.cast", co_owned)
    assert [bool(can(ResidentActor(w[k]), "votes.see_published", vote)) for k in ("zsf", "zhao", "wang", "child")] == [
        True,
        True,
        False,
        False,
    ]
