"""Tests for shequ.deliberation.domain: the whole proposal transition table, thresholds, quorum and majority (no DB)."""

import datetime
import itertools

import pytest

from shequ.core.errors import InvalidTransition
from shequ.deliberation.domain import (
    MORE_THAN_HALF,
    TERMINAL_STATUSES,
    TRANSITIONS,
    BodyRule,
    Event,
    MajorityBase,
    Status,
    Threshold,
    age_on,
    allowed_events,
    is_serving,
    next_status,
    request_met,
    request_needed,
    residents_meeting_outcome,
    resolution_outcome,
    support_reached,
    term_ending_soon,
)

D = datetime.date
ALL_PAIRS = list(itertools.product(Status, Event))


@pytest.mark.parametrize(("status", "event"), ALL_PAIRS)
def test_every_status_event_pair_follows_the_table(status, event):
    """A pair in TRANSITIONS moves to its target; every other pair raises InvalidTransition."""
    if (status, event) in TRANSITIONS:
        assert next_status(status.value, event.value) is TRANSITIONS[(status, event)]
    else:
        with pytest.raises(InvalidTransition):
            next_status(status, event)


def test_the_table_rows_are_exactly_these():
    """The lifecycle, row by row: a change to the table shows up here."""
    S, E = Status, Event
    assert TRANSITIONS == {
        (S.DISCUSSING, E.QUALIFY): S.READY,
        (S.DISCUSSING, E.SCHEDULE): S.ON_AGENDA,
        (S.READY, E.SCHEDULE): S.ON_AGENDA,
        (S.ON_AGENDA, E.DEFER): S.READY,
        (S.ON_AGENDA, E.ADOPT): S.ADOPTED,
        (S.ON_AGENDA, E.REJECT): S.REJECTED,
        (S.ADOPTED, E.PUBLISH): S.PUBLISHED,
        (S.PUBLISHED, E.START): S.IN_PROGRESS,
        (S.IN_PROGRESS, E.COMPLETE): S.COMPLETED,
        (S.DISCUSSING, E.DECLINE): S.DECLINED,
        (S.READY, E.DECLINE): S.DECLINED,
        (S.DISCUSSING, E.WITHDRAW): S.WITHDRAWN,
        (S.READY, E.WITHDRAW): S.WITHDRAWN,
    }


@pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES))
def test_terminal_statuses_allow_no_event(status):
    """Rejected, completed, declined and withdrawn proposals go nowhere."""
    assert allowed_events(status) == []


def test_allowed_events_in_declaration_order():
    assert allowed_events("discussing") == [Event.QUALIFY, Event.SCHEDULE, Event.DECLINE, Event.WITHDRAW]


def test_unknown_values_raise_invalid_transition():
    with pytest.raises(InvalidTransition):
        next_status("nonsense", "qualify")


@pytest.mark.parametrize(
    ("threshold", "base", "needed"),
    [
        (MORE_THAN_HALF, 30, 16),  # 过半数 of 30: 15 is exactly half, not more
        (MORE_THAN_HALF, 31, 16),
        (Threshold(1, 2, strict=False), 30, 15),  # 半数以上 includes half
        (Threshold(2, 3, strict=False), 30, 20),  # 三分之二以上 includes 20
        (Threshold(2, 3, strict=True), 30, 21),
        (Threshold(2, 3, strict=False), 31, 21),  # 20.67 -> 21
        (Threshold(1, 5, strict=False), 1234, 247),  # 246.8 -> 247
        (Threshold(1, 3, strict=False), 7, 3),
        (Threshold(1, 3, strict=False), 9, 3),
        (MORE_THAN_HALF, 0, 1),
    ],
)
def test_needed_is_the_smallest_count_meeting_the_threshold(threshold, base, needed):
    """needed() agrees with met(): needed meets it, one fewer does not."""
    assert threshold.needed(base) == needed
    if base:
        assert threshold.met(needed, base)
        assert not threshold.met(needed - 1, base)


def test_threshold_words_follow_legal_wording():
    assert MORE_THAN_HALF.words() == "过半数"
    assert Threshold(2, 3, strict=False).words() == "三分之二以上"
    assert Threshold(1, 3, strict=True).words() == "超过三分之一"


def test_a_threshold_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError):
        Threshold(3, 2, strict=False)


def test_council_resolution_passes_with_quorum_and_majority_of_present():
    """30 members, 16 present (more than half), 9 yes: more than half of 16 is at least 9."""
    out = resolution_outcome(members=30, present=16, yes=9, rule=BodyRule())
    assert (out.quorum_met, out.passed, out.quorum_needed, out.votes_needed) == (True, True, 16, 9)
    assert out.explanation == (
        "应到 30 人，实到 16 人；法定人数为全体成员过半数（至少 16 人），达到法定人数。"
        "赞成 9 票，须出席人数的过半数（至少 9 票），决议通过。"
    )


def test_exactly_half_present_is_not_a_quorum():
    """15 of 30 is half, not more than half: no resolution can be made, whatever the votes."""
    out = resolution_outcome(members=30, present=15, yes=15, rule=BodyRule())
    assert (out.quorum_met, out.passed) == (False, False)
    assert out.explanation.endswith("未达到法定人数，会议不能作出决议。")


def test_majority_of_all_members_counts_against_the_membership():
    """With the majority on all members, 12 yes of 20 present fails for 30 members (needs 16)."""
    rule = BodyRule(majority_base=MajorityBase.MEMBERS)
    out = resolution_outcome(members=30, present=20, yes=12, rule=rule)
    assert (out.quorum_met, out.passed, out.votes_needed) == (True, False, 16)
    assert "全体成员的过半数（至少 16 票）" in out.explanation


def test_two_thirds_majority_includes_the_number():
    rule = BodyRule(majority=Threshold(2, 3, strict=False))
    assert resolution_outcome(members=9, present=9, yes=6, rule=rule).passed is True
    assert resolution_outcome(members=9, present=9, yes=5, rule=rule).passed is False


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        resolution_outcome(members=5, present=6, yes=1, rule=BodyRule())


def test_residents_meeting_needs_more_than_half_present_and_of_present():
    """§9: 201 of 400 present is valid; 101 of 201 yes passes, 100 does not."""
    ok = residents_meeting_outcome(basis="households", entitled=400, present=201, yes=101)
    assert (ok.quorum_met, ok.passed, ok.quorum_needed, ok.votes_needed) == (True, True, 201, 101)
    assert ok.explanation == (
        "应出席（户）400，实际出席 201，须过半数（至少 201）出席，会议有效。"
        "赞成 101，须出席人的过半数（至少 101），决定通过。"
    )
    assert residents_meeting_outcome(basis="households", entitled=400, present=201, yes=100).passed is False
    void = residents_meeting_outcome(basis="residents", entitled=400, present=200, yes=200)
    assert (void.quorum_met, void.passed) == (False, False)


@pytest.mark.parametrize(
    ("basis", "entitled", "needed"),
    [("residents", 1000, 200), ("residents", 1001, 201), ("households", 12, 3), ("groups", 6, 2), ("groups", 7, 3)],
)
def test_requests_need_a_fifth_of_residents_or_households_or_a_third_of_groups(basis, entitled, needed):
    """§10: "五分之一以上" and "三分之一以上" include the number itself."""
    assert request_needed(basis, entitled) == needed
    assert request_met(basis, entitled, needed) is True
    assert request_met(basis, entitled, needed - 1) is False


def test_age_counts_full_years():
    assert age_on(D(2008, 3, 1), D(2026, 2, 28)) == 17
    assert age_on(D(2008, 3, 1), D(2026, 3, 1)) == 18


def test_serving_and_term_end_reminder():
    assert is_serving(D(2024, 1, 1), D(2026, 12, 31), None, D(2026, 12, 31)) is True
    assert is_serving(D(2024, 1, 1), D(2026, 12, 31), None, D(2027, 1, 1)) is False
    assert is_serving(D(2024, 1, 1), None, D(2025, 5, 1), D(2025, 5, 1)) is False
    assert term_ending_soon(D(2026, 3, 2), D(2026, 1, 1)) is True  # 60 days ahead
    assert term_ending_soon(D(2026, 3, 3), D(2026, 1, 1)) is False
    assert term_ending_soon(D(2025, 12, 31), D(2026, 1, 1)) is False
    assert term_ending_soon(None, D(2026, 1, 1)) is False


def test_support_threshold_includes_the_number():
    assert support_reached(10, 10) is True
    assert support_reached(9, 10) is False
    assert support_reached(1, 0) is True
