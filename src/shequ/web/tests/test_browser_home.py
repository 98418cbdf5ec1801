"""Browser journeys of the home page on a 1366×768 desktop: a community worker, a community Party secretary, a
street officer, a district officer and a department officer each land on their to-dos for their scope and follow
one count to the list behind it.

The world is test_home's (c1 with one case of each kind of to-do, c2 with an overdue case), as of 03-16 17:30
(Shanghai). Headless Debian chromium driven by Playwright, as in test_browser.
"""

import pytest
from django.urls import reverse

from shequ.accounts import services as accounts_services
from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.cases.tests.factories import dispatched_case
from shequ.organisations.tests.factories import unit

from .test_home import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(calendar, categories, clock, settings):
    settings.SHEQU_RISK_THRESHOLD = 40
    return build_world(clock)


def _sign_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/accounts/login/" not in u)


def _todos(page) -> list[str]:
    """Each to-do as the person reads it: count, label (and stage)."""
    return [" ".join(li.inner_text().split()) for li in page.locator("#todos li.todo").all()]


def test_community_worker_sees_the_days_work_and_opens_the_returned_case(desk, live_server, world):
    _sign_in(desk, live_server.url, world["cw"].username)
    assert desk.url == live_server.url + reverse("web:home")
    assert _todos(desk) == [
        "1 已超时 受理时限",
        "1 已超时 办理时限",
        "1 今日到期 派单时限",
        "1 待确认导入的居民信息批次",
        "2 待受理的诉求",
        "2 待派单的诉求",
        "1 被退回、待重新派单的诉求",
        "1 待审批的延期、中止申请",
        "2 待处置的信访风险预警",
        "1 待回访的矛盾纠纷",
    ]
    assert desk.get_by_role("link", name="API 文档").count() == 0
    desk.get_by_role("link", name="1 被退回、待重新派单的诉求").click()
    desk.wait_for_load_state()
    assert desk.locator("nav.action-bar [aria-current=page]").inner_text() == "被退回"
    assert desk.locator("#queue-count").inner_text() == "共 1 件"
    assert desk.locator("table.table tbody tr").count() == 1


def test_secretary_sees_the_export_to_approve_and_the_figures(desk, live_server, world):
    _sign_in(desk, live_server.url, "sec")
    assert "1 待审批的完整信息导出申请" in _todos(desk)
    assert desk.locator("#leader-figures").count() == 1
    desk.get_by_role("link", name="1 待审批的完整信息导出申请").click()
    desk.wait_for_load_state()
    waiting = desk.locator("section.card", has_text="待我审批").locator("tbody tr")
    assert waiting.count() == 1 and "低保年审" in waiting.first.inner_text()
    assert waiting.first.get_by_role("button", name="批准").is_visible()


def test_street_officer_follows_the_overdue_count_to_the_escalated_case(desk, live_server, world):
    staff("street_officer", world["t"]["s1"], username="street")
    _sign_in(desk, live_server.url, "street")
    todos = _todos(desk)
    assert todos[:2] == ["1 已超时 受理时限", "1 已超时 办理时限"]  # c1's only: c2 is another street's
    desk.get_by_role("link", name="1 已超时 办理时限").click()
    desk.wait_for_load_state()
    rows = desk.locator("table.table tbody tr")
    assert rows.count() == 1
    assert "已超时" in rows.first.inner_text() and "督办" in rows.first.inner_text()
    assert "时限阶段：办理" in desk.locator("#filter-summary").inner_text()


def test_district_officer_sees_both_streets_the_figures_and_the_api_docs(desk, live_server, world):
    """The district counts every street's overdue cases; leaders see the figures; an officer with an API token
    finds API 文档 in the menu."""
    officer = staff("district_officer", world["t"]["district"], username="district")
    accounts_services.token_issue(actor=officer)
    _sign_in(desk, live_server.url, "district")
    assert "2 已超时 受理时限" in _todos(desk)  # c1's and c2's
    assert desk.locator("#leader-figures").is_visible()
    assert desk.get_by_role("link", name="API 文档").count() == 1
    desk.get_by_role("link", name="2 已超时 受理时限").click()
    desk.wait_for_load_state()
    assert desk.locator("table.table tbody tr").count() == 2


def test_department_officer_lands_on_the_cases_dispatched_to_the_department(desk, live_server, world):
    dept = unit("department", "区城管局", world["t"]["district"])
    staff("department_officer", world["t"]["district"], unit=dept, username="dept")
    case = dispatched_case(world["t"], world["cw"], to=dept, title="占道经营")
    _sign_in(desk, live_server.url, "dept")
    assert _todos(desk) == ["1 本单位承办、待办理的诉求"]
    desk.get_by_role("link", name="1 本单位承办、待办理的诉求").click()
    desk.wait_for_load_state()
    assert desk.locator("nav.action-bar [aria-current=page]").inner_text() == "我承办的"
    desk.get_by_role("link", name=case.tracking_number).click()
    desk.wait_for_load_state()
    assert "下一步：签收" in desk.inner_text("#next-step")
