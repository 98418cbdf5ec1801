"""Browser journey of a case: a resident reports from a phone, staff resolve it in the browser, the resident rates.

Headless Debian chromium driven by Playwright, as in test_browser. The resident signs in through the real SMS
code flow: the live server thread runs the (immediate) huey task, which sends through the process-wide
LocmemBackend that this test reads.
"""

import re

import pytest
from django.test import override_settings
from PIL import Image

from shequ.accounts.tests.factories import staff
from shequ.cases import services as case_services
from shequ.cases.domain import Satisfaction, Status
from shequ.cases.models import Case
from shequ.cases.tests.factories import no_answer_review
from shequ.core import calendar
from shequ.portal.sms import LocmemBackend, get_backend
from shequ.portal.tests.test_portal import MOBILE, register
from shequ.registry import services as registry
from shequ.territory.tests.factories import make_tree
from shequ.web.tests.test_browser import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "user_agent": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47"
    ),
}
DESCRIPTION = "楼下消防通道被私家车长期占用，救护车进不来"
REPLY = "已联系车主挪车，并在通道口设置禁停标志。"


@pytest.fixture
def contexts(browser, flushable_audit):
    opened = []

    def open_context(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        opened.append(context)
        return context.new_page()

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def outbox():
    """The LocmemBackend the live server thread sends through (settings and the backend cache are process-wide)."""
    with override_settings(SHEQU_SMS_BACKEND="shequ.portal.sms.LocmemBackend"):
        backend = get_backend()
        assert isinstance(backend, LocmemBackend)
        yield backend.outbox


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    calendar.seed_official_calendar()
    calendar.invalidate()
    case_services.categories_seed()
    yield
    calendar.invalidate()


def _open_action(page, name):
    """Open the action's form: the expected step is shown at once, the others sit in the "其他操作" menu."""
    if page.is_visible(f"#action-{name}"):
        return
    page.click("#action-menu > summary")
    page.click(f"#menu-{name} > summary")


def test_resident_reports_on_a_phone_grid_worker_resolves_resident_rates(
    contexts, live_server, outbox, seeded, tmp_path
):
    t = make_tree()
    no_answer_review(t["c1"])  # this journey's community publishes grid workers' answers without review
    cw = staff("community_worker", t["c1"], username="cw")
    staff("micro_grid_worker", t["m111"], username="mg")
    household = registry.household_create(actor=cw, community=t["c1"], number="H-0101", dwelling=t["d1"])
    register(t, cw, "张建国", household=household, relation="head")
    photo = tmp_path / "car.png"
    Image.new("RGB", (64, 48), (30, 120, 200)).save(photo, format="PNG")
    url = live_server.url

    # 1. The resident signs in on a phone with the SMS code and reports with a photo.
    phone = contexts(**PHONE)
    phone.goto(f"{url}/portal/")
    phone.wait_for_url(f"{url}/portal/login/")
    phone.fill("#mobile", MOBILE)
    phone.click("button:has-text('获取验证码')")
    phone.wait_for_url(f"{url}/portal/login/verify/")
    assert len(outbox) == 1 and outbox[0][0] == MOBILE
    code = re.search(r"\d{6}", outbox[0][1]).group(0)
    phone.fill("#code", code)
    phone.click("button:has-text('登录')")
    phone.wait_for_url(f"{url}/portal/")
    assert "您好，张建国" in phone.inner_text("h1")
    phone.click("a:has-text('我要反映')")
    phone.wait_for_url(f"{url}/portal/cases/new/")
    phone.fill("#description", DESCRIPTION)  # the description first, then a topic (issue 13)
    phone.fill("#q", "停车")
    phone.click("button:has-text('查找')")
    phone.check("#topics input[name=topic][value='parking']")
    phone.set_input_files("#photos", str(photo))
    phone.click("#report button[type=submit]:has-text('提交')")
    phone.wait_for_url("**/portal/cases/*/?submitted=1")
    case = Case.objects.get()
    body = phone.inner_text("body")
    assert f"提交成功，受理编号：{case.tracking_number}" in body
    assert case.photos.count() == 1
    no_horizontal_scroll = phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_horizontal_scroll

    # 2. A community worker (desktop) accepts and dispatches to the micro-grid on the case page.
    desk = contexts(locale="zh-CN")
    _login(desk, live_server, "cw")
    desk.goto(f"{url}/cases/")
    desk.click(f"a:has-text('{case.tracking_number}')")
    desk.wait_for_url(f"**/cases/{case.public_id}/")
    # The resident's topic (停车) is not a leaf category: the expected step is triage, a person confirms it.
    assert "下一步：分拣（确认分类）" in desk.inner_text("#next-step")
    select = "#action-triage select[name='triage-category']"
    if not desk.input_value(select):
        desk.select_option(select, index=1)
    with desk.expect_navigation():
        desk.click("#action-triage button[type=submit]")
    assert "下一步：受理" in desk.inner_text("#next-step")
    _open_action(desk, "accept")
    with desk.expect_navigation():
        desk.click("#action-accept button[type=submit]")
    assert "已受理" in desk.inner_text("body")
    _open_action(desk, "dispatch")
    desk.select_option("#action-dispatch select[name='dispatch-target']", f"a:{t['m111'].public_id}")
    with desk.expect_navigation():
        desk.click("#action-dispatch button[type=submit]")
    assert f"已派单至 {t['m111'].name}" in desk.inner_text("body")

    # ... and the micro-grid worker (phone) starts and resolves it with a reply.
    grid = contexts(**PHONE)
    _login(grid, live_server, "mg")
    grid.goto(f"{url}/cases/?tab=to_handle")
    grid.click(f"a:has-text('{case.tracking_number}')")
    grid.wait_for_url(f"**/cases/{case.public_id}/")
    _open_action(grid, "start")
    with grid.expect_navigation():
        grid.click("#action-start button[type=submit]")
    assert "已签收" in grid.inner_text("body")
    _open_action(grid, "resolve")
    grid.fill("#action-resolve textarea[name='resolve-reply']", REPLY)
    with grid.expect_navigation():
        grid.click("#action-resolve button[type=submit]")
    assert "已办结" in grid.inner_text("body")

    # 3. The resident opens 我的反映, reads the reply, rates 满意; the case is closed.
    phone.goto(f"{url}/portal/")
    phone.click("a:has-text('我的反映')")
    phone.wait_for_url(f"{url}/portal/cases/")
    phone.click(f"a:has-text('{case.tracking_number}')")
    phone.wait_for_url(f"**/portal/cases/{case.tracking_number}/")
    assert REPLY in phone.inner_text("body")
    phone.check(f"input[name=satisfaction][value='{Satisfaction.SATISFIED.value}']")
    with phone.expect_navigation():
        phone.click("button:has-text('提交评价')")
    body = phone.inner_text("body")
    assert "感谢您的评价。" in body and "已关闭" in body and "您已评价，感谢您的反馈。" in body
    phone.screenshot(path=str(tmp_path / "case-closed-phone.png"), full_page=True)

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.satisfaction == Satisfaction.SATISFIED
    assert case.reply == REPLY
    assert case.micro_grid_id == t["m111"].id and case.holder_id == t["m111"].id
    assert case.resolved_at is not None and case.closed_at is not None


def test_the_report_survives_a_failed_submission_on_a_weak_signal(contexts, live_server, outbox, seeded):
    """The network drops as the resident submits: nothing reaches the server, and when they come back to the
    report page the text they typed is still there (kept on the phone), ready to send again."""
    t = make_tree()
    cw = staff("community_worker", t["c1"], username="cw")
    household = registry.household_create(actor=cw, community=t["c1"], number="H-0101", dwelling=t["d1"])
    register(t, cw, "张建国", household=household, relation="head")
    url = live_server.url
    phone = contexts(**PHONE)
    phone.goto(f"{url}/portal/login/")
    phone.fill("#mobile", MOBILE)
    phone.click("button:has-text('获取验证码')")
    phone.wait_for_url(f"{url}/portal/login/verify/")
    phone.fill("#code", re.search(r"\d{6}", outbox[0][1]).group(0))
    phone.click("button:has-text('登录')")
    phone.wait_for_url(f"{url}/portal/")

    phone.goto(f"{url}/portal/cases/new/")
    phone.fill("#description", DESCRIPTION)
    phone.route("**/portal/cases/new/**", lambda route: route.abort("internetdisconnected"))
    from playwright.sync_api import Error as PlaywrightError

    with pytest.raises(PlaywrightError):  # the POST never arrives: the browser shows its own network error
        phone.click("#report button[type=submit]:has-text('提交')")
        phone.wait_for_url("**/portal/cases/*/?submitted=1", timeout=3_000)
    phone.unroute("**/portal/cases/new/**")
    assert Case.objects.count() == 0

    phone.goto(f"{url}/portal/cases/new/")
    assert phone.input_value("#description") == DESCRIPTION
