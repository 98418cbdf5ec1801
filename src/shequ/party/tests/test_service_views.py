"""Pages of 在职党员双报到 and 党员中心户: the workbench pages render for the community Party secretary and answer
404/403 to an organiser of a branch; the portal pages let a registered resident claim a need and record a service
(hours above a day refused on the form), and download the quarterly record."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shequ.accounts.tests.factories import PASSWORD
from shequ.core.actors import ResidentActor
from shequ.core.models import AuditRecord
from shequ.core.todos import todos_for
from shequ.party import hub_services
from shequ.party import inservice_services as svc
from shequ.party.models import HubLink, NeedClaim, ServiceEntry
from shequ.party.tests.factories import make_party_world, member, organiser
from shequ.registry import services as registry_services
from shequ.registry.tests.factories import make_resident, registrar_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    """make_party_world() with organiser0 of the committee, resident 程丽 registered in c1 with a claimed need and a
    pending service, 王建国 not registered, and a hub on m111."""
    w = make_party_world()
    w["organiser0"] = organiser(w["committee"], "organiser0")
    w["alice"] = make_resident(w["c1"], w["d1"], name="程丽")
    w["bob"] = make_resident(w["c1"], w["d1"], name="王建国")
    w["reg"] = svc.registration_create(
        actor=ResidentActor(w["alice"]),
        resident=w["alice"],
        data=svc.RegistrationInput(
            own_org_name="某局机关党支部", employer="某局", registered_on=datetime.date(2025, 1, 1)
        ),
    )
    w["need"] = svc.need_publish(
        actor=w["secretary"],
        community=w["c1"],
        data=svc.NeedInput(title="周末课业辅导", kind="tutoring", wanted=2, open_from=datetime.date(2025, 1, 1)),
    )
    w["claim"] = svc.need_claim(actor=ResidentActor(w["alice"]), need=w["need"], member=w["reg"])
    w["entry"] = svc.entry_record(
        actor=ResidentActor(w["alice"]),
        member=w["reg"],
        data=svc.EntryInput(served_on=timezone.localdate(), hours="2", content="辅导作业", claim=w["claim"]),
    )
    host = member(w["secretary"], w["group1"], "周华")
    w["hub"], _ = hub_services.hub_create(actor=w["secretary"], area=w["m111"], host=host, name="周华党员中心户")
    w["household"] = registry_services.household_create(
        actor=registrar_of(w["c1"]), community=w["c1"], number="H001", dwelling=w["d1"]
    )
    return w


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _portal(client, resident):
    session = client.session
    session["portal_resident"] = str(resident.public_id)
    session["portal_last_activity"] = int(timezone.now().timestamp())
    session.save()


def _pages(w):
    reg, need, hub = w["reg"].public_id, w["need"].public_id, w["hub"].public_id
    today = timezone.localdate()
    q = (today.month - 1) // 3 + 1
    return {
        reverse("party:service"): ["在职党员报到", "程*", "某局"],
        reverse("party:service_registration", args=[reg]): ["程*", "周末课业辅导", "辅导作业", "待社区确认"],
        reverse("party:service_needs"): ["周末课业辅导", "1 / 2"],
        reverse("party:service_need_new"): ["发布需求"],
        reverse("party:service_need", args=[need]): ["周末课业辅导", "程*"],
        reverse("party:service_entries"): ["辅导作业"],
        reverse("party:hubs"): ["周华党员中心户", "周*"],
        reverse("party:hub_new"): ["设立党员中心户"],
        reverse("party:hub", args=[hub]): ["周华党员中心户", "H001"],
        reverse("party:service_record", args=[reg, today.year, q]): [],
    }


def test_every_workbench_page_renders_for_the_secretary(client, w):
    _login(client, w["secretary"])
    for url, texts in _pages(w).items():
        response = client.get(url)
        assert response.status_code == 200, url
        if texts:
            page = response.content.decode()
            for text in texts:
                assert text in page, (url, text)
    assert "程丽" not in client.get(reverse("party:service")).content.decode()


def test_a_branch_organiser_gets_403_or_404_and_sees_no_registration(client, w):
    _login(client, w["organiser2"])
    for url in _pages(w):
        if url in (reverse("party:hubs"), reverse("party:hub_new")):  # their own hubs: none
            response = client.get(url)
            assert response.status_code == 200 and str(w["hub"].public_id) not in response.content.decode()
            continue
        assert client.get(url).status_code in (403, 404), url
    before = (AuditRecord.objects.count(), ServiceEntry.objects.filter(status="confirmed").count())
    assert client.post(reverse("party:service_entry_confirm", args=[w["entry"].public_id])).status_code == 404
    assert (AuditRecord.objects.count(), ServiceEntry.objects.filter(status="confirmed").count()) == before


def test_the_secretary_confirms_and_the_todo_counts_it(client, w):
    todo = {t.key: t for t in todos_for(w["secretary"])}["party.service"]
    assert todo.count == 1
    _login(client, w["secretary"])
    response = client.post(reverse("party:service_entry_confirm", args=[w["entry"].public_id]))
    assert response.status_code == 302
    w["entry"].refresh_from_db()
    assert w["entry"].status == "confirmed"
    assert "party.service" not in {t.key for t in todos_for(w["secretary"])}


def test_staff_hours_above_a_day_are_refused_on_the_form(client, w):
    _login(client, w["secretary"])
    url = reverse("party:service_registration_action", args=[w["reg"].public_id, "entry"])
    data = {"entry-served_on": timezone.localdate().isoformat(), "entry-hours": "25", "entry-content": "巡逻"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "服务时长不能超过一天（24 小时）" in response.content.decode()
    assert ServiceEntry.objects.count() == 1


def test_export_masks_names_and_is_audited(client, w):
    _login(client, w["secretary"])
    response = client.get(reverse("party:service_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[2]][:2] == ["程*", "洗面桥社区"]
    assert AuditRecord.objects.filter(action="party.inservice_exported").count() == 1


def test_reveal_shows_the_name_once_and_is_audited(client, w):
    _login(client, w["secretary"])
    url = reverse("party:service_registration_action", args=[w["reg"].public_id, "reveal"])
    response = client.post(url, {"reveal-reason": "出具服务情况反馈"})
    assert response.status_code == 200 and "程丽" in response.content.decode()
    assert AuditRecord.objects.filter(action="party.inservice_revealed").count() == 1


def test_publish_a_need_from_the_form(client, w):
    _login(client, w["organiser0"])
    data = {
        "community": str(w["c1"].public_id),
        "title": "看望独居老人",
        "kind": "visits",
        "wanted": "3",
        "open_from": timezone.localdate().isoformat(),
    }
    response = client.post(reverse("party:service_need_new"), data)
    assert response.status_code == 302
    response = client.post(reverse("party:service_need_new"), {**data, "wanted": "0"})
    assert response.status_code == 400


def test_hub_pages_link_a_member_and_add_a_household_with_warnings(client, w, settings):
    settings.SHEQU_HUB_MAX_HOUSEHOLDS = 0 + 1
    _login(client, w["secretary"])
    other = member(w["secretary"], w["group1"], "吴敏")
    url = reverse("party:hub_action", args=[w["hub"].public_id, "link"])
    assert client.post(url, {"link-member": str(other.public_id)}).status_code == 302
    link = HubLink.objects.get(hub=w["hub"], member=other)
    url = reverse("party:hub_action", args=[w["hub"].public_id, "household"])
    data = {"household-link": str(link.public_id), "household-household": str(w["household"].public_id)}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "H001" in response.content.decode()


# --- portal ----------------------------------------------------------------------------------------------------


def test_a_resident_registers_on_the_portal(client, w):
    _portal(client, w["bob"])
    response = client.get(reverse("portal:service"))
    assert response.status_code == 200 and "register-form" in response.content.decode()
    data = {"own_org_name": "某公司党委", "employer": "某公司", "preferred_kinds": ["patrol", "visits"]}
    assert client.post(reverse("portal:service"), data).status_code == 302
    page = client.get(reverse("portal:service")).content.decode()
    assert "某公司党委" in page and "register-form" not in page


def test_a_member_claims_and_records_on_the_phone_pages(client, w):
    _portal(client, w["bob"])
    svc.registration_create(
        actor=ResidentActor(w["bob"]),
        resident=w["bob"],
        data=svc.RegistrationInput(
            own_org_name="某公司党委", employer="某公司", registered_on=datetime.date(2025, 1, 1)
        ),
    )
    assert "周末课业辅导" in client.get(reverse("portal:service_needs")).content.decode()
    assert client.post(reverse("portal:service_need_claim", args=[w["need"].public_id])).status_code == 302
    claim = NeedClaim.objects.get(member__resident=w["bob"])
    url = reverse("portal:service_entry_new")
    data = {"claim": str(claim.public_id), "served_on": timezone.localdate().isoformat(), "content": "辅导"}
    response = client.post(url, {**data, "hours": "24.5"})
    assert response.status_code == 400
    assert "服务时长不能超过一天（24 小时）" in response.content.decode()
    assert client.post(url, {**data, "hours": "3"}).status_code == 302
    page = client.get(reverse("portal:service_entries")).content.decode()
    assert "待社区确认" in page and "3 小时" in page
    today = timezone.localdate()
    response = client.get(reverse("portal:service_record", args=[today.year, (today.month - 1) // 3 + 1]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_need_is_full_after_its_wanted_count(client, w):
    _portal(client, w["bob"])
    svc.registration_create(
        actor=ResidentActor(w["bob"]),
        resident=w["bob"],
        data=svc.RegistrationInput(own_org_name="某公司党委", employer="某公司"),
    )
    svc.need_claim(actor=w["secretary"], need=w["need"], member=svc.InServiceMember.objects.get(resident=w["bob"]))
    carol = make_resident(w["c1"], w["d1"], name="李秀英")
    _portal(client, carol)
    svc.registration_create(
        actor=ResidentActor(carol),
        resident=carol,
        data=svc.RegistrationInput(own_org_name="某党支部", employer="某单位"),
    )
    page = client.get(reverse("portal:service_need", args=[w["need"].public_id])).content.decode()
    assert 'id="claim"' not in page and "当前不接受认领" in page
    client.post(reverse("portal:service_need_claim", args=[w["need"].public_id]))
    assert NeedClaim.objects.filter(need=w["need"]).count() == 2


def test_a_resident_without_registration_cannot_record(client, w):
    _portal(client, w["bob"])
    assert client.get(reverse("portal:service_entry_new")).status_code == 404
    assert client.get(reverse("portal:service_entries")).status_code == 404
