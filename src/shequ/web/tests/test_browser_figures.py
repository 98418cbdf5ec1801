"""Browser journey of the statistics page (诉求办理指标) on a 1366×768 desktop: a street officer sees the rates with
their definitions and the 12-week trend drawn by Apache ECharts, under the strict Content-Security-Policy.

Headless Debian chromium driven by Playwright, as in test_browser.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.cases import services
from shequ.cases.tests.factories import submitted_case
from shequ.core import calendar
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_street_officer_sees_the_trend_chart(desk, live_server):
    """The street's page shows 按时办结率 100% (1 / 1) and the trend and level charts rendered by ECharts."""
    calendar.seed_official_calendar()
    calendar.invalidate()
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    staff("street_officer", t["s1"], username="street")
    when = timezone.now() - dt.timedelta(days=3)
    case = submitted_case(t, cw, now=when, case_type="help")
    services.case_accept(actor=cw, case=case, now=when + dt.timedelta(hours=1))
    services.case_dispatch(actor=cw, case=case, target=t["m111"], now=when + dt.timedelta(hours=2))
    services.case_start(actor=mg, case=case)
    services.case_resolve(actor=mg, case=case, reply="已清理楼道杂物。", now=when + dt.timedelta(hours=5))

    desk.goto(f"{live_server.url}/accounts/login/")
    desk.fill("input[name=username]", "street")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("button[type=submit]")
    desk.wait_for_url(lambda u: "/accounts/login/" not in u)
    desk.goto(live_server.url + reverse("cases:case_metrics"))
    tile = desk.locator("#leader-figures [data-figure=on_time_rate]")
    assert "按时办结率" in tile.inner_text() and "100%" in tile.inner_text() and "1 / 1 件" in tile.inner_text()
    desk.locator("#leader-trend-chart canvas").first.wait_for(state="visible")
    desk.locator("#leader-level-chart canvas").first.wait_for(state="visible")
    assert desk.locator("#leader-trend-chart canvas").first.bounding_box()["width"] > 300
    assert desk.locator("#metrics-children tr[data-area]").count() == 1  # the street's one community
