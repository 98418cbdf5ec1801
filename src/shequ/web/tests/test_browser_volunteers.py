"""Browser journey of volunteer service: on a phone (390×844) a resident registers as a volunteer from the portal
and signs up for an activity of their community; the organiser (a social organisation's staff member) confirms the
hours at the desk (1366×768), after a figure above a day was refused with the typed figures kept; the volunteer
asks for the proof of service and downloads the PDF, which states the confirmed hours.

Headless Debian chromium driven by Playwright; the resident signs in through the real SMS code flow.
"""

import datetime as dt
import io
import re

import pypdf
import pytest
from django.utils import timezone

from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.organisations.models import Unit
from shequ.registry.tests.factories import ZSF_MOBILE, make_world
from shequ.volunteers.models import Activity, ServiceRecord, Signup
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


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_volunteer_signs_up_on_a_phone_organiser_confirms_and_the_proof_states_the_hours(
    contexts,  # noqa: F811
    outbox,  # noqa: F811
    live_server,
):
    w = make_world()
    org = Unit.objects.create(kind="social_org", name="锦苑邻里互助会", area=w["c1"], compound=w["compound1"])
    organiser = staff("org_staff", w["c1"], unit=org)
    start = timezone.now() - dt.timedelta(hours=1)  # under way: open for sign-up, hours can be confirmed
    activity = Activity.objects.create(
        organiser=org,
        community=w["c1"],
        title="关爱独居老人上门陪伴",
        content="陪伴独居老人聊天、打扫卫生",
        place="锦苑小区3栋",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        slots=5,
    )
    url = live_server.url

    # 1. 张三丰 signs in on a phone, registers as a volunteer (nothing the register holds is asked) and signs up.
    phone = contexts(**PHONE)
    _phone_sign_in(phone, url, ZSF_MOBILE, outbox)
    phone.click("a:has-text('志愿服务')")
    phone.wait_for_url(f"{url}/portal/volunteer/")
    assert "注册志愿者" in phone.inner_text("main")
    phone.fill("#id_skills", "陪伴聊天")
    phone.click("button:has-text('注册')")
    phone.wait_for_url(f"{url}/portal/volunteer/")
    assert "0 小时（0 次）" in phone.inner_text("#total-hours")
    phone.click("a:has-text('报名活动')")
    phone.click("a:has-text('关爱独居老人上门陪伴')")
    assert _fits(phone)
    phone.click("#signup-button")
    phone.wait_for_url(f"{url}/portal/volunteer/activities/{activity.public_id}/")
    assert "您已报名" in phone.inner_text("#signup-status")
    signup = Signup.objects.get(activity=activity)
    assert signup.status == "signed_up"

    # 2. The organiser confirms the hours at the desk; 25 hours are refused, with the figures kept.
    desk = contexts(locale="zh-CN", viewport={"width": 1366, "height": 768})
    desk.goto(f"{url}/accounts/login/")
    desk.fill("input[name=username]", organiser.username)
    desk.fill("input[name=password]", PASSWORD)
    desk.click("button[type=submit]")
    desk.wait_for_url(lambda u: "/accounts/login/" not in u)
    desk.goto(f"{url}/volunteers/activities/{activity.public_id}/")
    key = f"confirm-{signup.public_id}"
    desk.fill(f"#id_{key}-hours", "25")
    desk.fill(f"#id_{key}-travel_hours", "0.5")
    desk.click("button:has-text('确认时长')")
    assert "服务时长不能超过一天（24 小时）" in desk.inner_text("main")
    assert desk.input_value(f"#id_{key}-hours") == "25"
    assert desk.input_value(f"#id_{key}-travel_hours") == "0.5"
    assert not ServiceRecord.objects.exists()
    desk.fill(f"#id_{key}-hours", "2.5")
    desk.click("button:has-text('确认时长')")
    desk.wait_for_url(f"{url}/volunteers/activities/{activity.public_id}/")
    assert "2.5 小时" in desk.inner_text("#signups")

    # 3. The volunteer sees the hours, asks for the proof and downloads it: the PDF states the hours.
    phone.goto(f"{url}/portal/volunteer/")
    assert "2.5 小时（1 次）" in phone.inner_text("#total-hours")
    phone.click("button:has-text('申请出具证明')")
    phone.wait_for_url(f"{url}/portal/volunteer/")
    assert "免费" in phone.inner_text("main")
    assert _fits(phone)
    with phone.expect_download() as download_info:
        phone.click("#proofs a:has-text('下载证明')")
    data = open(download_info.value.path(), "rb").read()  # noqa: SIM115
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "志愿服务记录证明" in text and "2.5" in text and "关爱独居老人上门陪伴" in text
    assert "本证明免费出具" in text
