"""Tests for shequ.cases.domain: the whole transition table and the stage deadlines (no database).

Deadlines use the official 2025/2026 schedules from chinese_calendar 1.11.0; expected dates were worked out
by hand from the 国务院办公厅 notices and are hard-coded so a data or rule change shows up as a failure.
"""

from __future__ import annotations

import dataclasses
import itertools
import warnings
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from shequ.cases.domain import (
    ACCEPT_WITHIN_DAYS,
    CONFIDENTIAL_TYPES,
    DEFAULT_RESOLVE_DAYS,
    DISPATCH_WITHIN_DAYS,
    ESCALATABLE_STATUSES,
    ESCALATES_TO,
    ESCALATION_LADDER,
    EVENT_LABELS,
    INTERNAL_EVENTS,
    OPEN_STATUSES,
    SATISFIED_VALUES,
    STAGE_DEADLINE_FIELDS,
    STATUS_LABELS,
    TERMINAL_STATUSES,
    TRANSITIONS,
    TYPE_LABELS,
    CaseType,
    Deadlines,
    Event,
    InvalidTransition,
    Satisfaction,
    Stage,
    Status,
    allowed_events,
    compute_deadlines,
    current_stage,
    deadline_field,
    escalation_due,
    extend_deadline,
    is_overdue,
    level_above,
    next_escalation_check,
    next_status,
    reporter_status,
    running_deadline,
)
from shequ.core import errors
from shequ.core.workdays import UnscheduledYearWarning, WorkCalendar, official_calendar_rows, official_years

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    """Return the calendar built from the official rows, as the service builds it from the DB table."""
    rows = official_calendar_rows()
    return WorkCalendar(overrides={d: w for d, w, _name in rows}, scheduled_years=official_years())


@pytest.fixture
def no_warnings():
    """Turn any warning into an error, proving calculations inside scheduled years are silent."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, tz: ZoneInfo = SH) -> datetime:
    """Return an aware datetime (Asia/Shanghai unless told)."""
    return datetime(y, m, d, hh, mm, tzinfo=tz)


def eod(y: int, m: int, d: int) -> datetime:
    """Return the last instant of a Shanghai calendar day."""
    return datetime(y, m, d, 23, 59, 59, 999999, tzinfo=SH)


# --- transition table --------------------------------------------------------------------------------

ALL_PAIRS = list(itertools.product(Status, Event))


@pytest.mark.parametrize(("status", "event"), ALL_PAIRS, ids=[f"{s}-{e}" for s, e in ALL_PAIRS])
def test_next_status_matches_table_for_every_pair(status: Status, event: Event) -> None:
    """Every (status, event) pair gives the table's status, or raises InvalidTransition when absent."""
    if (status, event) in TRANSITIONS:
        assert next_status(status, event) is TRANSITIONS[(status, event)]
        assert next_status(status.value, event.value) is TRANSITIONS[(status, event)]
    else:
        with pytest.raises(InvalidTransition) as excinfo:
            next_status(status, event)
        assert repr(event.value) in str(excinfo.value)
        assert repr(status.value) in str(excinfo.value)


def test_table_is_exactly_the_designed_lifecycle() -> None:
    """The table holds exactly the designed 38 transitions, so an accidental edit fails here."""
    s, e = Status, Event
    expected = {
        (s.SUBMITTED, e.ACCEPT): s.ACCEPTED,
        (s.SUBMITTED, e.REJECT): s.NOT_ACCEPTED,
        (s.ACCEPTED, e.DISPATCH): s.DISPATCHED,
        (s.DISPATCHED, e.START): s.IN_PROGRESS,
        (s.ACCEPTED, e.RESOLVE): s.RESOLVED,
        (s.DISPATCHED, e.RESOLVE): s.RESOLVED,
        (s.IN_PROGRESS, e.RESOLVE): s.RESOLVED,
        (s.RESOLVED, e.CLOSE): s.CLOSED,
        (s.RESOLVED, e.REOPEN): s.IN_PROGRESS,
        (s.CLOSED, e.REOPEN): s.IN_PROGRESS,
        (s.SUBMITTED, e.WITHDRAW): s.WITHDRAWN,
        (s.ACCEPTED, e.WITHDRAW): s.WITHDRAWN,
        (s.DISPATCHED, e.WITHDRAW): s.WITHDRAWN,
        (s.IN_PROGRESS, e.WITHDRAW): s.WITHDRAWN,
        (s.DISPATCHED, e.RETURN): s.ACCEPTED,
        (s.IN_PROGRESS, e.RETURN): s.ACCEPTED,
        (s.ACCEPTED, e.TRANSFER): s.DISPATCHED,
        (s.DISPATCHED, e.TRANSFER): s.DISPATCHED,
        (s.IN_PROGRESS, e.TRANSFER): s.DISPATCHED,
        (s.DISPATCHED, e.SUSPEND): s.SUSPENDED,
        (s.IN_PROGRESS, e.SUSPEND): s.SUSPENDED,
        (s.SUSPENDED, e.RESUME): s.IN_PROGRESS,
        (s.SUBMITTED, e.MERGE): s.MERGED,
        (s.ACCEPTED, e.MERGE): s.MERGED,
        (s.DISPATCHED, e.MERGE): s.MERGED,
        (s.IN_PROGRESS, e.MERGE): s.MERGED,
        (s.SUSPENDED, e.MERGE): s.MERGED,
        (s.SUBMITTED, e.ESCALATE): s.SUBMITTED,
        (s.ACCEPTED, e.ESCALATE): s.ACCEPTED,
        (s.DISPATCHED, e.ESCALATE): s.DISPATCHED,
        (s.IN_PROGRESS, e.ESCALATE): s.IN_PROGRESS,
        (s.DISPATCHED, e.HOLD_ANSWER): s.ANSWER_REVIEW,
        (s.IN_PROGRESS, e.HOLD_ANSWER): s.ANSWER_REVIEW,
        (s.ANSWER_REVIEW, e.RESOLVE): s.RESOLVED,
        (s.ANSWER_REVIEW, e.REVISE_ANSWER): s.IN_PROGRESS,
        (s.ANSWER_REVIEW, e.WITHDRAW): s.WITHDRAWN,
        (s.ANSWER_REVIEW, e.MERGE): s.MERGED,
        (s.ANSWER_REVIEW, e.ESCALATE): s.ANSWER_REVIEW,
    }
    assert TRANSITIONS == expected
    assert len(TRANSITIONS) == 38


def test_escalate_never_changes_status() -> None:
    """ESCALATE is a self-loop wherever it is allowed: only the holder moves."""
    escalations = {source: target for (source, event), target in TRANSITIONS.items() if event is Event.ESCALATE}
    assert escalations == {
        s: s for s in (Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.ANSWER_REVIEW)
    }


def test_escalate_allowed_exactly_where_a_stage_deadline_runs() -> None:
    """A case can be escalated exactly in the statuses that have a current stage (not when suspended)."""
    escalatable = {s for s in Status if (s, Event.ESCALATE) in TRANSITIONS}
    assert escalatable == {s for s in Status if current_stage(s) is not None}


@pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES - {Status.CLOSED}))
def test_terminal_statuses_accept_no_events(status: Status) -> None:
    """Not accepted, withdrawn and merged cases allow no event at all."""
    assert allowed_events(status) == []
    for event in Event:
        with pytest.raises(InvalidTransition):
            next_status(status, event)


def test_closed_allows_only_reopen() -> None:
    """CLOSED is terminal for work; only the reporter's reopen (period checked by the service) leaves it."""
    assert allowed_events(Status.CLOSED) == [Event.REOPEN]
    assert next_status(Status.CLOSED, Event.REOPEN) is Status.IN_PROGRESS


def test_terminal_statuses_are_never_reached_by_escalation_or_left_by_work() -> None:
    """No event other than REOPEN leaves a terminal status, and every terminal status is reachable."""
    leaving = {(s, e) for (s, e) in TRANSITIONS if s in TERMINAL_STATUSES}
    assert leaving == {(Status.CLOSED, Event.REOPEN)}
    assert TERMINAL_STATUSES <= set(TRANSITIONS.values())


@pytest.mark.parametrize("status", list(Status))
def test_allowed_events_match_table(status: Status) -> None:
    """allowed_events lists exactly the table's events from the status, in Event declaration order."""
    order = list(Event)
    expected = sorted((e for (s, e) in TRANSITIONS if s is status), key=order.index)
    assert allowed_events(status) == expected
    assert allowed_events(status.value) == expected


def test_allowed_events_of_in_progress() -> None:
    """An in-progress case can be resolved, withdrawn, returned, transferred, suspended, merged, escalated."""
    assert allowed_events(Status.IN_PROGRESS) == [
        Event.RESOLVE,
        Event.WITHDRAW,
        Event.RETURN,
        Event.TRANSFER,
        Event.SUSPEND,
        Event.MERGE,
        Event.ESCALATE,
        Event.HOLD_ANSWER,
    ]


def test_every_status_is_reachable_from_submitted() -> None:
    """Walking the table from SUBMITTED reaches every status (no dead entries)."""
    seen, frontier = {Status.SUBMITTED}, [Status.SUBMITTED]
    while frontier:
        current = frontier.pop()
        for event in allowed_events(current):
            target = next_status(current, event)
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(Status)


def test_unknown_values_raise_invalid_transition() -> None:
    """An unknown status or event string is an InvalidTransition naming the bad value."""
    with pytest.raises(InvalidTransition, match="unknown case status 'lost'"):
        next_status("lost", Event.ACCEPT)
    with pytest.raises(InvalidTransition, match="unknown case event 'teleport'"):
        next_status(Status.SUBMITTED, "teleport")
    with pytest.raises(InvalidTransition, match="unknown case status 'lost'"):
        allowed_events("lost")


def test_invalid_transition_message() -> None:
    """The message names the event and the status in English."""
    with pytest.raises(InvalidTransition) as excinfo:
        next_status(Status.SUBMITTED, Event.CLOSE)
    assert str(excinfo.value) == "event 'close' is not allowed for a case in status 'submitted'"


def test_invalid_transition_is_the_core_error() -> None:
    """The domain re-exports core's InvalidTransition so views translate one class."""
    assert InvalidTransition is errors.InvalidTransition


def test_status_sets_partition_statuses() -> None:
    """Open and terminal statuses are disjoint and, with RESOLVED, cover every status."""
    assert OPEN_STATUSES == {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.DISPATCHED,
        Status.IN_PROGRESS,
        Status.SUSPENDED,
        Status.ANSWER_REVIEW,
    }
    assert TERMINAL_STATUSES == {Status.CLOSED, Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.MERGED}
    assert not OPEN_STATUSES & TERMINAL_STATUSES
    assert OPEN_STATUSES | TERMINAL_STATUSES | {Status.RESOLVED} == set(Status)


def test_values_fit_the_sixteen_character_columns() -> None:
    """Status and event values are lower-case snake case and fit a 16-character column."""
    assert Status.IN_PROGRESS == "in_progress"
    assert Status.NOT_ACCEPTED == "not_accepted"
    for value in [*Status, *Event, *CaseType, *Satisfaction]:
        assert value == value.lower()
        assert len(value) <= 16


def test_every_member_has_a_label() -> None:
    """Types, statuses and events each carry a Chinese label."""
    assert set(TYPE_LABELS) == set(CaseType)
    assert set(STATUS_LABELS) == set(Status)
    assert set(EVENT_LABELS) == set(Event)
    assert str(TYPE_LABELS[CaseType.DISPUTE]) == "矛盾纠纷"
    assert str(STATUS_LABELS[Status.NOT_ACCEPTED]) == "不予受理"
    assert str(EVENT_LABELS[Event.RETURN]) == "退单"


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        (Status.SUBMITTED, Stage.ACCEPT),
        (Status.ACCEPTED, Stage.DISPATCH),
        (Status.DISPATCHED, Stage.RESOLVE),
        (Status.IN_PROGRESS, Stage.RESOLVE),
        (Status.SUSPENDED, None),
        (Status.RESOLVED, None),
        (Status.CLOSED, None),
        (Status.NOT_ACCEPTED, None),
        (Status.WITHDRAWN, None),
        (Status.MERGED, None),
    ],
)
def test_current_stage(status: Status, stage: Stage | None) -> None:
    """Each status has the stage whose deadline runs; suspended, resolved and terminal ones have none."""
    assert current_stage(status) == stage
    assert current_stage(status.value) == stage


# --- types, ladder, rating ------------------------------------------------------------------------------


def test_default_resolve_days() -> None:
    """Enquiry 3, help and suggestion 7, complaint, report and (by default) dispute 15 working days."""
    assert DEFAULT_RESOLVE_DAYS == {
        CaseType.ENQUIRY: 3,
        CaseType.HELP: 7,
        CaseType.SUGGESTION: 7,
        CaseType.COMPLAINT: 15,
        CaseType.REPORT: 15,
        CaseType.DISPUTE: 15,
    }
    assert ACCEPT_WITHIN_DAYS == 1
    assert DISPATCH_WITHIN_DAYS == 1


def test_confidential_types() -> None:
    """Only complaints and reports hide the reporter from the handling unit."""
    assert CONFIDENTIAL_TYPES == {CaseType.COMPLAINT, CaseType.REPORT}


@pytest.mark.parametrize(
    ("level", "above"),
    [
        ("micro_grid", "grid"),
        ("grid", "community"),
        ("community", "street"),
        ("street", "district"),
        ("district", None),
    ],
)
def test_level_above(level: str, above: str | None) -> None:
    """Escalation climbs one rung; the district is the top inside the system."""
    assert level_above(level) == above


def test_level_above_unknown_level() -> None:
    """The city (and any other name) is not on the ladder and raises ValueError."""
    assert ESCALATION_LADDER == ("micro_grid", "grid", "community", "street", "district")
    with pytest.raises(ValueError, match="unknown escalation level 'city'"):
        level_above("city")


def test_escalates_to_is_the_ladder_one_rung_up() -> None:
    """Every rung but the district escalates to the next; the district escalates nowhere."""
    assert ESCALATES_TO == {
        "micro_grid": "grid",
        "grid": "community",
        "community": "street",
        "street": "district",
    }


def test_escalatable_statuses_are_those_with_a_running_deadline() -> None:
    """Exactly the statuses the table lets escalate, and those with a current stage."""
    assert ESCALATABLE_STATUSES == {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.DISPATCHED,
        Status.IN_PROGRESS,
        Status.ANSWER_REVIEW,
    }
    assert ESCALATABLE_STATUSES == {s for s in Status if (s, Event.ESCALATE) in TRANSITIONS}
    assert ESCALATABLE_STATUSES < OPEN_STATUSES


def test_stage_deadline_fields_name_the_deadlines() -> None:
    """Each stage is driven by one of the three deadlines, each deadline by one stage."""
    assert STAGE_DEADLINE_FIELDS == {
        Stage.ACCEPT: "accept_by",
        Stage.DISPATCH: "dispatch_by",
        Stage.RESOLVE: "resolve_by",
    }
    assert sorted(STAGE_DEADLINE_FIELDS.values()) == sorted(f.name for f in dataclasses.fields(Deadlines))


_D = Deadlines(
    accept_by=datetime(2026, 3, 17, 23, 59, tzinfo=SH),
    dispatch_by=datetime(2026, 3, 18, 23, 59, tzinfo=SH),
    resolve_by=datetime(2026, 4, 7, 23, 59, tzinfo=SH),
)


@pytest.mark.parametrize(
    ("status", "field", "deadline"),
    [
        (Status.SUBMITTED, "accept_by", _D.accept_by),
        (Status.ACCEPTED, "dispatch_by", _D.dispatch_by),
        (Status.DISPATCHED, "resolve_by", _D.resolve_by),
        (Status.IN_PROGRESS, "resolve_by", _D.resolve_by),
        (Status.SUSPENDED, None, None),
        (Status.RESOLVED, None, None),
        (Status.CLOSED, None, None),
        (Status.NOT_ACCEPTED, None, None),
        (Status.WITHDRAWN, None, None),
        (Status.MERGED, None, None),
    ],
)
def test_running_deadline(status: Status, field: str | None, deadline: datetime | None) -> None:
    """The deadline escalation watches: acceptance, then dispatch, then resolution; none without a stage."""
    assert deadline_field(status) == field
    assert running_deadline(status, _D) == deadline
    assert running_deadline(status.value, _D) == deadline


def test_running_deadline_of_a_case_not_yet_accepted() -> None:
    """Before acceptance only accept_by exists; a status asking for another deadline gets None."""
    d = Deadlines(accept_by=_D.accept_by, dispatch_by=None, resolve_by=None)
    assert running_deadline(Status.SUBMITTED, d) == _D.accept_by
    assert running_deadline(Status.ACCEPTED, d) is None


_NOW = datetime(2026, 3, 18, 9, 0, tzinfo=SH)
_PAST = _NOW - timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("status", "level", "escalate_after", "due"),
    [
        (Status.SUBMITTED, "community", _PAST, True),
        (Status.ACCEPTED, "micro_grid", _PAST, True),
        (Status.DISPATCHED, "grid", _PAST, True),
        (Status.IN_PROGRESS, "street", _PAST, True),
        (Status.IN_PROGRESS, "district", _PAST, False),  # the top of the ladder
        (Status.IN_PROGRESS, "city", _PAST, False),  # not on the ladder
        (Status.SUBMITTED, "community", _NOW, False),  # not yet past
        (Status.SUBMITTED, "community", None, False),
        (Status.SUSPENDED, "community", _PAST, False),
        (Status.RESOLVED, "community", _PAST, False),
        (Status.CLOSED, "community", _PAST, False),
    ],
)
def test_escalation_due(status: Status, level: str, escalate_after: datetime | None, due: bool) -> None:
    """Due when a stage deadline runs, has passed, and the holder has a rung above."""
    assert escalation_due(status=status, holder_level=level, escalate_after=escalate_after, now=_NOW) is due


def test_next_escalation_check_is_the_end_of_the_next_working_day(cal: WorkCalendar, no_warnings: None) -> None:
    """Wednesday → end of Thursday; Friday → end of Monday; the local (Shanghai) date counts, not UTC's."""
    end = time.max
    assert next_escalation_check(cal, _NOW) == datetime.combine(date(2026, 3, 19), end, tzinfo=SH)
    friday = datetime(2026, 3, 20, 9, 0, tzinfo=SH)
    assert next_escalation_check(cal, friday) == datetime.combine(date(2026, 3, 23), end, tzinfo=SH)
    thursday_utc = datetime(2026, 3, 19, 17, 0, tzinfo=UTC)  # already Friday 01:00 in Shanghai
    assert next_escalation_check(cal, thursday_utc) == datetime.combine(date(2026, 3, 23), end, tzinfo=SH)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        next_escalation_check(cal, datetime(2026, 3, 18, 9, 0))


def test_satisfied_values() -> None:
    """满意 and 基本满意 count as satisfied; 不满意 does not."""
    assert SATISFIED_VALUES == {Satisfaction.SATISFIED, Satisfaction.BASICALLY}


# --- deadlines --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_warnings")
def test_complaint_across_national_day_2025(cal: WorkCalendar) -> None:
    """A complaint accepted Tue 2025-09-30 resolves by the end of Tue 2025-10-28.

    Counting from 09-30 (day 0): 10-01..10-08 are off (国庆节 and 中秋), so day 1 is Thu 10-09, day 2
    Fri 10-10, day 3 the make-up Sat 10-11, then Mon 10-13..Fri 10-17 (days 4-8), Mon 10-20..Fri 10-24
    (days 9-13), Mon 10-27 (14) and Tue 10-28 (15). Dispatch is due by the end of Thu 10-09; acceptance
    was due by the end of the first working day after a Mon 09-29 submission, Tue 09-30.
    """
    deadlines = compute_deadlines(
        cal,
        submitted_at=at(2025, 9, 29, 10, 15),
        accepted_at=at(2025, 9, 30, 9, 0),
        resolve_days=DEFAULT_RESOLVE_DAYS[CaseType.COMPLAINT],
    )
    assert deadlines == Deadlines(
        accept_by=eod(2025, 9, 30),
        dispatch_by=eod(2025, 10, 9),
        resolve_by=eod(2025, 10, 28),
    )
    # Cross-check the hand count against the calendar itself.
    assert cal.working_days_between(date(2025, 9, 30), date(2025, 10, 28)) == 15
    assert cal.is_working_day(date(2025, 10, 11))


@pytest.mark.usefixtures("no_warnings")
def test_friday_evening_submission_accepted_by_monday(cal: WorkCalendar) -> None:
    """Submitted Fri 2025-11-14 at 21:30: acceptance is due by the end of Mon 2025-11-17."""
    deadlines = compute_deadlines(cal, submitted_at=at(2025, 11, 14, 21, 30), accepted_at=None, resolve_days=15)
    assert deadlines == Deadlines(accept_by=eod(2025, 11, 17), dispatch_by=None, resolve_by=None)


@pytest.mark.usefixtures("no_warnings")
def test_friday_before_make_up_sunday(cal: WorkCalendar) -> None:
    """Submitted Fri 2025-09-26: the make-up Sun 2025-09-28 is the next working day and the deadline."""
    deadlines = compute_deadlines(cal, submitted_at=at(2025, 9, 26, 18, 0), accepted_at=None, resolve_days=15)
    assert deadlines.accept_by == eod(2025, 9, 28)


@pytest.mark.usefixtures("no_warnings")
@pytest.mark.parametrize(
    "submitted_at",
    [
        at(2026, 2, 14, 17, 45),  # Sat 02-14, the make-up working day before the holiday
        at(2026, 2, 16, 20, 0),  # Mon 02-16, 除夕 (Spring Festival eve), a holiday
    ],
)
def test_spring_festival_eve_2026(cal: WorkCalendar, submitted_at: datetime) -> None:
    """Submitted on the eve of Spring Festival 2026: accepted by the end of Tue 2026-02-24.

    Sun 02-15 and Sat/Sun 02-21..22 are weekend days, Mon 02-16..Fri 02-20 and Mon 02-23 holidays, so the
    first working day after either submission date is Tue 02-24.
    """
    deadlines = compute_deadlines(cal, submitted_at=submitted_at, accepted_at=None, resolve_days=3)
    assert deadlines.accept_by == eod(2026, 2, 24)


@pytest.mark.usefixtures("no_warnings")
def test_enquiry_three_days_over_make_up_saturday(cal: WorkCalendar) -> None:
    """An enquiry accepted Wed 2026-02-25 resolves by the end of Sat 2026-02-28 (a make-up working day).

    Day 1 Thu 02-26, day 2 Fri 02-27, day 3 the make-up Sat 02-28 (春节调休上班).
    """
    deadlines = compute_deadlines(
        cal,
        submitted_at=at(2026, 2, 24, 8, 30),
        accepted_at=at(2026, 2, 25, 11, 0),
        resolve_days=DEFAULT_RESOLVE_DAYS[CaseType.ENQUIRY],
    )
    assert deadlines == Deadlines(
        accept_by=eod(2026, 2, 25),
        dispatch_by=eod(2026, 2, 26),
        resolve_by=eod(2026, 2, 28),
    )


@pytest.mark.usefixtures("no_warnings")
def test_enquiry_accepted_before_spring_festival(cal: WorkCalendar) -> None:
    """An enquiry accepted on the make-up Sat 2026-02-14 resolves by the end of Thu 2026-02-26."""
    deadlines = compute_deadlines(
        cal, submitted_at=at(2026, 2, 13, 16, 0), accepted_at=at(2026, 2, 14, 9, 0), resolve_days=3
    )
    assert deadlines.dispatch_by == eod(2026, 2, 24)
    assert deadlines.resolve_by == eod(2026, 2, 26)


@pytest.mark.usefixtures("no_warnings")
def test_deadlines_are_aware_end_of_day_in_shanghai(cal: WorkCalendar) -> None:
    """Deadlines are 23:59:59.999999 Asia/Shanghai (UTC+8), timezone-aware, in the given zone."""
    deadlines = compute_deadlines(
        cal, submitted_at=at(2025, 11, 17, 9, 0), accepted_at=at(2025, 11, 17, 10, 0), resolve_days=7
    )
    for moment in (deadlines.accept_by, deadlines.dispatch_by, deadlines.resolve_by):
        assert moment is not None
        assert moment.tzinfo == SH
        assert moment.utcoffset() == timedelta(hours=8)
        assert moment.timetz().replace(tzinfo=None) == time(23, 59, 59, 999999)
    assert deadlines.resolve_by == eod(2025, 11, 26)
    assert deadlines.resolve_by.astimezone(UTC) == datetime(2025, 11, 26, 15, 59, 59, 999999, tzinfo=UTC)


@pytest.mark.usefixtures("no_warnings")
def test_local_date_decides_not_utc_date(cal: WorkCalendar) -> None:
    """A UTC timestamp is read as its Shanghai date: Thu 17:00 UTC is Fri 01:00 local, so Monday is due."""
    deadlines = compute_deadlines(cal, submitted_at=at(2025, 11, 13, 17, 0, tz=UTC), accepted_at=None, resolve_days=15)
    assert deadlines.accept_by == eod(2025, 11, 17)


def test_naive_datetimes_are_refused(cal: WorkCalendar) -> None:
    """A naive datetime is a ValueError, never silently read in some zone."""
    with pytest.raises(ValueError, match="submitted_at must be timezone-aware"):
        compute_deadlines(cal, submitted_at=datetime(2025, 11, 14, 9, 0), accepted_at=None, resolve_days=3)
    with pytest.raises(ValueError, match="accepted_at must be timezone-aware"):
        compute_deadlines(
            cal, submitted_at=at(2025, 11, 14, 9), accepted_at=datetime(2025, 11, 14, 10, 0), resolve_days=3
        )
    with pytest.raises(ValueError, match="resolve_by must be timezone-aware"):
        extend_deadline(cal, datetime(2025, 11, 14, 23, 59), 3)


def test_negative_days_are_refused(cal: WorkCalendar) -> None:
    """Negative resolve or extension days raise ValueError."""
    with pytest.raises(ValueError, match="resolve_days must not be negative"):
        compute_deadlines(cal, submitted_at=at(2025, 11, 14, 9), accepted_at=None, resolve_days=-1)
    with pytest.raises(ValueError, match="extra_days must not be negative"):
        extend_deadline(cal, eod(2025, 11, 14), -1)


@pytest.mark.usefixtures("no_warnings")
def test_extend_deadline_over_national_day(cal: WorkCalendar) -> None:
    """Extending a deadline ending Tue 2025-09-30 by 5 working days ends Tue 2025-10-14.

    Thu 10-09, Fri 10-10, make-up Sat 10-11, Mon 10-13, Tue 10-14.
    """
    assert extend_deadline(cal, eod(2025, 9, 30), 5) == eod(2025, 10, 14)


@pytest.mark.usefixtures("no_warnings")
def test_extend_deadline_read_back_in_utc(cal: WorkCalendar) -> None:
    """A deadline read back from the database in UTC extends from its Shanghai date, ending in Shanghai."""
    stored = eod(2025, 9, 30).astimezone(UTC)
    extended = extend_deadline(cal, stored, 5)
    assert extended == eod(2025, 10, 14)
    assert extended.tzinfo == SH


def test_deadline_into_unscheduled_year_warns(cal: WorkCalendar) -> None:
    """A 15-day count from Mon 2026-12-21 runs into 2027 (no schedule yet): weekends only, with a warning.

    Weekdays 12-22..12-31 are days 1-8; Fri 2027-01-01 is counted as a working day (day 9) because its
    holiday is not yet published, then Mon 01-04..Fri 01-08 (10-14) and Mon 01-11 (15).
    """
    with pytest.warns(UnscheduledYearWarning, match="2027"):
        deadlines = compute_deadlines(
            cal, submitted_at=at(2026, 12, 18, 9), accepted_at=at(2026, 12, 21, 9), resolve_days=15
        )
    assert deadlines.accept_by == eod(2026, 12, 21)
    assert deadlines.resolve_by == eod(2027, 1, 11)


def test_is_overdue() -> None:
    """A deadline is overdue only strictly after its last instant; no deadline is never overdue."""
    deadline = eod(2025, 10, 28)
    assert not is_overdue(deadline, deadline)
    assert not is_overdue(deadline, at(2025, 10, 28, 23, 59))
    assert is_overdue(deadline, at(2025, 10, 29, 0, 0))
    # 2025-10-28 16:00 UTC is 2025-10-29 00:00 in Shanghai: already overdue.
    assert is_overdue(deadline, datetime(2025, 10, 28, 16, 0, tzinfo=UTC))
    assert not is_overdue(None, at(2030, 1, 1))


def test_a_held_answer_looks_in_progress_to_the_reporter() -> None:
    """答复待审核 is shown to the reporter as 办理中; its two steps are internal; other statuses are unchanged."""
    assert reporter_status("answer_review") is Status.IN_PROGRESS
    assert reporter_status(Status.RESOLVED) is Status.RESOLVED
    assert INTERNAL_EVENTS == {Event.HOLD_ANSWER, Event.REVISE_ANSWER}
    assert str(STATUS_LABELS[Status.ANSWER_REVIEW]) == "答复待审核"
