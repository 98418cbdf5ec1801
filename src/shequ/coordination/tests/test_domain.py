"""The pure rules of joint meetings and follow-ups, without a database."""

from datetime import date

import pytest

from shequ.coordination import domain
from shequ.coordination.domain import Event, Kind, Status
from shequ.core.errors import InvalidTransition

DAY = date(2026, 3, 10)


@pytest.mark.parametrize(("status", "event"), [(s, e) for s in Status for e in Event])
def test_transition_table(status, event):
    """Every (status, event) pair: the table's row, or InvalidTransition when it has none."""
    expected = domain.TRANSITIONS.get((status, event))
    if expected is None:
        with pytest.raises(InvalidTransition):
            domain.next_status(status, event)
    else:
        assert domain.next_status(status, event) is expected


def test_table_rows():
    """Only an open follow-up moves: completion closes it, a hand-over keeps it open."""
    assert domain.TRANSITIONS == {
        (Status.OPEN, Event.COMPLETE): Status.DONE,
        (Status.OPEN, Event.TO_CASE): Status.OPEN,
        (Status.OPEN, Event.TO_PROPOSAL): Status.OPEN,
    }


@pytest.mark.parametrize(
    ("status", "kind", "refused"),
    [
        ("open", "none", False),
        ("open", "case", True),
        ("open", "proposal", True),
        ("done", "none", True),
        ("done", "case", True),
    ],
)
def test_hand_over_only_once_and_only_while_open(status, kind, refused):
    assert bool(domain.hand_over_refusal(status, kind)) is refused


@pytest.mark.parametrize(
    ("status", "due_on", "overdue"),
    [
        ("open", date(2026, 3, 9), True),
        ("open", DAY, False),
        ("open", None, False),
        ("done", date(2026, 3, 1), False),
    ],
)
def test_overdue(status, due_on, overdue):
    assert domain.is_overdue(status, due_on, DAY) is overdue


def _fields(problems):
    return [(p.field, p.code) for p in problems]


def test_a_complete_meeting_has_no_problem():
    problems = domain.check_meeting(
        held_on=DAY, today=DAY, topic="议题", minutes="纪要", participants=2, convener_takes_part=True
    )
    assert problems == []


def test_meeting_problems():
    """Future date, no topic, no minutes and a single unit are each refused with their code."""
    problems = domain.check_meeting(
        held_on=date(2026, 3, 11), today=DAY, topic="", minutes="", participants=1, convener_takes_part=True
    )
    assert _fields(problems) == [
        ("held_on", "future_date"),
        ("topic", "text_required"),
        ("minutes", "minutes_required"),
        ("participants", "participants_too_few"),
    ]


def test_the_convener_takes_part():
    problems = domain.check_meeting(
        held_on=DAY, today=DAY, topic="议题", minutes="纪要", participants=3, convener_takes_part=False
    )
    assert _fields(problems) == [("participants", "participants_too_few")]


def test_follow_up_due_not_before_the_meeting():
    assert _fields(domain.check_follow_up(text="事项", due_on=date(2026, 3, 9), held_on=DAY)) == [
        ("due_on", "due_before_meeting")
    ]
    assert domain.check_follow_up(text="事项", due_on=DAY, held_on=DAY) == []
    assert _fields(domain.check_follow_up(text="", due_on=None, held_on=DAY)) == [("text", "text_required")]


def test_completion():
    assert domain.check_completion(done_on=DAY, held_on=DAY, today=DAY, result="已完成") == []
    assert _fields(domain.check_completion(done_on=None, held_on=DAY, today=DAY, result="")) == [
        ("done_on", "date_invalid"),
        ("result", "text_required"),
    ]
    assert _fields(domain.check_completion(done_on=date(2026, 3, 11), held_on=DAY, today=DAY, result="x")) == [
        ("done_on", "future_date")
    ]


def test_ring_groups_cover_every_unit_kind():
    """Each kind of organisations.Unit falls in exactly one ring group; unknown kinds go to "other"."""
    from shequ.organisations.models import Unit

    kinds = [k for k, _label in Unit.KIND_CHOICES]
    assert sorted(domain.GROUP_OF_KIND) == sorted(kinds)
    assert domain.group_of("department") == "department"
    assert domain.group_of("unknown") == "other"


def test_every_problem_code_is_a_stable_error_code():
    from shequ.coordination.errors import code_of

    for name in ("text_required", "future_date", "date_invalid", "minutes_required", "participants_too_few"):
        assert code_of(name).value == f"coordination.{name}"
    assert code_of("due_before_meeting").value == "coordination.due_before_meeting"
    assert Kind.NONE.value == "none"
