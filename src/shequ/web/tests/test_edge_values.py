"""Edge values in filters never answer 5xx: every page and API route, as the roles that read lists and figures.

Dates at the edge of the calendar (0001-01-01, 9999-12-31) overflowed into a 500 when a page turned them into a
time range in the local time zone; impossible dates and out-of-range numbers must be refused or ignored too.
"""

import pytest
from django.test import Client

from shequ.accounts.tests.factories import staff
from shequ.territory.tests.factories import make_tree
from shequ.web.tests.test_hostile_input import all_routes

pytestmark = pytest.mark.django_db

PARAMS = ("since", "until", "start", "end", "date", "from", "to", "day", "start_date", "end_date", "page", "month")
VALUES = ("0001-01-01", "9999-12-31", "2026-02-30", "99999999999999999999", "-1")


@pytest.mark.parametrize(
    ("role", "level"), [("community_worker", "c1"), ("district_officer", "district"), ("auditor", "district")]
)
def test_no_route_answers_5xx_to_edge_values(role, level):
    """GET every route with every filter name set to each edge value: below 500 everywhere."""
    user = staff(role, make_tree()[level])
    client = Client(raise_request_exception=False)
    client.force_login(user)
    failures = []
    for route in all_routes():
        for value in VALUES:
            response = client.get(route.path, {p: value for p in PARAMS})
            if response.status_code >= 500:
                failures.append((route.path, value, response.status_code))
    assert failures == []
