"""Browser journey of a joint meeting at the desk (1366×768): the community Party secretary opens the community's
"one core, many actors" page, records a joint meeting with a follow-up, and files the follow-up as a case (立案).

Headless Debian chromium driven by Playwright (fixtures in conftest.py).
"""

import pytest

from shequ.accounts.tests.factories import PASSWORD
from shequ.coordination.models import FollowUp, JointMeeting
from shequ.coordination.tests.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_records_a_joint_meeting_and_files_a_case(desk, live_server):
    w = make_world()
    url = live_server.url
    page = desk
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", w["secretary"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/accounts/login/" not in u)

    page.goto(f"{url}/coordination/")
    page.wait_for_url(lambda u: "/coordination/communities/" in u)
    main = page.inner_text("main")
    assert "洗面桥社区党委" in main and "书记：周*" in main and "138****5678" in main
    assert "尚未写明该单位在本社区的职责" in main

    page.click("a:has-text('登记联席会议')")
    page.fill("#id_topic", "锦苑小区停车秩序整治")
    page.fill("#id_place", "社区党群服务中心")
    page.check(f"input[name=participants][value='{w['rc'].public_id}']")
    page.check(f"input[name=participants][value='{w['property'].public_id}']")
    page.fill("#id_minutes", "各方同意重新划定停车位，物业负责施工。")
    page.fill("#id_f0_text", "重新划定停车位")
    page.select_option("#id_f0_lead", str(w["property"].public_id))
    page.click("#form-joint-meeting button[type=submit]")
    page.wait_for_url(lambda u: "/coordination/meetings/" in u)
    assert "已登记联席会议" in page.inner_text("main")
    meeting = JointMeeting.objects.get()
    assert meeting.participants.count() == 3

    follow_up = FollowUp.objects.get()
    item = page.locator(f"#follow-up-{follow_up.public_id}")
    item.locator("summary:has-text('立案')").click()
    item.locator("form[action$='/case/'] button[type=submit]").click()
    page.wait_for_url(lambda u: "/coordination/meetings/" in u)
    follow_up.refresh_from_db()
    assert follow_up.kind == "case" and follow_up.case is not None
    text = page.inner_text(f"#follow-up-{follow_up.public_id}")
    assert "已立案" in text and follow_up.case.tracking_number in text
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
