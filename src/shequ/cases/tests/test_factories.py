"""The shared test data: the bulk-created calendar and category tree equal what the services load, and each case
factory leaves its case in the state it names."""

import pytest

from shequ.cases import services
from shequ.cases.models import Category, CommunityTopic
from shequ.cases.tests.factories import (
    accepted_case,
    dispatched_case,
    in_progress_case,
    resolved_case,
    submitted_case,
)
from shequ.core import calendar as work_calendar
from shequ.core.models import AuditRecord, CalendarDay, CalendarYear
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db

CATEGORY_FIELDS = (
    "code",
    "parent__code",
    "level",
    "name",
    "default_type",
    "handling_level",
    "resolve_days",
    "keywords",
)


def _audit(action):
    return list(
        AuditRecord.objects.filter(action=action).values_list("actor_kind", "actor_ref", "object_label", "after")
    )


def test_calendar_fixture_equals_the_service(calendar):
    """The fixture's rows and audit record are those of seed_official_calendar, which then finds nothing to add."""
    days = list(CalendarDay.objects.values_list("date", "is_working_day", "name"))
    years = list(CalendarYear.objects.values_list("year", "source"))
    audit = _audit("core.calendar_seeded")
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    work_calendar.seed_official_calendar()
    assert list(CalendarDay.objects.values_list("date", "is_working_day", "name")) == days
    assert list(CalendarYear.objects.values_list("year", "source")) == years
    assert _audit("core.calendar_seeded") == audit * 2
    assert work_calendar.seed_official_calendar()[0] == 0


def test_categories_fixture_equals_the_service(categories):
    """The fixture's tree and audit record are those of categories_seed, which then has nothing to change."""
    assert services.categories_seed() == (0, 0)
    rows = list(Category.objects.values_list(*CATEGORY_FIELDS))
    assert len(rows) == len(categories) > 700
    assert categories["S01"] == Category.objects.get(code="S01")
    audit = _audit("cases.categories_seeded")
    CommunityTopic.objects.all().delete()  # topics point at categories (protected); the seed makes them again
    Category.objects.filter(level=3).delete()
    Category.objects.filter(level=2).delete()
    Category.objects.all().delete()
    assert services.categories_seed() == (len(rows), 0)
    assert list(Category.objects.values_list(*CATEGORY_FIELDS)) == rows
    assert _audit("cases.categories_seeded") == audit * 2


def test_each_factory_leaves_its_state(calendar):
    """submitted → accepted → dispatched (to m111) → in progress → resolved, each through the services."""
    t = make_tree()
    assert submitted_case(t).status == "submitted"
    assert accepted_case(t).status == "accepted"
    case = dispatched_case(t)
    assert (case.status, case.holder_id) == ("dispatched", t["m111"].pk)
    assert in_progress_case(t, to="m112", building="b2").status == "in_progress"
    assert resolved_case(t).status == "resolved"
