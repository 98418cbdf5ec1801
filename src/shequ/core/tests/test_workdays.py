"""Tests for shequ.core.workdays against the published 2025 and 2026 schedules (no database).

Expected dates were checked against chinese_calendar 1.11.0 (which transcribes the 国务院办公厅
notices for 2025 and 2026) and are hard-coded so a data change shows up as a test failure.
"""

from __future__ import annotations

import warnings
from datetime import date, datetime

import pytest

from shequ.core.workdays import (
    UnscheduledYearWarning,
    WorkCalendar,
    official_calendar_rows,
    official_years,
)


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    """Return the calendar built from the package's official rows, as a caller would from the DB."""
    rows = official_calendar_rows()
    return WorkCalendar(overrides={day: working for day, working, _name in rows}, scheduled_years=official_years())


@pytest.fixture
def no_warnings():
    """Turn any warning into an error so scheduled-year calculations are proven silent."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --- official data ----------------------------------------------------------------------------------


def test_official_years_cover_2004_to_2026() -> None:
    """chinese_calendar 1.11.0 has complete schedules for 2004 through 2026 and nothing later."""
    assert official_years() == frozenset(range(2004, 2027))


def test_official_rows_2025_national_day() -> None:
    """2025 National Day/Mid-Autumn rows: make-up Sun 09-28 and Sat 10-11, weekdays 10-01..10-08 off."""
    rows = {row[0]: row for row in official_calendar_rows()}
    assert rows[date(2025, 9, 28)] == (date(2025, 9, 28), True, "国庆节调休上班")
    assert rows[date(2025, 10, 1)] == (date(2025, 10, 1), False, "国庆节")
    assert rows[date(2025, 10, 6)] == (date(2025, 10, 6), False, "中秋")
    assert rows[date(2025, 10, 8)] == (date(2025, 10, 8), False, "国庆节")
    assert rows[date(2025, 10, 11)] == (date(2025, 10, 11), True, "国庆节调休上班")
    # Weekend holidays need no override: the weekday rule already makes them days off.
    assert date(2025, 10, 4) not in rows
    assert date(2025, 10, 5) not in rows


def test_official_rows_2026_spring_festival() -> None:
    """2026 Spring Festival: Sat 02-14 and Sat 02-28 are working days, Mon 02-16..Mon 02-23 weekdays off."""
    rows = [row for row in official_calendar_rows() if date(2026, 2, 1) <= row[0] <= date(2026, 2, 28)]
    assert rows == [
        (date(2026, 2, 14), True, "春节调休上班"),
        (date(2026, 2, 16), False, "春节"),
        (date(2026, 2, 17), False, "春节"),
        (date(2026, 2, 18), False, "春节"),
        (date(2026, 2, 19), False, "春节"),
        (date(2026, 2, 20), False, "春节"),
        (date(2026, 2, 23), False, "春节"),
        (date(2026, 2, 28), True, "春节调休上班"),
    ]


def test_official_rows_only_deviate_from_weekday_rule() -> None:
    """Every row either makes a weekday a day off or a weekend day a working day; rows are sorted."""
    rows = official_calendar_rows()
    assert rows == sorted(rows)
    for day, working, _name in rows:
        assert working == (day.weekday() >= 5)


# --- is_working_day ---------------------------------------------------------------------------------


def test_make_up_sunday_is_working_day(calendar: WorkCalendar) -> None:
    """2025-09-28 is a Sunday declared a make-up working day before National Day."""
    assert calendar.is_working_day(date(2025, 9, 28)) is True


def test_weekday_holiday_is_not_working_day(calendar: WorkCalendar) -> None:
    """2025-10-08 is a Wednesday inside the National Day holiday."""
    assert calendar.is_working_day(date(2025, 10, 8)) is False


def test_ordinary_days_follow_weekday_rule(calendar: WorkCalendar) -> None:
    """Without an override, Monday-Friday work and Saturday/Sunday do not (2025-11-14 is a Friday)."""
    assert calendar.is_working_day(date(2025, 11, 14)) is True
    assert calendar.is_working_day(date(2025, 11, 15)) is False
    assert calendar.is_working_day(date(2025, 11, 16)) is False


def test_datetime_is_treated_as_its_date(calendar: WorkCalendar) -> None:
    """A datetime on a holiday is not a working day even though overrides are keyed by date."""
    assert calendar.is_working_day(datetime(2025, 10, 8, 9, 30)) is False


# --- add_working_days -------------------------------------------------------------------------------


def test_national_day_2025_is_skipped(calendar: WorkCalendar, no_warnings: None) -> None:
    """2025-09-30 + 1 working day skips the 10-01..10-08 holiday and lands on Thursday 2025-10-09."""
    assert calendar.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_make_up_sunday_counts(calendar: WorkCalendar, no_warnings: None) -> None:
    """From Friday 2025-09-26 the next working day is the make-up Sunday 2025-09-28."""
    assert calendar.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)


def test_spring_festival_2026(calendar: WorkCalendar, no_warnings: None) -> None:
    """Fri 2026-02-13 + 1 is make-up Sat 02-14; + 2 skips the holiday to Tue 2026-02-24."""
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert calendar.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)


def test_friday_plus_one_is_monday(calendar: WorkCalendar, no_warnings: None) -> None:
    """In an ordinary week, Friday 2025-11-14 + 1 working day is Monday 2025-11-17."""
    assert calendar.add_working_days(date(2025, 11, 14), 1) == date(2025, 11, 17)


def test_zero_days_returns_start(calendar: WorkCalendar, no_warnings: None) -> None:
    """n=0 returns the start date itself, even when the start is a holiday."""
    assert calendar.add_working_days(date(2025, 11, 14), 0) == date(2025, 11, 14)
    assert calendar.add_working_days(date(2025, 10, 3), 0) == date(2025, 10, 3)


def test_fifteen_working_days_across_national_day(calendar: WorkCalendar, no_warnings: None) -> None:
    """15 working days from Fri 2025-09-26 (incl. make-up 09-28 and 10-11) end on Thu 2025-10-23."""
    assert calendar.add_working_days(date(2025, 9, 26), 15) == date(2025, 10, 23)


def test_fifteen_working_days_across_spring_festival(calendar: WorkCalendar, no_warnings: None) -> None:
    """15 working days from Mon 2026-02-09 across the 2026 Spring Festival end on Fri 2026-03-06."""
    assert calendar.add_working_days(date(2026, 2, 9), 15) == date(2026, 3, 6)


def test_negative_days_rejected(calendar: WorkCalendar) -> None:
    """A negative number of working days raises ValueError."""
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2025, 11, 14), -1)


# --- working_days_between ---------------------------------------------------------------------------


def test_working_days_in_october_2025(calendar: WorkCalendar, no_warnings: None) -> None:
    """October 2025 has 18 working days (holiday 10-01..10-08, make-up Saturday 10-11)."""
    assert calendar.working_days_between(date(2025, 9, 30), date(2025, 10, 31)) == 18


def test_working_days_in_2025_and_2026(calendar: WorkCalendar, no_warnings: None) -> None:
    """Both 2025 and 2026 have 248 official working days."""
    assert calendar.working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == 248
    assert calendar.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 248


def test_working_days_between_excludes_start_includes_end(calendar: WorkCalendar, no_warnings: None) -> None:
    """Mon 2025-11-10 to Fri 2025-11-14 counts Tue..Fri (4); an empty or reversed range counts 0."""
    assert calendar.working_days_between(date(2025, 11, 10), date(2025, 11, 14)) == 4
    assert calendar.working_days_between(date(2025, 11, 14), date(2025, 11, 14)) == 0
    assert calendar.working_days_between(date(2025, 11, 14), date(2025, 11, 10)) == 0


def test_between_is_inverse_of_add(calendar: WorkCalendar, no_warnings: None) -> None:
    """Counting the days up to add_working_days(start, n) gives back n."""
    start = date(2025, 9, 26)
    for n in range(0, 40):
        assert calendar.working_days_between(start, calendar.add_working_days(start, n)) == n


# --- unscheduled years ------------------------------------------------------------------------------


def test_unscheduled_years(calendar: WorkCalendar) -> None:
    """Years without a schedule in the range (inclusive) are reported."""
    assert calendar.unscheduled_years(date(2025, 1, 1), date(2026, 12, 31)) == set()
    assert calendar.unscheduled_years(date(2026, 6, 1), date(2028, 1, 1)) == {2027, 2028}


def test_2027_warns_and_counts_weekends_only(calendar: WorkCalendar) -> None:
    """Thu 2026-12-31 + 1 is Fri 2027-01-01 (New Year's Day is unknown), with one warning naming 2027."""
    with pytest.warns(UnscheduledYearWarning) as record:
        assert calendar.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert [str(w.message) for w in record] == ["no official holiday schedule for 2027; counting weekends only"]
    # The warning points at the caller, so the log shows which deadline calculation is affected.
    assert record[0].filename == __file__


def test_2027_between_warns_once(calendar: WorkCalendar) -> None:
    """2027 counted weekends-only has 261 working days; the warning is emitted once for the whole call."""
    with pytest.warns(UnscheduledYearWarning) as record:
        assert calendar.working_days_between(date(2026, 12, 31), date(2027, 12, 31)) == 261
    assert len(record) == 1
    assert str(record[0].message) == "no official holiday schedule for 2027; counting weekends only"


def test_warning_names_several_years(calendar: WorkCalendar) -> None:
    """A range touching 2027 and 2028 names both years in one warning."""
    with pytest.warns(UnscheduledYearWarning) as record:
        calendar.working_days_between(date(2026, 12, 1), date(2028, 1, 3))
    assert [str(w.message) for w in record] == ["no official holiday schedule for 2027, 2028; counting weekends only"]


def test_unscheduled_year_warning_is_user_warning() -> None:
    """UnscheduledYearWarning can be filtered like any UserWarning."""
    assert issubclass(UnscheduledYearWarning, UserWarning)


def test_empty_calendar_is_weekdays_only() -> None:
    """A calendar without data treats every year as unscheduled and counts Monday-Friday."""
    with pytest.warns(UnscheduledYearWarning, match="2025"):
        assert WorkCalendar().add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 1)
