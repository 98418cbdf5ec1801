"""Browser journey of the warning list (信访风险预警) on a 1366×768 desktop: a community Party secretary opens the
list, sees the counts by state, acknowledges one warning and assigns another to a grid worker.

Headless Debian chromium driven by Playwright, as in test_browser.
"""

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.analysis import services as analysis_services
from shequ.analysis.permissions import RECOMPUTE_JOB
from shequ.cases import services as case_services
from shequ.core import calendar
from shequ.registry.tests.factories import make_resident
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings):
    """c1: an escalating report by a resident who reported twice before (70 points) and a calm one on the same
    building (10 points); the threshold at 10 lists both b1 reports and the two earlier ones (30 each)."""
    settings.SHEQU_RISK_THRESHOLD = 10
    calendar.seed_official_calendar()
    calendar.invalidate()
    t = make_tree()
    cw = staff("community_worker", t["c1"], username="cw")
    staff("community_secretary", t["c1"], username="sec", display_name="赵书记")
    staff("grid_worker", t["g11"], username="g11w", display_name="李网格")
    resident = make_resident(t["c1"])

    def submit(title, description, building, reporter=None):
        data = case_services.CaseInput(
            case_type="complaint",
            title=title,
            description=description,
            channel="staff",
            building=t[building],
            reporter=reporter,
            reporter_name="王某",
        )
        return case_services.case_submit(actor=cw, data=data)

    submit("楼道堆放杂物", "三单元楼道堆满纸箱，影响通行", "b2", resident)
    submit("楼道仍有杂物", "纸箱还没清理，影响通行", "b2", resident)
    hot = submit("楼道杂物无人处理", "我们要集体去市里上访", "b1", resident)
    calm = submit("路灯不亮", "小区门口路灯不亮，晚上看不清", "b1")
    analysis_services.warnings_recompute(actor=RECOMPUTE_JOB)
    return {"hot": hot, "calm": calm}


def test_secretary_acknowledges_and_assigns_warnings(desk, live_server, world):
    """Counts by state on top; 知悉 moves one warning to 已知悉, 指派 another to the grid worker."""
    url = live_server.url
    desk.goto(f"{url}/accounts/login/")
    desk.fill("input[name=username]", "sec")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("button[type=submit]")
    desk.wait_for_url(lambda u: "/accounts/login/" not in u)
    desk.goto(url + reverse("analysis:warnings"))
    counts = desk.locator("#warning-counts")
    assert counts.inner_text().split() == ["全部（4）", "待处置（4）", "已知悉（0）", "已指派（0）", "已关闭（0）"]
    hot_row = desk.locator(f"tr[data-case='{world['hot'].tracking_number}']")
    assert "含敏感词：上访、集体、市里（+40分）" in hot_row.inner_text()

    hot_row.get_by_role("button", name="知悉").click()
    desk.wait_for_load_state()
    assert f"已知悉 {world['hot'].tracking_number} 的预警" in desk.locator(".messages").inner_text()
    assert "已知悉（1）" in counts.inner_text() and "待处置（3）" in counts.inner_text()
    assert desk.locator(f"tr[data-case='{world['hot'].tracking_number}'] .warning-state").inner_text() == "已知悉"

    calm_row = desk.locator(f"tr[data-case='{world['calm'].tracking_number}']")
    calm_row.locator("select[name=user]").select_option(label="李网格（g11w）")
    calm_row.get_by_role("button", name="指派", exact=True).click()
    desk.wait_for_load_state()
    assert f"已将 {world['calm'].tracking_number} 的预警指派给 李网格（g11w）" in desk.locator(".messages").inner_text()
    assert "已指派（1）" in counts.inner_text() and "待处置（2）" in counts.inner_text()
    calm_row = desk.locator(f"tr[data-case='{world['calm'].tracking_number}']")
    assert "指派给：李网格（g11w）" in calm_row.inner_text()
