"""Browser journey of an owners' vote: an owner votes on a phone (390×844) and keeps the receipt; a community
worker enters a paper ballot from its scan at the desk (1366×768) and a second one confirms it; the live tally
updates; a non-owner finds nothing to vote on; after close the owner finds the receipt in the published list.

Headless Debian chromium driven by Playwright; residents sign in through the real SMS code flow (see
test_browser_cases).
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from shequ.accounts.tests.factories import PASSWORD
from shequ.registry.tests.factories import WANG_MOBILE, ZSF_MOBILE
from shequ.votes.models import Ballot, Vote
from shequ.votes.tests.factories import opened, vote_world
from shequ.web.tests.test_browser_cases import PHONE, contexts, outbox  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone_sign_in(page, url, mobile, outbox):  # noqa: F811
    page.goto(f"{url}/portal/login/")
    page.fill("#mobile", mobile)
    page.click("button:has-text('获取验证码')")
    page.wait_for_url(f"{url}/portal/login/verify/")
    code = re.search(r"\d{6}", outbox[-1][1]).group(0)
    page.fill("#code", code)
    page.click("button:has-text('登录')")
    page.wait_for_url(f"{url}/portal/")


def _desk_sign_in(contexts, url, user):  # noqa: F811
    page = contexts(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/accounts/login/" not in u)
    return page


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_owner_votes_on_a_phone_staff_confirm_paper_and_the_receipt_is_published(
    contexts,  # noqa: F811
    outbox,  # noqa: F811
    live_server,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = vote_world()
    vote = opened(w, closes_at=timezone.now() + dt.timedelta(days=14))
    url = live_server.url

    # 1. 张三丰 signs in on a phone, votes (agree; two candidates) and gets a receipt code.
    phone = contexts(**PHONE)
    _phone_sign_in(phone, url, ZSF_MOBILE, outbox)
    phone.goto(f"{url}/portal/votes/")
    assert "锦苑小区2026年业主大会" in phone.inner_text("main")
    phone.click("a:has-text('去投票')")
    phone.check("input[name=item_1][value=agree]")
    phone.check("input[name=item_2][value=abstain]")
    phone.check("input[name=item_3][value=王芳]")
    phone.check("input[name=item_3][value=刘强]")
    assert _fits(phone)
    phone.click("button:has-text('提交选票')")
    phone.wait_for_url(re.compile(r".*/receipt/.*"))
    code = phone.inner_text("[data-receipt]").strip()
    ballot = Ballot.objects.get(vote=vote)
    assert code == f"{ballot.receipt_code[:5]}-{ballot.receipt_code[5:]}"
    assert "王芳、刘强" in phone.inner_text("main") or "刘强、王芳" in phone.inner_text("main")
    assert _fits(phone)

    # 2. A community worker enters a paper ballot with its scan; it waits for a colleague.
    scan = tmp_path / "ballot.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    desk = _desk_sign_in(contexts, url, w["cw1"])
    desk.goto(f"{url}/votes/{vote.public_id}/")
    assert "已计入 1 张，待复核 0 张" in desk.inner_text("[data-counts]")
    desk.click("a:has-text('录入纸质选票')")
    desk.fill("#id_dwelling", "1栋1单元1-701")
    desk.set_input_files("#id_scan", str(scan))
    desk.check("input[name=item_1][value=agree]")
    desk.check("input[name=item_2][value=oppose]")
    desk.click("button:has-text('提交复核')")
    desk.wait_for_url(f"{url}/votes/{vote.public_id}/")
    assert "已计入 1 张，待复核 1 张" in desk.inner_text("[data-counts]")
    assert "须由另一位工作人员复核" in desk.inner_text("#pending")

    # 3. A second community worker confirms it from the queue; the tally counts it.
    second = _desk_sign_in(contexts, url, w["cw2"])
    second.goto(f"{url}/votes/paper/")
    assert "1栋1单元1-701" in second.inner_text("main")
    second.click("button:has-text('复核通过')")
    second.wait_for_url(f"{url}/votes/paper/")
    assert "没有等待您复核的纸质选票。" in second.inner_text("main")
    desk.reload()
    assert "已计入 2 张，待复核 0 张" in desk.inner_text("[data-counts]")
    item1 = desk.inner_text("#item-1")
    assert "2 / 5" in item1 and "259.5㎡ / 664.5㎡" in item1
    assert "参与表决的专有部分面积占总面积 39.1%（259.5㎡/664.5㎡），未达到 2/3。" in item1

    # 4. 王五 (no dwelling in this compound) has nothing to vote on, and cannot reach the ballot.
    stranger = contexts(**PHONE)
    _phone_sign_in(stranger, url, WANG_MOBILE, outbox)
    stranger.goto(f"{url}/portal/votes/")
    assert "您目前没有需要参加的业主表决" in stranger.inner_text("main")
    response = stranger.goto(phone.url.replace("/receipt/", "/ballot/"))
    assert response.status == 404
    assert Ballot.objects.filter(vote=vote).count() == 2

    # 5. The deadline passes; staff close on the confirmation page; the owner checks the receipt in the list.
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    desk.goto(f"{url}/votes/{vote.public_id}/close/")
    desk.click("button:has-text('确认结束并公布')")
    desk.wait_for_url(f"{url}/votes/{vote.public_id}/published/")
    assert code in desk.inner_text("#receipts")
    phone.goto(f"{url}/portal/votes/")
    phone.click("a:has-text('查看表决结果和回执码清单')")
    phone.fill("#id_code", code)
    phone.click("button:has-text('核对')")
    assert "在公布清单中" in phone.inner_text("[data-check]")
    assert _fits(phone)
