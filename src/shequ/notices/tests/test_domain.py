"""The notice and objection state machines (every row, every refused pair), the period and the objection window;
no database."""

import datetime as dt
import itertools

import pytest

from shequ.core.errors import InvalidTransition
from shequ.notices import domain
from shequ.notices.domain import Event, ObjectionEvent, ObjectionStatus, Phase, Status

D = dt.date


@pytest.mark.parametrize(("status", "event"), list(itertools.product(Status, Event)))
def test_notice_transition_table_is_exhaustive(status, event):
    """Each (status, event) pair either moves as the table says or raises InvalidTransition."""
    expected = {
        (Status.DRAFT, Event.PUBLISH): Status.PUBLISHED,
        (Status.DRAFT, Event.WITHDRAW): Status.WITHDRAWN,
        (Status.PUBLISHED, Event.WITHDRAW): Status.WITHDRAWN,
        (Status.PUBLISHED, Event.SUPERSEDE): Status.SUPERSEDED,
    }
    assert domain.TRANSITIONS == expected
    if (status, event) in expected:
        assert domain.next_status(status.value, event.value) is expected[(status, event)]
    else:
        with pytest.raises(InvalidTransition):
            domain.next_status(status.value, event.value)


@pytest.mark.parametrize(("status", "event"), list(itertools.product(ObjectionStatus, ObjectionEvent)))
def test_objection_transition_table_is_exhaustive(status, event):
    """An open objection is answered once; an answered one cannot be answered again."""
    if status is ObjectionStatus.OPEN:
        assert domain.next_objection_status(status, event) is ObjectionStatus.ANSWERED
    else:
        with pytest.raises(InvalidTransition):
            domain.next_objection_status(status, event)


def test_unknown_values_raise_invalid_transition():
    with pytest.raises(InvalidTransition):
        domain.next_status("archived", "publish")
    with pytest.raises(InvalidTransition):
        domain.next_objection_status("open", "reopen")


def test_every_status_kind_and_channel_has_a_label():
    assert set(domain.STATUS_LABELS) == set(Status)
    assert set(domain.KIND_LABELS) == set(domain.Kind)
    assert set(domain.CHANNEL_LABELS) == set(domain.Channel)
    assert set(domain.OBJECTION_STATUS_LABELS) == set(ObjectionStatus)
    assert set(domain.PHASE_LABELS) == set(Phase)


def test_period_days_counts_both_ends():
    assert domain.period_days(D(2026, 3, 16), D(2026, 3, 20)) == 5
    assert domain.period_days(D(2026, 3, 16), D(2026, 3, 16)) == 1


@pytest.mark.parametrize(
    ("starts", "ends", "today", "expected"),
    [
        (D(2026, 3, 16), D(2026, 3, 20), None, ""),
        (D(2026, 3, 16), D(2026, 3, 20), D(2026, 3, 16), ""),
        (D(2026, 3, 16), D(2026, 3, 19), None, "公示期不得少于5天（含开始和结束当天），当前为4天"),
        (D(2026, 3, 20), D(2026, 3, 16), None, "公示结束日期不能早于开始日期"),
        (None, D(2026, 3, 16), None, "请填写公示期的开始和结束日期"),
        (D(2026, 3, 15), D(2026, 3, 25), D(2026, 3, 16), "公示开始日期不能早于发布当天，请修改公示期"),
    ],
)
def test_period_problem(starts, ends, today, expected):
    assert domain.period_problem(starts, ends, min_days=5, today=today) == expected


def test_period_problem_follows_the_minimum_given():
    assert domain.period_problem(D(2026, 3, 16), D(2026, 3, 22), min_days=7) == ""
    assert domain.period_problem(D(2026, 3, 16), D(2026, 3, 21), min_days=7) == (
        "公示期不得少于7天（含开始和结束当天），当前为6天"
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 3, 15), Phase.UPCOMING),
        (D(2026, 3, 16), Phase.RUNNING),
        (D(2026, 3, 20), Phase.RUNNING),
        (D(2026, 3, 21), Phase.ENDED),
    ],
)
def test_phase(today, expected):
    assert domain.phase(D(2026, 3, 16), D(2026, 3, 20), today) is expected


@pytest.mark.parametrize(
    ("status", "day", "expected"),
    [
        ("published", D(2026, 3, 16), ""),
        ("published", D(2026, 3, 20), ""),
        ("published", D(2026, 3, 15), "公示期尚未开始，请于2026-03-16起提出异议"),
        ("published", D(2026, 3, 21), "公示期已于2026-03-20结束，不能再提出异议"),
        ("withdrawn", D(2026, 3, 17), "该公示未在公示中，不能提出异议"),
        ("draft", D(2026, 3, 17), "该公示未在公示中，不能提出异议"),
        ("superseded", D(2026, 3, 17), "该公示已更正，请对更正后的公示提出异议"),
    ],
)
def test_objection_window(status, day, expected):
    assert domain.objection_problem(status, D(2026, 3, 16), D(2026, 3, 20), day) == expected
