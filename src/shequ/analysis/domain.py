"""Rules of a stored warning (预警处置): its states, what each action does, and when a closed warning reopens.

- A warning is open when first raised. Staff acknowledge it (已知悉), assign it to a person (已指派; again to
  change the person) or close it (已关闭) from any state but closed; a note may be added in any state and changes
  nothing else.
- Recomputation updates the score and the reasons in every state. A closed warning reopens (back to open, the
  person kept) only when a reason code appears that was not among the codes it had when it was closed: the same
  reasons with other numbers (one more day overdue, one more support) do not reopen it.
- Which warnings a list shows is decided by the district's threshold (`RiskThreshold`), not by the state.
"""

from collections.abc import Iterable
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class State(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    CLOSED = "closed"


STATE_LABELS = {
    State.OPEN: _("待处置"),
    State.ACKNOWLEDGED: _("已知悉"),
    State.ASSIGNED: _("已指派"),
    State.CLOSED: _("已关闭"),
}
STATE_CHOICES = [(s.value, STATE_LABELS[s]) for s in State]


class Event(StrEnum):
    RAISE = "raise"
    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    NOTE = "note"
    CLOSE = "close"
    REOPEN = "reopen"


EVENT_LABELS = {
    Event.RAISE: _("生成预警"),
    Event.ACKNOWLEDGE: _("知悉"),
    Event.ASSIGN: _("指派"),
    Event.NOTE: _("备注"),
    Event.CLOSE: _("关闭"),
    Event.REOPEN: _("出现新的预警原因，重新打开"),
}
EVENT_CHOICES = [(e.value, EVENT_LABELS[e]) for e in Event]

# Actions people take from the list (RAISE and REOPEN are the recomputation's).
STAFF_EVENTS = (Event.ACKNOWLEDGE, Event.ASSIGN, Event.NOTE, Event.CLOSE)

TRANSITIONS: dict[tuple[State, Event], State] = {
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


class InvalidTransition(Exception):
    def __init__(self, state: State, event: Event) -> None:
        super().__init__(f"{event.value} is not possible in state {state.value}")
        self.state, self.event = state, event


def next_state(state: State | str, event: Event | str) -> State:
    """The state after `event`; raises InvalidTransition when the event is not possible in `state`."""
    state, event = State(state), Event(event)
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidTransition(state, event) from None


def allowed_events(state: State | str) -> list[Event]:
    """The staff actions possible in `state`, in the order of STAFF_EVENTS."""
    return [e for e in STAFF_EVENTS if (State(state), e) in TRANSITIONS]


def new_codes(current: Iterable[str], at_close: Iterable[str]) -> list[str]:
    """Reason codes present now that were not there when the warning was closed, in their current order."""
    before = set(at_close)
    return [code for code in current if code not in before]


def reopens(state: State | str, current: Iterable[str], at_close: Iterable[str]) -> bool:
    """Whether a recomputation reopens the warning: it is closed and a new reason code appeared."""
    return State(state) is State.CLOSED and bool(new_codes(current, at_close))
