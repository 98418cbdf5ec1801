"""Working-day calendar read from the database (seeded from chinese-calendar, editable)."""

import datetime as dt
import warnings

import pytest

from shequ.core import calendar
from shequ.core.models import CalendarDay, CalendarYear
from shequ.core.workdays import UnscheduledYearWarning

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    calendar.invalidate()
    yield
    calendar.invalidate()


def test_seed_is_idempotent_and_knows_national_day_2025():
    """Seeding twice adds nothing the second time; 2025-09-30 + 1 working day is 2025-10-09."""
    calendar.seed_official_calendar()
    n = CalendarDay.objects.count()
    assert calendar.seed_official_calendar()[0] == 0
    assert CalendarDay.objects.count() == n
    calendar.invalidate()
    assert calendar.add_working_days(dt.date(2025, 9, 30), 1) == dt.date(2025, 10, 9)
    assert calendar.is_working_day(dt.date(2025, 9, 28))  # make-up Sunday


def test_admin_can_add_next_year():
    """A schedule entered for 2027 is used and stops the warning for that year."""
    calendar.seed_official_calendar()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert calendar.add_working_days(dt.date(2027, 1, 29), 1) == dt.date(2027, 2, 1)
    assert any(issubclass(w.category, UnscheduledYearWarning) for w in caught)
    CalendarYear.objects.create(year=2027, source="test")
    CalendarDay.objects.create(date=dt.date(2027, 2, 1), is_working_day=False, name="测试假日")
    calendar.invalidate()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert calendar.add_working_days(dt.date(2027, 1, 29), 1) == dt.date(2027, 2, 2)
    assert not any(issubclass(w.category, UnscheduledYearWarning) for w in caught)
