"""Permission tables of volunteer service: (actor, action, object) → allowed. A volunteer sees and acts only on their
own record; an organiser of another unit cannot confirm; community staff keep only their community; street and
district officers read within their scope and write nothing."""

import pytest

from shequ.core.actors import ResidentActor
from shequ.core.permissions import can
from shequ.volunteers import selectors
from shequ.volunteers.tests.factories import confirmed, make_volunteer_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def w(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        world = make_volunteer_world()
        world["record"] = confirmed(world)  # so1's activity in c1, zsf's hours confirmed
        world["signup"] = world["record"].signup
        world["activity"] = world["record"].activity
        yield world
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def actor(w, key):
    return ResidentActor(w[key[2:]]) if key.startswith("r:") else w[key]


STAFF = ("worker1", "secretary1", "worker2", "street1", "district", "so1_staff", "so2_staff", "pb1_organiser")

# (action, object key) → the staff who may
STAFF_TABLE = {
    ("volunteers.view", "v_zsf"): {"worker1", "secretary1", "street1", "district"},
    ("volunteers.view", "v_wang"): {"worker2", "district"},
    ("volunteers.manage", "v_zsf"): {"worker1", "secretary1"},
    ("volunteers.manage", "v_wang"): {"worker2"},
    ("volunteers.organise", "so1"): {"worker1", "secretary1", "so1_staff"},
    ("volunteers.organise", "pb1"): {"worker1", "secretary1", "pb1_organiser"},
    ("volunteers.organise", "so2"): {"worker2", "so2_staff"},
    ("volunteers.organise", "activity"): {"worker1", "secretary1", "so1_staff"},
    ("volunteers.organise", "signup"): {"worker1", "secretary1", "so1_staff"},
    ("volunteers.organise", "record"): {"worker1", "secretary1", "so1_staff"},
}


@pytest.mark.parametrize(("action", "obj"), list(STAFF_TABLE))
@pytest.mark.parametrize("who", STAFF)
def test_staff_table(w, who, action, obj):
    assert bool(can(w[who], action, w[obj])) is (who in STAFF_TABLE[action, obj])


@pytest.mark.parametrize(
    ("who", "obj", "allowed"),
    [
        ("r:zsf", "v_zsf", True),
        ("r:lisi", "v_zsf", False),  # another volunteer's record
        ("r:wang", "v_zsf", False),
        ("r:zsf", "signup", True),
        ("r:lisi", "signup", False),
        ("r:zsf", "record", True),
        ("r:lisi", "record", False),
        ("r:zsf", "activity", True),  # an activity of their community
        ("r:wang", "activity", False),
        ("r:zsf", "zsf", True),  # registering themselves
        ("r:zsf", "lisi", False),
    ],
)
def test_resident_table(w, who, obj, allowed):
    assert bool(can(actor(w, who), "volunteers.self", w[obj])) is allowed


@pytest.mark.parametrize("who", STAFF)
def test_staff_never_act_as_a_volunteer(w, who):
    assert not can(w[who], "volunteers.self", w["v_zsf"])


@pytest.mark.parametrize("action", ["volunteers.view", "volunteers.manage", "volunteers.organise"])
def test_residents_never_act_as_staff(w, action):
    assert not can(ResidentActor(w["zsf"]), action, w["v_zsf"])


def test_a_volunteer_sees_only_their_own_record(w):
    """The portal's selectors answer the resident's own volunteer record and nobody else's."""
    assert selectors.volunteer_of_resident(w["zsf"]) == w["v_zsf"]
    assert selectors.volunteer_of_resident(w["lisi"]) == w["v_lisi"]
    assert list(selectors.records_of(w["v_lisi"])) == []
    with pytest.raises(Exception):  # noqa: B017 - NotFound
        selectors.get_own_record(w["v_lisi"], w["record"].public_id)


def test_registry_lists_follow_the_scope(w):
    ids = lambda who: {v.pk for v in selectors.volunteers_for(w[who])}  # noqa: E731
    assert ids("worker1") == {w["v_zsf"].pk, w["v_lisi"].pk, w["v_minor"].pk}
    assert ids("worker2") == {w["v_wang"].pk}
    assert ids("district") == ids("worker1") | ids("worker2")
    assert ids("so1_staff") == set()


def test_corrections_reach_the_organiser_only(w):
    from shequ.volunteers.models import Correction

    c = Correction.objects.create(
        record=w["record"], volunteer=w["v_zsf"], text="时长", asked_at=w["record"].confirmed_at
    )
    assert set(selectors.corrections_for(w["so1_staff"])) == {c}
    assert set(selectors.corrections_for(w["worker1"])) == {c}
    assert set(selectors.corrections_for(w["so2_staff"])) == set()
    assert set(selectors.corrections_for(w["pb1_organiser"])) == set()
    c.delete()
