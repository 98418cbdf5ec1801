"""The official calendar for tests: the rows `calendar.seed_official_calendar` writes, in three statements.

The service writes the ~560 rows one `update_or_create` at a time (two queries each), which most tests paid
for before their first line ran. Into the empty tables of a test, `seed_calendar` bulk-creates the same rows
and writes the same audit record; `cases/tests/test_factories.py` checks that it equals the service's result.
"""

from functools import cache

from shequ.core import audit
from shequ.core import calendar as work_calendar
from shequ.core.actors import SYSTEM
from shequ.core.models import CalendarDay, CalendarYear
from shequ.core.workdays import official_calendar_rows, official_years


@cache
def _official() -> tuple[tuple[tuple, ...], tuple[int, ...]]:
    return tuple(official_calendar_rows()), tuple(sorted(official_years()))


def seed_calendar() -> None:
    """Load the official calendar as `seed_official_calendar` does, and drop the cached calendar."""
    if CalendarDay.objects.exists() or CalendarYear.objects.exists():
        work_calendar.seed_official_calendar()  # not empty: let the service merge
    else:
        rows, years = _official()
        CalendarDay.objects.bulk_create(
            CalendarDay(date=d, is_working_day=working, name=name) for d, working, name in rows
        )
        CalendarYear.objects.bulk_create(CalendarYear(year=y, source="chinese-calendar") for y in years)
        audit.record(
            actor=SYSTEM,
            action="core.calendar_seeded",
            object_type="core.calendarday",
            object_label="chinese-calendar",
            after={"days_added": len(rows), "years": list(years)},
        )
    work_calendar.invalidate()
