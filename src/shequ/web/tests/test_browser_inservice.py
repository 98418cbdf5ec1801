"""Browser journey of 在职党员双报到: an in-service member on a phone (390×844) signs in by SMS, opens the needs list
of their community, claims a need, is refused hours above a day's length, records the service; the community
Party secretary at the desk (1366×768) sees the service waiting and confirms it.

Headless Debian chromium driven by Playwright; the resident signs in through the real SMS code flow (see
test_browser_cases).
"""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.core.actors import ResidentActor
from shequ.party import inservice_services as svc
from shequ.party.models import NeedClaim, ServiceEntry
from shequ.party.tests.factories import make_party_world
from shequ.registry.tests.factories import ZSF_MOBILE, make_resident
from shequ.web.tests.test_browser_cases import PHONE, contexts, outbox  # noqa: F401  (fixtures)
from shequ.web.tests.test_browser_votes import _desk_sign_in, _fits, _phone_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_claims_a_need_and_records_the_service_on_a_phone(contexts, outbox, live_server):  # noqa: F811
    w = make_party_world()
    resident = make_resident(w["c1"], w["d1"], name="张三丰", mobile=ZSF_MOBILE)
    svc.registration_create(
        actor=ResidentActor(resident),
        resident=resident,
        data=svc.RegistrationInput(
            own_org_name="武侯区教育局机关党支部", employer="武侯区教育局", registered_on=dt.date(2025, 1, 1)
        ),
    )
    need = svc.need_publish(
        actor=w["secretary"],
        community=w["c1"],
        data=svc.NeedInput(title="周末课业辅导", kind="tutoring", wanted=2, open_from=dt.date(2025, 1, 1)),
    )
    url = live_server.url

    phone = contexts(**PHONE)
    _phone_sign_in(phone, url, ZSF_MOBILE, outbox)
    phone.click("a:has-text('在职党员报到')")
    phone.wait_for_url(f"{url}/portal/service/")
    phone.click("a:has-text('社区需求清单')")
    phone.click("a:has-text('周末课业辅导')")
    phone.click("#claim")
    phone.wait_for_selector("#claimed")
    assert NeedClaim.objects.filter(need=need, status="claimed").count() == 1
    assert _fits(phone)

    phone.click("a:has-text('记录服务')")
    phone.wait_for_selector("#entry-form")
    assert phone.input_value("#id_claim") == str(NeedClaim.objects.get().public_id)
    phone.fill("#id_served_on", timezone.localdate().isoformat())
    phone.fill("#id_hours", "25")
    phone.fill("#id_content", "辅导三名小学生数学作业")
    phone.click("#entry-form button[type=submit]")
    phone.wait_for_selector("text=服务时长不能超过一天（24 小时）")
    assert ServiceEntry.objects.count() == 0
    phone.fill("#id_hours", "2.5")
    phone.click("#entry-form button[type=submit]")
    phone.wait_for_url(f"{url}/portal/service/services/")
    phone.wait_for_selector("text=待社区确认")
    assert _fits(phone)
    entry = ServiceEntry.objects.get()
    assert (str(entry.hours), entry.status) == ("2.50", "pending")

    desk = _desk_sign_in(contexts, url, w["secretary"])
    desk.goto(f"{url}/party/service/entries/")
    desk.wait_for_selector("text=辅导三名小学生数学作业")
    desk.click("#entries button:has-text('确认')")
    desk.wait_for_selector("text=没有待确认的服务记录。")
    entry.refresh_from_db()
    assert entry.status == "confirmed"
