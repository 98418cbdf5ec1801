"""Browser journey of the case page's next step (desktop, 1366×768): a community worker opens a submitted case,
sees 受理 as the primary button and the other actions in the 其他操作 menu, and refuses a second case
(不予受理) only after confirming on the confirmation page.

Headless Debian chromium driven by Playwright, as in test_browser; the menu is <details>, no script involved.
"""

import pytest

from shequ.accounts.tests.factories import staff
from shequ.cases.models import Case
from shequ.cases.tests.factories import submitted_case
from shequ.core import calendar
from shequ.territory.tests.factories import make_tree
from shequ.web.tests.test_browser import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(browser, flushable_audit):
    calendar.seed_official_calendar()
    calendar.invalidate()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
    calendar.invalidate()


def test_community_worker_accepts_from_the_primary_button_and_refuses_only_after_confirming(desk, live_server):
    t = make_tree()
    cw = staff("community_worker", t["c1"], username="cw")
    case = submitted_case(t, cw, title="楼道堆放杂物")
    other = submitted_case(t, cw, title="咨询社保卡办理")
    _login(desk, live_server, "cw")

    desk.goto(f"{live_server.url}/cases/{case.public_id}/")
    primary = desk.locator("#next-step button.btn-primary")
    assert primary.inner_text() == "受理" and primary.is_visible()
    assert desk.locator("#next-step h3").inner_text() == "下一步：受理"
    jump = desk.locator("#next-step-jump").bounding_box()  # 下一步 is named on the first screen, above the facts
    assert jump is not None and jump["y"] + jump["height"] <= 768
    assert not desk.locator("#action-reject").is_visible()  # in the closed menu
    desk.click("#action-menu > summary")
    menu = desk.locator("#action-menu .action-item > summary").all_inner_texts()
    assert [m.split("（")[0].strip() for m in menu] == [
        "分拣",
        "不予受理",
        "应报告人要求撤回",
        "合并重复诉求",
        "提出恶意诉求标记",
    ]
    with desk.expect_navigation():
        primary.click()
    assert "已受理" in desk.inner_text(".messages")
    assert desk.locator("#next-step button.btn-primary").inner_text() == "派单"

    desk.goto(f"{live_server.url}/cases/{other.public_id}/")
    desk.click("#action-menu > summary")
    desk.click("#menu-reject > summary")
    desk.fill("#action-reject input[name='reject-reason']", "属于人社部门职责")
    desk.fill("#action-reject input[name='reject-where_instead']", "12333热线")
    with desk.expect_navigation():
        desk.click("#action-reject button[type=submit]")
    assert desk.locator("h1").inner_text() == "确认不予受理"
    assert "确认不予受理该诉求？" in desk.inner_text("#confirm-action")
    assert "12333热线" in desk.inner_text("#confirm-action")
    other.refresh_from_db()
    assert other.status == "submitted"
    with desk.expect_navigation():
        desk.click("#confirm-action button.btn-danger")
    assert "已不予受理" in desk.inner_text(".messages")
    assert Case.objects.get(pk=other.pk).status == "not_accepted"
    assert desk.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
