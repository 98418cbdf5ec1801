"""Browser journey of deliberation: a resident submits and supports a proposal on a phone; a community worker puts
it on a meeting's agenda, records attendance and a resolution, and reads the quorum result in Chinese.

Headless Debian chromium driven by Playwright, as in test_browser_cases (the same phone context and SMS sign-in).
"""

import re

import pytest
from django.utils import timezone

from shequ.accounts.tests.factories import staff
from shequ.deliberation import services
from shequ.deliberation.models import Proposal
from shequ.portal.tests.test_portal import MOBILE, register
from shequ.territory.tests.factories import make_tree
from shequ.web.tests.test_browser import _login
from shequ.web.tests.test_browser_cases import PHONE, contexts, outbox  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "楼道加装声控灯"
DESCRIPTION = "三单元楼道没有照明，老人晚上上下楼容易摔倒，建议加装声控灯。"


def test_resident_proposes_on_a_phone_and_the_council_decides(contexts, live_server, outbox):  # noqa: F811
    t = make_tree()
    cw = staff("community_worker", t["c1"], username="cw")
    resident = register(t, cw, "张建国")
    others = [register(t, cw, f"委员{i}", mobile=f"1390000000{i}") for i in range(3)]
    body = services.body_create(actor=cw, community=t["c1"], kind="residents_council", name="洗面桥居民议事会")
    services.body_rules_update(actor=cw, body=body, data=services.RulesInput(support_threshold=1))
    for i, member in enumerate(others):
        data = services.MemberInput(
            role="chair" if i == 0 else "member", term_start=timezone.localdate(), resident=member
        )
        services.member_add(actor=cw, body=body, data=data)
    meeting = services.meeting_create(
        actor=cw,
        body=body,
        data=services.MeetingInput(title="居民议事会月度会议", held_at=timezone.now(), place="社区议事厅"),
    )
    url = live_server.url

    # 1. The resident signs in on a phone, submits a proposal and supports it.
    phone = contexts(**PHONE)
    phone.goto(f"{url}/portal/login/")
    phone.fill("#mobile", MOBILE)
    phone.click("button:has-text('获取验证码')")
    phone.wait_for_url(f"{url}/portal/login/verify/")
    phone.fill("#code", re.search(r"\d{6}", outbox[0][1]).group(0))
    phone.click("button:has-text('登录')")
    phone.wait_for_url(f"{url}/portal/")
    phone.goto(f"{url}/portal/proposals/")
    assert "本社区还没有议题" in phone.inner_text("body")
    phone.click("a:has-text('提出议题')")
    phone.fill("#id_title", TITLE)
    phone.fill("#id_description", DESCRIPTION)
    with phone.expect_navigation():
        phone.click("#proposal-form button[type=submit]")
    proposal = Proposal.objects.get()
    assert (proposal.author_resident_id, proposal.source) == (resident.pk, "resident")
    assert "议题已提交" in phone.inner_text("body")
    with phone.expect_navigation():
        phone.click("button:has-text('我支持（附议）')")
    assert "已有 1 人附议" in phone.inner_text("#supports")
    assert "待上会" in phone.inner_text("#status")  # the threshold of 1 was reached
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # 2. The community worker (desktop) puts it on the meeting's agenda from the proposal page.
    desk = contexts(locale="zh-CN", viewport={"width": 1366, "height": 768})
    _login(desk, live_server, "cw")
    desk.goto(f"{url}/deliberation/")
    desk.click(f"a:has-text('{TITLE}')")
    desk.wait_for_url(f"**/deliberation/proposals/{proposal.public_id}/")
    desk.select_option("#form-schedule select", str(meeting.public_id))
    with desk.expect_navigation():
        desk.click("#form-schedule button[type=submit]")
    assert "已列入议程" in desk.inner_text("#proposal-status")

    # 3. On the meeting page: two of three members present, then the resolution with their votes.
    desk.click(f"a:has-text('{meeting.title}')")
    desk.wait_for_url(f"**/deliberation/meetings/{meeting.public_id}/")
    boxes = desk.locator("#form-attendance input[name=present]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    with desk.expect_navigation():
        desk.click("#form-attendance button[type=submit]")
    assert "实到 2 / 应到 3" in desk.inner_text("#attendance h2")
    desk.select_option("#form-resolution select[name='resolution-agenda_item']", index=1)
    desk.fill("#form-resolution textarea[name='resolution-text']", "同意在三单元楼道加装声控灯，由社区公益金支出。")
    with desk.expect_navigation():
        desk.click("#form-resolution button[type=submit]")
    result = desk.inner_text("#resolutions .quorum-result")
    assert result == (
        "应到 3 人，实到 2 人；法定人数为全体成员过半数（至少 2 人），达到法定人数。"
        "赞成 2 票，须出席人数的过半数（至少 2 票），决议通过。"
    )
    assert desk.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    proposal.refresh_from_db()
    assert proposal.status == "adopted"
