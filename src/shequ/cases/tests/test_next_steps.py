"""The case page's next step as a table, without a database: for each status and role, the primary action and
the actions in the menu (`next_steps.next_steps`)."""

import pytest

from shequ.cases.case_actions import ACTIONS
from shequ.cases.next_steps import DESTRUCTIVE, HOLD, RULES, CaseState, next_steps

# The permissions each role holds on the case (what `powers_of` reads with `can()`; the holder's work only for
# the holder itself).
DISPATCH = {"cases.dispatch", "cases.resume", "cases.flag_malicious", "cases.withdraw", "cases.rate", "cases.reopen"}
ROLES = {
    # the community that holds the case: accepts, dispatches, and may handle it itself
    "holding_dispatcher": frozenset(DISPATCH | {HOLD}),
    # the community after dispatching to a grid or a unit: supervises, no longer holds
    "dispatcher_above": frozenset(DISPATCH),
    # the grid worker or the unit's staff the case was dispatched to
    "holder": frozenset({HOLD, "cases.resume", "cases.flag_malicious", "cases.withdraw"}),
    # a helper unit (双派单)
    "helper": frozenset({"cases.assist", "cases.withdraw"}),
    # the level above the holder with a request to decide
    "approver": frozenset(DISPATCH | {"cases.approve_request"}),
    # the community Party secretary reviewing a proposed malicious flag
    "reviewer": frozenset({"cases.review_malicious", "cases.withdraw"}),
}

TABLE = [
    # (status, state flags, role, primary, menu)
    ("submitted", {}, "holding_dispatcher", "accept", ("triage", "reject", "withdraw", "merge", "flag")),
    (
        "submitted",
        {"needs_triage": True},
        "holding_dispatcher",
        "triage",
        ("accept", "reject", "withdraw", "merge", "flag"),
    ),
    ("submitted", {}, "holder", None, ("flag",)),
    ("submitted", {}, "helper", "assist", ()),
    ("accepted", {}, "holding_dispatcher", "dispatch", ("triage", "transfer", "resolve", "withdraw", "merge", "flag")),
    (
        "accepted",
        {"needs_triage": True},
        "holding_dispatcher",
        "triage",
        ("transfer", "resolve", "withdraw", "merge", "flag"),
    ),
    ("dispatched", {}, "holder", "start", ("return", "resolve", "request", "flag")),
    ("dispatched", {}, "dispatcher_above", None, ("transfer", "withdraw", "merge", "flag")),
    ("in_progress", {}, "holder", "resolve", ("return", "request", "flag")),
    ("in_progress", {}, "dispatcher_above", None, ("transfer", "withdraw", "merge", "flag")),
    ("in_progress", {}, "helper", "assist", ()),
    ("in_progress", {"pending_request": True}, "holder", "resolve", ("return", "flag")),
    ("in_progress", {"pending_request": True}, "approver", "decide", ("transfer", "withdraw", "merge", "flag")),
    ("suspended", {}, "holder", "resume", ("flag",)),
    ("suspended", {}, "dispatcher_above", "resume", ("merge", "flag")),
    ("resolved", {}, "dispatcher_above", "rate", ("reopen", "flag")),
    ("resolved", {}, "holder", None, ("flag",)),
    ("closed", {}, "holding_dispatcher", None, ("reopen", "flag")),
    ("closed", {"malicious_status": "proposed"}, "reviewer", "review", ()),
    ("closed", {"malicious_status": "proposed"}, "holding_dispatcher", None, ("reopen",)),
    ("not_accepted", {"malicious_status": "confirmed"}, "holding_dispatcher", None, ()),
    ("withdrawn", {}, "helper", None, ()),
]


@pytest.mark.parametrize(("status", "flags", "role", "primary", "menu"), TABLE)
def test_primary_action_and_menu_per_status_and_role(status, flags, role, primary, menu):
    steps = next_steps(CaseState(status=status, **flags), ROLES[role])
    assert (steps.primary, steps.others) == (primary, menu)


@pytest.mark.parametrize("status", ["submitted", "accepted", "dispatched", "in_progress", "suspended", "resolved"])
def test_without_permissions_nothing_is_offered(status):
    assert next_steps(CaseState(status=status), frozenset()).names == ()


def test_a_destructive_action_is_never_the_primary_one():
    """Refusing, handing away, returning, withdrawing, merging and flagging always wait in the menu."""
    everything = frozenset({rule.permission for rule in RULES.values()})
    for status in ("submitted", "accepted", "dispatched", "in_progress", "suspended", "resolved", "closed"):
        assert next_steps(CaseState(status=status), everything).primary not in DESTRUCTIVE


def test_every_action_has_a_form_and_every_destructive_one_a_confirmation_question():
    assert set(ACTIONS) == set(RULES)
    assert DESTRUCTIVE == {"reject", "transfer", "return", "withdraw", "merge", "flag"}
    assert all(str(ACTIONS[name].confirm) for name in DESTRUCTIVE)
