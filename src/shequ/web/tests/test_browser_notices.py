"""Browser journey of a public notice: a community worker publishes on the desktop (with a confirmation), a
resident on a phone files an objection, the worker answers it from the home page's to-do, the resident sees the
answer.

Headless Debian chromium driven by Playwright, as in test_browser_cases. The resident signs in through the real
SMS code flow (the live server thread sends through the process-wide LocmemBackend this test reads).
"""

import re

import pytest

from shequ.accounts.tests.factories import staff
from shequ.notices.models import Notice, Objection
from shequ.portal.tests.test_portal import MOBILE, register
from shequ.registry import services as registry
from shequ.territory.tests.factories import make_tree
from shequ.web.tests.test_browser import _login
from shequ.web.tests.test_browser_cases import PHONE, contexts, outbox  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "关于增设电动自行车集中充电设施的决议公示"
BODY = "经社区居民议事会讨论通过，拟在锦苑小区车棚增设电动自行车集中充电口二十个，费用由公共收益列支。"
OBJECTION = "车棚离单元门只有三米，集中充电有消防隐患，建议换到小区东侧空地。"
ANSWER = "经现场查看，充电设施改设在小区东侧空地，距单元门二十米以上。"


def _phone_sign_in(phone, url, sent):
    phone.goto(f"{url}/portal/")
    phone.wait_for_url(f"{url}/portal/login/")
    phone.fill("#mobile", MOBILE)
    phone.click("button:has-text('获取验证码')")
    phone.wait_for_url(f"{url}/portal/login/verify/")
    code = re.search(r"\d{6}", sent[-1][1]).group(0)
    phone.fill("#code", code)
    phone.click("button:has-text('登录')")
    phone.wait_for_url(f"{url}/portal/")


def test_worker_publishes_resident_objects_on_a_phone_worker_answers_resident_sees_it(
    contexts,  # noqa: F811
    live_server,
    outbox,  # noqa: F811
    desk,
):
    t = make_tree()
    cw = staff("community_worker", t["c1"], username="cw")
    household = registry.household_create(actor=cw, community=t["c1"], number="H-0101", dwelling=t["d1"])
    register(t, cw, "张建国", household=household, relation="head")
    url = live_server.url

    # 1. The community worker writes the notice for 锦苑小区 on the desktop, then publishes after confirming.
    _login(desk, live_server, "cw")
    desk.click("nav.sidebar >> text=公示公告")
    desk.wait_for_url(f"{url}/notices/")
    assert "您的辖区内还没有公示。" in desk.inner_text("main")
    desk.click("a:has-text('新建公示')")
    desk.select_option("#id_place", label="洗面桥社区 · 锦苑小区")
    desk.select_option("#id_kind", label="决议")
    desk.fill("#id_title", TITLE)
    desk.fill("#id_body", BODY)
    desk.click("#notice-form button[type=submit]")
    desk.wait_for_url(re.compile(r".*/notices/[0-9a-f-]{36}/$"))
    assert "草稿" in desk.inner_text("#notice-status")
    desk.click("#publish-link")
    assert "发布后公示内容不能修改" in desk.inner_text("main")
    desk.click("#publish-form button[type=submit]")
    desk.wait_for_url(re.compile(r".*/notices/[0-9a-f-]{36}/$"))
    assert "已发布" in desk.inner_text("#notice-status")
    notice = Notice.objects.get()
    assert notice.status == "published"

    # 2. The resident signs in on a phone, opens 公示公告 and files an objection.
    phone = contexts(**PHONE)
    _phone_sign_in(phone, url, outbox)
    phone.click("a:has-text('公示公告')")
    phone.wait_for_url(f"{url}/portal/notices/")
    phone.click(f"#current-notices a:has-text('{TITLE}')")
    assert "共 5 天" in phone.inner_text("#period")  # the form proposes the shortest period
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    phone.fill("#id_text", OBJECTION)
    phone.click("#objection-form button[type=submit]")
    phone.wait_for_url(f"{url}/portal/notices/{notice.public_id}/")
    assert "社区正在处理" in phone.inner_text("#my-objections")
    assert Objection.objects.get().status == "open"

    # 3. The worker finds it on the home page's to-do and answers it on the desktop.
    desk.goto(f"{url}/")
    desk.click("a:has-text('待答复的公示异议')")
    desk.wait_for_url(f"{url}/notices/objections/?status=open")
    desk.click(f"#objection-rows a:has-text('{TITLE}')")
    desk.fill("article textarea", ANSWER)
    desk.click("article button:has-text('提交答复')")
    desk.wait_for_url(re.compile(r".*/notices/[0-9a-f-]{36}/$"))
    assert "已答复异议" in desk.inner_text(".messages")
    assert Objection.objects.get().status == "answered"

    # 4. The resident sees the answer under 我的异议.
    phone.goto(f"{url}/portal/notices/")
    phone.click("a:has-text('我的异议')")
    phone.wait_for_url(f"{url}/portal/notices/objections/")
    text = phone.inner_text("main")
    assert ANSWER in text and "已答复" in text
