"""The warning state table, run row by row without a database, and the reopening rule."""

import pytest

from shequ.analysis.domain import (
    TRANSITIONS,
    Event,
    InvalidTransition,
    State,
    allowed_events,
    new_codes,
    next_state,
    reopens,
)

EXPECTED = {
    (State.OPEN, Event.ACKNOWLEDGE): State.ACKNOWLEDGED,
    (State.OPEN, Event.ASSIGN): State.ASSIGNED,
    (State.ACKNOWLEDGED, Event.ASSIGN): State.ASSIGNED,
    (State.ASSIGNED, Event.ASSIGN): State.ASSIGNED,
    (State.OPEN, Event.CLOSE): State.CLOSED,
    (State.ACKNOWLEDGED, Event.CLOSE): State.CLOSED,
    (State.ASSIGNED, Event.CLOSE): State.CLOSED,
    (State.OPEN, Event.NOTE): State.OPEN,
    (State.ACKNOWLEDGED, Event.NOTE): State.ACKNOWLEDGED,
    (State.ASSIGNED, Event.NOTE): State.ASSIGNED,
    (State.CLOSED, Event.NOTE): State.CLOSED,
    (State.CLOSED, Event.REOPEN): State.OPEN,
}


@pytest.mark.parametrize(("state", "event"), [(s, e) for s in State for e in Event])
def test_every_state_and_event(state, event):
    """Each (state, event) pair either leads where the table says or raises InvalidTransition."""
    if (state, event) in EXPECTED:
        assert next_state(state, event) is EXPECTED[(state, event)]
    else:
        with pytest.raises(InvalidTransition):
            next_state(state, event)


def test_the_table_is_exactly_the_expected_one():
    """No row more, no row less."""
    assert TRANSITIONS == EXPECTED


def test_staff_actions_by_state():
    """Open: all four; acknowledged: no second acknowledgement; closed: only a note."""
    assert [e.value for e in allowed_events("open")] == ["acknowledge", "assign", "note", "close"]
    assert [e.value for e in allowed_events("acknowledged")] == ["assign", "note", "close"]
    assert [e.value for e in allowed_events("assigned")] == ["assign", "note", "close"]
    assert [e.value for e in allowed_events("closed")] == ["note"]


def test_only_a_new_code_reopens_a_closed_warning():
    """The same codes (other numbers) or fewer never reopen; a code not there at closing does; open ones never."""
    at_close = ["repeat_reporter", "overdue"]
    assert not reopens("closed", ["overdue", "repeat_reporter"], at_close)
    assert not reopens("closed", ["overdue"], at_close)
    assert reopens("closed", ["overdue", "supports"], at_close)
    assert new_codes(["supports", "overdue", "escalated"], at_close) == ["supports", "escalated"]
    assert not reopens("open", ["supports"], at_close)
    assert not reopens("acknowledged", ["supports"], [])
