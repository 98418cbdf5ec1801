"""Browser journeys of what holds everywhere, on a 1366×768 desktop: a date field shows its value in Chromium
(the dispute page's mediation date), and the auditor reads the audit log in words with the codes beside them.

Headless Debian chromium driven by Playwright, as in test_browser.
"""

import pyotp
import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.accounts import services as account_services
from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.cases.tests.factories import dispatched_case, submitted_case
from shequ.core import calendar
from shequ.core.actors import DEMO_LOADER
from shequ.registry.tests.factories import make_world
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _login(page, url, username, otp_secret=""):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    if otp_secret:
        page.wait_for_selector("input[name=otp]")
        page.fill("input[name=otp]", pyotp.TOTP(otp_secret).now())
        page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/accounts/login" not in u)


def test_mediation_date_shows_its_value_in_chromium(desk, live_server):
    """The 调解日期 picker shows today's date (it was blank in Chromium: the value came as 2026/03/16)."""
    calendar.seed_official_calendar()
    calendar.invalidate()
    w = make_world()
    cw = staff("community_worker", w["c1"], username="cw")
    case = submitted_case(w, cw, case_type="dispute", building="b1", title="楼上漏水邻里纠纷", reporter_name="王秀英")
    _login(desk, live_server.url, "cw")
    desk.goto(live_server.url + reverse("disputes:dispute_detail", args=[case.public_id]))
    held_on = desk.locator("#form-session input[name='session-held_on']")
    assert held_on.get_attribute("type") == "date"
    assert held_on.input_value() == timezone.localdate().isoformat()


def test_auditor_reads_the_audit_log_in_words(desk, live_server):
    """Actions read as words (派单, 登录) with their codes beside them; staff by name; the filter takes words."""
    calendar.seed_official_calendar()
    calendar.invalidate()
    t = make_tree()
    cw = staff("community_worker", t["c1"], username="cw1", display_name="王芳")
    auditor = staff("auditor", t["district"], username="auditor")
    account_services.totp_set_secret(actor=DEMO_LOADER, user=auditor, secret=SECRET)
    dispatched_case(t, cw, title="路灯不亮")
    _login(desk, live_server.url, "auditor", SECRET)
    desk.goto(live_server.url + reverse("core:audit_list"))
    rows = desk.locator("table tbody tr")
    dispatch = rows.filter(has_text="cases.dispatch")
    assert dispatch.locator(".audit-words").inner_text() == "派单"
    assert dispatch.locator(".audit-action code").inner_text() == "cases.dispatch"
    assert dispatch.locator("td").nth(2).inner_text() == "王芳 cw1"
    login = rows.filter(has_text="accounts.login").first
    assert login.locator(".audit-words").inner_text() == "登录"

    desk.fill("#f-action", "派单")
    desk.get_by_role("button", name="查询").click()
    desk.wait_for_load_state()
    assert [w.strip() for w in desk.locator("table tbody .audit-words").all_inner_texts()] == ["派单"]
