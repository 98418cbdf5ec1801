"""A resident reports in their own words on a 390×844 phone (issue 13): signs in with the SMS code, writes the
description first, picks the topic suggested from it, submits with a photo and sees their case page."""

import re

import pytest
from PIL import Image

from shequ.accounts.tests.factories import staff
from shequ.cases.models import Case
from shequ.portal.tests.test_portal import MOBILE, register
from shequ.registry import services as registry
from shequ.territory.tests.factories import make_tree
from shequ.web.tests.test_browser_cases import PHONE, contexts, outbox, seeded  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESCRIPTION = "楼下消防通道被私家车长期占用，救护车进不来"


def test_resident_writes_first_picks_suggested_topic_and_sees_case_page(
    contexts,  # noqa: F811 - the fixtures of test_browser_cases
    live_server,
    outbox,  # noqa: F811
    seeded,  # noqa: F811
    tmp_path,
):
    t = make_tree()
    cw = staff("community_worker", t["c1"], username="cw")
    household = registry.household_create(actor=cw, community=t["c1"], number="H-0101", dwelling=t["d1"])
    register(t, cw, "张建国", household=household, relation="head")
    photo = tmp_path / "lane.png"
    Image.new("RGB", (64, 48), (200, 60, 30)).save(photo, format="PNG")
    url = live_server.url

    phone = contexts(**PHONE)
    phone.goto(f"{url}/portal/login/")
    phone.fill("#mobile", MOBILE)
    phone.click("button:has-text('获取验证码')")
    phone.wait_for_url(f"{url}/portal/login/verify/")
    phone.fill("#code", re.search(r"\d{6}", outbox[0][1]).group(0))
    phone.click("button:has-text('登录')")
    phone.wait_for_url(f"{url}/portal/")
    phone.click("a:has-text('我要反映')")
    phone.wait_for_url(f"{url}/portal/cases/new/")

    # The description comes first; the topic list follows what is typed.
    box = phone.locator("#description").bounding_box()
    assert box["y"] < phone.locator("#topics").bounding_box()["y"]
    phone.fill("#description", DESCRIPTION)
    suggested = phone.locator("#topics label:has(input[value='fire-lane'])")
    suggested.locator(".tag:has-text('建议')").wait_for()
    assert "消防通道 · 消防通道堵塞" in suggested.inner_text()
    suggested.locator("input").check()
    phone.set_input_files("#photos", str(photo))
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.click("#report button[type=submit]:has-text('提交')")
    phone.wait_for_url("**/portal/cases/*/?submitted=1")

    case = Case.objects.get()
    body = phone.inner_text("body")
    assert f"提交成功，受理编号：{case.tracking_number}" in body
    assert "消防通道堵塞" in body
    assert f"{case.accept_by:%Y-%m-%d} 前" in phone.inner_text("#expected")
    assert "您提交了反映" in body
    assert phone.locator("#own-photos img").count() == 1
    assert phone.evaluate("document.querySelector('#own-photos img').naturalWidth") > 0
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
