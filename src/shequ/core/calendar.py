"""Working days on the official calendar, read from the CalendarDay/CalendarYear tables.

The tables are seeded from the `chinese-calendar` package (`shequ seed-calendar`) and editable in the
admin, so next year's schedule can be entered when the State Council publishes it. For a year without a
schedule the arithmetic falls back to weekends only and warns (UnscheduledYearWarning).
"""

from datetime import date

from django.core.cache import cache
from django.db import transaction

from . import audit
from .actors import SYSTEM
from .models import CalendarDay, CalendarYear
from .workdays import WorkCalendar, official_calendar_rows, official_years

_CACHE_KEY = "shequ:calendar:v1"


def current_calendar() -> WorkCalendar:
    """Return the calendar as stored (cached per process until the tables change)."""
    cal = cache.get(_CACHE_KEY)
    if cal is None:
        overrides = dict(CalendarDay.objects.values_list("date", "is_working_day"))
        years = frozenset(CalendarYear.objects.values_list("year", flat=True))
        cal = WorkCalendar(overrides=overrides, scheduled_years=years)
        # Short TTL: without Redis each worker process has its own cache, and an admin edit in one process must
        # reach the others within a minute.
        cache.set(_CACHE_KEY, cal, timeout=60)
    return cal


def invalidate() -> None:
    cache.delete(_CACHE_KEY)


def add_working_days(start: date, n: int) -> date:
    """Return the date ending the n-th working day after `start` (start is day 0)."""
    return current_calendar().add_working_days(start, n)


def is_working_day(d: date) -> bool:
    return current_calendar().is_working_day(d)


def seed_official_calendar() -> tuple[int, int]:
    """Load every official schedule the chinese-calendar package knows; keep manual rows of other years.

    Returns (days written, years marked scheduled). Idempotent.
    """
    rows = official_calendar_rows()
    years = official_years()
    written = 0
    with transaction.atomic():
        for d, working, name in rows:
            _, created = CalendarDay.objects.update_or_create(
                date=d, defaults={"is_working_day": working, "name": name}
            )
            written += int(created)
        for y in years:
            CalendarYear.objects.get_or_create(year=y, defaults={"source": "chinese-calendar"})
        audit.record(
            actor=SYSTEM,
            action="core.calendar_seeded",
            object_type="core.calendarday",
            object_label="chinese-calendar",
            after={"days_added": written, "years": sorted(years)},
        )
    transaction.on_commit(invalidate)
    return written, len(years)
