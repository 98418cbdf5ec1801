"""The case page's next step: which actions an actor may take on a case now, and which one is expected next.

One rule for the page, the action view and the tests:

- An action is offered when its event is allowed in the case's status by the transition table (or, for a step
  that keeps the status, when its own condition holds) and the actor has the action's permission on the case
  (`can()`; 审批 is checked on the pending request).
- The holder's own work (签收, 办结, 退单, 申请延期/中止) is offered only to whoever holds the case now: the staff of
  the unit leading it, or staff whose own area holds it. The areas above the holder keep their permission (the
  services accept it, e.g. to act for an absent grid worker) but the page does not offer it: a dispatcher who
  sent the case to a grid or a unit no longer sees the holder's buttons.
- The primary action is the first offered in `PRIMARY_ORDER` (the step the workflow expects next); the others
  go to the menu. Actions that end or hand away the case (`DESTRUCTIVE`) are run only after a confirmation.

`next_steps(state, powers)` is pure: a `CaseState` and the permission names the actor holds on the case.
`steps_for(actor, case)` reads both from the database.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shequ.core.permissions import can
from shequ.core.scoping import scope_of

from .domain import Event, allowed_events
from .permissions import HANDLE_ROLES, UNIT_ROLES

HOLD = "cases.handle"  # in `powers` only for the holder itself (see `holds`)


@dataclass(frozen=True)
class CaseState:
    """What of a case decides the actions on offer."""

    status: str
    needs_triage: bool = False
    malicious_status: str = ""
    pending_request: bool = False


@dataclass(frozen=True)
class Rule:
    event: Event | None  # None: a step that keeps the status
    permission: str
    when: Callable[[CaseState], bool] | None = None
    destructive: bool = False
    also: str = ""  # a second permission the actor must hold


def _may_triage(s: CaseState) -> bool:
    """Triage while the case waits for it, and a category correction before dispatch."""
    return s.needs_triage or s.status in ("submitted", "accepted")


def _may_request(s: CaseState) -> bool:
    return s.status in ("dispatched", "in_progress") and not s.pending_request


def _is_open(s: CaseState) -> bool:
    return s.status in ("submitted", "accepted", "dispatched", "in_progress", "suspended")


# In menu order. The permission of "decide" is checked on the pending request.
RULES: dict[str, Rule] = {
    "triage": Rule(None, "cases.dispatch", _may_triage),
    "accept": Rule(Event.ACCEPT, "cases.dispatch"),
    "reject": Rule(Event.REJECT, "cases.dispatch", destructive=True),
    "dispatch": Rule(Event.DISPATCH, "cases.dispatch", lambda s: not s.needs_triage),
    "transfer": Rule(Event.TRANSFER, "cases.dispatch", destructive=True),
    "start": Rule(Event.START, HOLD),
    "return": Rule(Event.RETURN, HOLD, destructive=True),
    "resolve": Rule(Event.RESOLVE, HOLD),
    "request": Rule(None, HOLD, _may_request),
    "decide": Rule(None, "cases.approve_request", lambda s: s.pending_request),
    "resume": Rule(Event.RESUME, "cases.resume"),
    "assist": Rule(None, "cases.assist", _is_open),
    "rate": Rule(Event.CLOSE, "cases.rate"),
    "reopen": Rule(Event.REOPEN, "cases.reopen"),
    # Staff record a withdrawal the reporter asked for where the reporter turns: the dispatching unit.
    "withdraw": Rule(Event.WITHDRAW, "cases.withdraw", destructive=True, also="cases.dispatch"),
    "merge": Rule(Event.MERGE, "cases.dispatch", destructive=True),
    "flag": Rule(
        None,
        "cases.flag_malicious",
        lambda s: s.malicious_status not in ("proposed", "confirmed"),
        destructive=True,
    ),
    "review": Rule(None, "cases.review_malicious", lambda s: s.malicious_status == "proposed"),
}
# The step the workflow expects next, first match wins (分拣 only while the case waits for it). Reopening,
# refusing, handing away, withdrawing, merging and flagging are never the expected step: they stay in the menu.
PRIMARY_ORDER = ("triage", "accept", "dispatch", "start", "resolve", "decide", "resume", "rate", "review", "assist")
DESTRUCTIVE = frozenset(name for name, rule in RULES.items() if rule.destructive)
PERMISSIONS = frozenset({rule.permission for rule in RULES.values()} | {r.also for r in RULES.values() if r.also})


@dataclass(frozen=True)
class NextSteps:
    primary: str | None
    others: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return ((self.primary,) if self.primary else ()) + self.others

    def __contains__(self, name: object) -> bool:
        return name in self.names


def next_steps(state: CaseState, powers: frozenset[str]) -> NextSteps:
    """The actions offered on a case in `state` to an actor holding the permissions `powers`, primary first."""
    allowed = set(allowed_events(state.status))
    offered = [
        name
        for name, rule in RULES.items()
        if (rule.event is None or rule.event in allowed)
        and (rule.when is None or rule.when(state))
        and rule.permission in powers
        and (not rule.also or rule.also in powers)
    ]
    expected = [name for name in PRIMARY_ORDER if name in offered and (name != "triage" or state.needs_triage)]
    primary = expected[0] if expected else None
    return NextSteps(primary, tuple(name for name in offered if name != primary))


def holds(actor: Any, case: Any) -> bool:
    """Whether the actor works for whoever holds the case now: the unit leading it, else the holder area itself."""
    scope = scope_of(actor)
    if case.holder_unit_id is not None:
        return case.holder_unit_id in scope.unit_ids(UNIT_ROLES)
    return any(g.area_id == case.holder_id and g.role in HANDLE_ROLES for g in scope.grants)


def case_state(case: Any, pending: Any) -> CaseState:
    return CaseState(
        status=case.status,
        needs_triage=bool(case.needs_triage),
        malicious_status=case.malicious_status or "",
        pending_request=pending is not None,
    )


def powers_of(actor: Any, case: Any, pending: Any) -> frozenset[str]:
    """The permissions of `RULES` the actor holds on the case (the holder's work only for the holder)."""
    found = set()
    for permission in PERMISSIONS:
        if permission == "cases.approve_request":
            allowed = pending is not None and can(actor, permission, pending).allowed
        elif permission == HOLD:
            allowed = can(actor, permission, case).allowed and holds(actor, case)
        else:
            allowed = can(actor, permission, case).allowed
        if allowed:
            found.add(permission)
    return frozenset(found)


def steps_for(actor: Any, case: Any) -> NextSteps:
    """The actions the case page offers this actor now (see the module docstring)."""
    from .selectors import pending_request

    pending = pending_request(case)
    return next_steps(case_state(case, pending), powers_of(actor, case, pending))
