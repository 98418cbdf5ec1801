"""Count working days on the official PRC calendar.

Rules and sources:

* Ordinary weeks: Monday to Friday are working days (国务院《关于职工工作时间的规定》, 1995).
* Public holidays and make-up working days (调休) are published each year, usually in November or
  December for the following year, in the 国务院办公厅关于某年部分节假日安排的通知. A holiday may
  fall on a weekday (a day off) and a weekend day may be declared a working day.
* The ``chinese_calendar`` package (PyPI ``chinesecalendar``) transcribes those notices; it is used only
  to build override rows (``official_calendar_rows``) that the caller stores and passes back in a
  ``WorkCalendar``. Nothing here touches the database.
* For a year whose schedule has not been published, nothing better than Monday-Friday is known; the
  result is computed that way and ``UnscheduledYearWarning`` is emitted so callers can flag deadlines
  that may move once the notice appears.
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

from chinese_calendar import constants as _cc

__all__ = [
    "UnscheduledYearWarning",
    "WorkCalendar",
    "official_calendar_rows",
    "official_years",
]

_ONE_DAY = datetime.timedelta(days=1)
_SATURDAY = 5


class UnscheduledYearWarning(UserWarning):
    """Signal that a calculation touched a year without an official holiday schedule."""


def _as_date(value: datetime.date) -> datetime.date:
    """Return ``value`` as a plain date; datetimes would never match the date keys of the overrides."""
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


@dataclass(frozen=True)
class WorkCalendar:
    """Working-day calendar built from official overrides.

    ``overrides`` maps a date to True (a working day, e.g. a make-up Saturday) or False (a day off,
    e.g. a holiday on a weekday); ``scheduled_years`` lists the years whose official schedule is
    included in ``overrides``.
    """

    overrides: Mapping[datetime.date, bool] = field(default_factory=dict)
    scheduled_years: frozenset[int] = frozenset()

    def is_working_day(self, d: datetime.date) -> bool:
        """Return whether ``d`` is a working day: its override if present, else Monday-Friday."""
        d = _as_date(d)
        override = self.overrides.get(d)
        if override is not None:
            return override
        return d.weekday() < _SATURDAY

    def unscheduled_years(self, start: datetime.date, end: datetime.date) -> set[int]:
        """Return the years between ``start`` and ``end`` (inclusive, any order) lacking a schedule."""
        first, last = sorted((_as_date(start).year, _as_date(end).year))
        return {year for year in range(first, last + 1) if year not in self.scheduled_years}

    def _warn_unscheduled(self, first: datetime.date, last: datetime.date) -> None:
        """Emit one UnscheduledYearWarning naming every unscheduled year in ``first``..``last``."""
        missing = self.unscheduled_years(first, last)
        if missing:
            years = ", ".join(str(year) for year in sorted(missing))
            # stacklevel 3 points at the code that called the public method, not at this helper.
            warnings.warn(
                f"no official holiday schedule for {years}; counting weekends only",
                UnscheduledYearWarning,
                stacklevel=3,
            )

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """Return the date on which the ``n``-th working day after ``start`` falls.

        ``start`` itself is day 0 and is never counted, so ``n=1`` from a Friday before an ordinary
        weekend is the Monday and ``n=0`` returns ``start`` unchanged. Negative ``n`` raises ValueError.
        """
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        start = _as_date(start)
        current = start
        remaining = n
        while remaining:
            current += _ONE_DAY
            if self.is_working_day(current):
                remaining -= 1
        if current > start:
            self._warn_unscheduled(start + _ONE_DAY, current)
        return current

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Return the number of working days ``d`` with ``start < d <= end`` (0 if ``end <= start``)."""
        start, end = _as_date(start), _as_date(end)
        if end <= start:
            return 0
        self._warn_unscheduled(start + _ONE_DAY, end)
        count = 0
        current = start
        while current < end:
            current += _ONE_DAY
            if self.is_working_day(current):
                count += 1
        return count


def _holiday_chinese_name(english: str) -> str:
    """Return the Chinese name of a ``chinese_calendar`` holiday given its English enum value."""
    try:
        chinese: str = _cc.Holiday(english).chinese
    except ValueError:
        # A future package release may add a holiday this code does not know; keep its English name.
        return english
    return chinese


def official_calendar_rows() -> list[tuple[datetime.date, bool, str]]:
    """Return (date, is_working_day, name) override rows for every year ``chinese_calendar`` covers.

    Only days that differ from the Monday-Friday rule are returned: holidays on weekdays (False, the
    holiday's Chinese name, e.g. "国庆节") and make-up working days on weekends (True, e.g.
    "春节调休上班"). Rows are sorted by date.
    """
    rows: list[tuple[datetime.date, bool, str]] = []
    for day, english in _cc.holidays.items():
        if day.weekday() < _SATURDAY:
            rows.append((day, False, _holiday_chinese_name(english)))
    for day, english in _cc.workdays.items():
        if day.weekday() >= _SATURDAY:
            rows.append((day, True, f"{_holiday_chinese_name(english)}调休上班"))
    rows.sort()
    return rows


def official_years() -> frozenset[int]:
    """Return the years for which ``chinese_calendar`` holds a published schedule.

    A year counts as published when its Spring Festival holiday is present. Every annual State Council
    notice covers Spring Festival, so a year with only stray entries (e.g. a make-up day transcribed
    ahead of the notice) is not mistaken for a fully scheduled one.
    """
    spring_festival = _cc.Holiday.spring_festival.value
    return frozenset(day.year for day, name in _cc.holidays.items() if name == spring_festival)
