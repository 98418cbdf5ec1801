"""The volunteer-service rules without a database: service hours at 0 and 24 and against a record's start and end,
travel excluded, minors on their 18th birthday (29 February included) and sign-up with a guardian's consent; every
row of the status tables; proof numbers, exact totals and free places."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.volunteers.domain import (
    ACTIVITY_TRANSITIONS,
    CORRECTION_TRANSITIONS,
    SIGNUP_TRANSITIONS,
    ActivityEvent,
    ActivityStatus,
    CorrectionEvent,
    CorrectionStatus,
    InvalidStatusChange,
    SignupEvent,
    SignupStatus,
    VolunteerRuleError,
    check_service_hours,
    is_minor,
    next_status,
    proof_number,
    service_totals,
    signup_allowed,
    slots_left,
)

D = datetime.date
DT = datetime.datetime
H = Decimal
FAST = settings(max_examples=200, deadline=None)

# --- service hours -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "errors"),
    [
        ("0", ("服务时长须大于 0",)),
        ("-1", ("服务时长须大于 0",)),
        ("0.01", ()),
        ("24", ()),
        ("24.00", ()),
        ("24.01", ("服务时长不能超过一天（24 小时）",)),
        ("1.50", ()),
        ("1.505", ("服务时长最多保留两位小数",)),
        ("24.001", ("服务时长不能超过一天（24 小时）", "服务时长最多保留两位小数")),
        ("NaN", ("服务时长无效",)),
        ("Infinity", ("服务时长无效",)),
    ],
)
def test_service_hours_bounds(hours, errors):
    """More than 0, at most 24 (24 itself passes), at most two decimals (trailing zeros do not count)."""
    assert check_service_hours(None, None, H(hours)).errors == errors


@pytest.mark.parametrize(
    ("travel", "errors"),
    [("0", ()), ("1.25", ()), ("-0.5", ("往返交通时间不能为负数",)), ("0.125", ("往返交通时间最多保留两位小数",))],
)
def test_travel_hours(travel, errors):
    assert check_service_hours(None, None, H("2"), H(travel)).errors == errors


def test_travel_is_not_counted_and_says_so():
    r = check_service_hours(None, None, H("3.50"), H("1.00"))
    assert (r.ok, r.hours, r.travel_hours) == (True, H("3.50"), H("1.00"))
    assert r.explanation == "计入服务时长 3.5 小时；往返交通 1 小时不计入。"
    assert check_service_hours(None, None, H("24")).explanation == "计入服务时长 24 小时。"


START = DT(2026, 10, 1, 9, 0)


@pytest.mark.parametrize(
    ("end", "hours", "errors"),
    [
        (DT(2026, 10, 1, 11, 30), "2.5", ()),  # exactly the span
        (DT(2026, 10, 1, 11, 30), "2.51", ("服务时长不能超过开始至结束的时间（2 小时 30 分钟）",)),
        (DT(2026, 10, 1, 9, 20), "0.33", ()),  # 20 minutes = 0.333… hours, compared exactly
        (DT(2026, 10, 1, 9, 20), "0.34", ("服务时长不能超过开始至结束的时间（20 分钟）",)),
        (DT(2026, 10, 1, 12, 0), "3", ()),
        (DT(2026, 10, 1, 9, 0), "1", ("结束时间须晚于开始时间",)),
        (DT(2026, 10, 1, 8, 0), "1", ("结束时间须晚于开始时间",)),
        (DT(2026, 10, 2, 9, 0), "24", ()),
    ],
)
def test_service_hours_within_start_and_end(end, hours, errors):
    assert check_service_hours(START, end, H(hours)).errors == errors


def test_only_one_of_start_and_end_is_not_compared():
    assert check_service_hours(START, None, H("8")).ok
    assert check_service_hours(None, START, H("8")).ok


def test_refused_record_explains_every_reason():
    r = check_service_hours(START, DT(2026, 10, 1, 8, 0), H("0"))
    assert r.explanation == "不能记录：服务时长须大于 0；结束时间须晚于开始时间。"


def test_float_hours_and_mixed_timezones_are_programming_errors():
    with pytest.raises(TypeError):
        check_service_hours(None, None, 2.5)  # type: ignore[arg-type]
    aware = DT(2026, 10, 1, 12, 0, tzinfo=datetime.UTC)
    with pytest.raises(TypeError):
        check_service_hours(START, aware, H("1"))


@FAST
@given(st.integers(-500, 3000))
def test_hours_in_hundredths(cents):
    """A figure in hundredths of an hour passes exactly when 0 < cents ≤ 2400."""
    assert check_service_hours(None, None, H(cents) / 100).ok is (0 < cents <= 2400)


@FAST
@given(st.integers(1, 2400), st.integers(1, 24 * 60 * 60))
def test_hours_against_the_span_in_seconds(cents, seconds):
    """Hours fit the span exactly when cents·36 ≤ seconds (an hour is 3600 s, a hundredth 36 s)."""
    r = check_service_hours(START, START + datetime.timedelta(seconds=seconds), H(cents) / 100)
    assert r.ok is (cents * 36 <= seconds)


# --- minors ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "minor"),
    [
        (D(2008, 5, 10), D(2026, 5, 9), True),
        (D(2008, 5, 10), D(2026, 5, 10), False),  # 18 on the birthday itself
        (D(2008, 2, 29), D(2026, 2, 28), True),
        (D(2008, 2, 29), D(2026, 3, 1), False),  # born on 29 February: 18 on 1 March of a common year
        (D(2007, 12, 31), D(2025, 12, 30), True),
        (D(2007, 12, 31), D(2025, 12, 31), False),
        (D(2026, 5, 10), D(2026, 5, 10), True),
        (D(1950, 1, 1), D(2026, 5, 10), False),
    ],
)
def test_is_minor(born, on, minor):
    assert is_minor(born, on) is minor


def test_birth_after_the_day_is_refused():
    with pytest.raises(VolunteerRuleError):
        is_minor(D(2026, 5, 11), D(2026, 5, 10))


def _eighteenth_birthday(born: datetime.date) -> datetime.date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # 29 February in a common year
        return D(born.year + 18, 3, 1)


@FAST
@given(st.dates(D(1900, 1, 1), D(2100, 12, 31)), st.integers(0, 40 * 366))
def test_minor_until_the_eighteenth_birthday(born, days):
    on = born + datetime.timedelta(days=days)
    assert is_minor(born, on) is (on < _eighteenth_birthday(born))


@pytest.mark.parametrize(
    ("minor", "consent", "allowed"),
    [(False, False, True), (False, True, True), (True, False, False), (True, True, True)],
)
def test_signup_allowed(minor, consent, allowed):
    assert signup_allowed(minor, consent) is allowed


# --- statuses, proofs --------------------------------------------------------------------------------------------


TABLES = [
    (ACTIVITY_TRANSITIONS, ActivityStatus, ActivityEvent),
    (SIGNUP_TRANSITIONS, SignupStatus, SignupEvent),
    (CORRECTION_TRANSITIONS, CorrectionStatus, CorrectionEvent),
]


@pytest.mark.parametrize(
    ("table", "status", "event"),
    [(table, s, e) for table, statuses, events in TABLES for s in statuses for e in events],
)
def test_every_status_and_event(table, status, event):
    """Each (status, event) either moves by the table or is refused; nothing else."""
    if (status, event) in table:
        assert next_status(table, status.value, event.value) == table[status, event]
    else:
        with pytest.raises(InvalidStatusChange):
            next_status(table, status.value, event.value)


def test_a_confirmed_sign_up_and_an_answered_correction_are_final():
    assert not [k for k in SIGNUP_TRANSITIONS if k[0] in (SignupStatus.ATTENDED,)]
    assert not [k for k in CORRECTION_TRANSITIONS if k[0] != CorrectionStatus.PENDING]


def test_proof_numbers():
    assert proof_number("510107001002", 2026, 1) == "ZYFW-510107001002-2026-00001"
    assert proof_number("510107001002", 2026, 123) == "ZYFW-510107001002-2026-00123"
    with pytest.raises(VolunteerRuleError):
        proof_number("510107001002", 2026, 0)


def test_service_totals_are_exact_and_refuse_floats():
    totals = service_totals([H("2.5"), H("0.25"), H("1.05")])
    assert (totals.services, totals.hours, totals.hours_text) == (3, H("3.80"), "3.8")
    assert service_totals([]).hours_text == "0"
    with pytest.raises(TypeError):
        service_totals([2.5])  # type: ignore[list-item]


@pytest.mark.parametrize(("slots", "taken", "left"), [(5, 0, 5), (5, 5, 0), (5, 7, 0), (1, 0, 1)])
def test_slots_left(slots, taken, left):
    assert slots_left(slots, taken) == left
