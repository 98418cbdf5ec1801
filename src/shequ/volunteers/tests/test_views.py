"""Workbench and portal pages of volunteer service: each renders for those allowed; outside the scope 404; a refused
hours figure re-renders the activity with what was typed and the Chinese reason (400); the export is masked and
audited; the portal shows a resident only their own record and lets them sign up, ask a correction and download
the proof."""

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shequ.accounts.tests.factories import PASSWORD
from shequ.core.models import AuditRecord
from shequ.core.todos import todos_for
from shequ.volunteers import services
from shequ.volunteers.models import Proof, ServiceRecord, Signup
from shequ.volunteers.tests.factories import activity, at, confirmed, make_volunteer_world

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 16)


@pytest.fixture
def w(clock):
    return make_volunteer_world()


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _resident(client, resident):
    client.cookies.clear()
    session = client.session
    session["portal_resident"] = str(resident.public_id)
    session["portal_last_activity"] = int(timezone.now().timestamp())
    session.save()
    return client


def _yesterday_signup(w):
    act = activity(w["so1_staff"], w["so1"], w["c1"], starts_at=at(TODAY, 9) - dt.timedelta(days=1), hours=3)
    signup = Signup.objects.create(activity=act, volunteer=w["v_zsf"], signed_up_at=at(TODAY, 8) - dt.timedelta(days=2))
    return act, signup


# --- staff ---------------------------------------------------------------------------------------------------


def test_registry_lists_masked_names_in_scope_only(client, w):
    page = _login(client, w["worker1"]).get(reverse("volunteers:home")).content.decode()
    assert "张**" in page and "王**" in page and "登记志愿者" in page
    assert "张三丰" not in page
    page = _login(client, w["worker2"]).get(reverse("volunteers:home")).content.decode()
    assert "张**" not in page
    assert (
        _login(client, w["worker2"])
        .get(reverse("volunteers:volunteer_detail", args=[w["v_zsf"].public_id]))
        .status_code
        == 404
    )


def test_registry_search_by_full_name(client, w):
    page = _login(client, w["worker1"]).get(reverse("volunteers:home"), {"text": "李四"}).content.decode()
    assert "李*" in page and "张**" not in page


def test_unit_staff_see_their_activities_not_the_registry(client, w):
    activity(w["so1_staff"], w["so1"], w["c1"], starts_at=at(TODAY, 9), title="助老服务")
    activity(w["worker2"], w["so2"], w["c2"], starts_at=at(TODAY, 9), title="玉林清洁")
    _login(client, w["so1_staff"])
    assert client.get(reverse("volunteers:home")).status_code == 302
    page = client.get(reverse("volunteers:activity_list")).content.decode()
    assert "助老服务" in page and "玉林清洁" not in page
    assert client.get(reverse("volunteers:volunteer_detail", args=[w["v_zsf"].public_id])).status_code == 404


def test_register_volunteer_page_keeps_input_on_error(client, w):
    _login(client, w["worker1"])
    response = client.post(reverse("volunteers:volunteer_new"), {"name": "韩梅梅", "gender": "F", "mobile": "123"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "韩梅梅" in page and "须登记出生日期（用于判断是否未成年）" in page
    response = client.post(
        reverse("volunteers:volunteer_new"), {"name": "韩梅梅", "gender": "F", "birth_date": "1995-05-05"}
    )
    assert response.status_code == 302


def test_publish_activity_page(client, w):
    _login(client, w["so1_staff"])
    assert client.get(reverse("volunteers:activity_new")).status_code == 200
    response = client.post(
        reverse("volunteers:activity_new"),
        {
            "organiser": str(w["so1"].public_id),
            "title": "周末读书会",
            "content": "陪伴儿童阅读",
            "place": "社区图书室",
            "starts_at": "2026-03-21T09:00",
            "ends_at": "2026-03-21T11:00",
            "slots": "10",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "周末读书会" in page and "锦苑邻里互助会" in page


def test_hours_above_a_day_are_refused_and_the_figures_kept(client, w):
    act, signup = _yesterday_signup(w)
    _login(client, w["so1_staff"])
    key = f"confirm-{signup.public_id}"
    url = reverse("volunteers:signup_action", args=[signup.public_id, "confirm"])
    response = client.post(url, {f"{key}-hours": "25", f"{key}-travel_hours": "0.5"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "服务时长不能超过一天（24 小时）" in page and 'value="25"' in page and 'value="0.5"' in page
    assert not ServiceRecord.objects.exists()
    response = client.post(url, {f"{key}-hours": "2.5", f"{key}-travel_hours": "0.5"})
    assert response.status_code == 302
    assert ServiceRecord.objects.get().hours == Decimal("2.5")


def test_an_organiser_of_another_unit_cannot_confirm_on_the_page(client, w):
    act, signup = _yesterday_signup(w)
    key = f"confirm-{signup.public_id}"
    url = reverse("volunteers:signup_action", args=[signup.public_id, "confirm"])
    response = _login(client, w["so2_staff"]).post(url, {f"{key}-hours": "2"})
    assert response.status_code == 404
    response = _login(client, w["street1"]).post(url, {f"{key}-hours": "2"})
    assert response.status_code == 403
    assert not ServiceRecord.objects.exists()


def test_export_is_masked_and_audited(client, w):
    response = _login(client, w["worker1"]).get(reverse("volunteers:export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "张**" in cells and "张三丰" not in cells
    assert AuditRecord.objects.filter(action="volunteers.exported").count() == 1
    assert _login(client, w["street1"]).get(reverse("volunteers:export")).status_code == 403


def test_corrections_page_and_home_todo(client, w):
    record = confirmed(w)
    services.correction_ask(actor=services_actor(w), record=record, text="时长应为3小时")
    todos = {t.key: t.count for t in todos_for(w["so1_staff"])}
    assert todos["volunteers.corrections"] == 1
    _login(client, w["so1_staff"])
    page = client.get(reverse("volunteers:corrections")).content.decode()
    assert "时长应为3小时" in page
    correction = record.corrections.get()
    prefix = f"answer-{correction.public_id}"
    url = reverse("volunteers:correction_answer", args=[correction.public_id])
    response = client.post(url, {f"{prefix}-accept": "no"})
    assert response.status_code == 400 and "不予更正须说明理由" in response.content.decode()
    response = client.post(url, {f"{prefix}-accept": "yes", f"{prefix}-hours": "3", f"{prefix}-answer": "已核实"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.hours == Decimal("3")


def services_actor(w, key="zsf"):
    from shequ.core.actors import ResidentActor

    return ResidentActor(w[key])


def test_staff_issue_proof_and_download(client, w):
    confirmed(w)
    _login(client, w["worker1"])
    response = client.post(reverse("volunteers:volunteer_action", args=[w["v_zsf"].public_id, "proof"]))
    assert response.status_code == 302
    proof = Proof.objects.get()
    response = client.get(reverse("volunteers:proof_download", args=[proof.public_id]))
    assert response["Content-Type"] == "application/pdf"
    assert (
        _login(client, w["worker2"]).get(reverse("volunteers:proof_download", args=[proof.public_id])).status_code
        == 404
    )


def test_consent_form_only_for_minors(client, w):
    _login(client, w["worker1"])
    page = client.get(reverse("volunteers:volunteer_detail", args=[w["v_minor"].public_id])).content.decode()
    assert "未记录：不能报名活动" in page and "form-consent" in page
    page = client.get(reverse("volunteers:volunteer_detail", args=[w["v_zsf"].public_id])).content.decode()
    assert "form-consent" not in page


# --- portal --------------------------------------------------------------------------------------------------


def test_portal_home_shows_only_my_record(client, w):
    confirmed(w, "v_zsf", hours="2.5")
    confirmed(w, "v_lisi", hours="1.75")
    page = _resident(client, w["zsf"]).get(reverse("portal:volunteer")).content.decode()
    assert "2.5 小时（1 次）" in page and "1.75" not in page


def test_portal_join_for_an_unregistered_resident(client, w):
    from shequ.registry.tests.factories import make_resident

    kid = make_resident(w["c1"], name="韩小梅")
    _resident(client, kid)
    page = client.get(reverse("portal:volunteer")).content.decode()
    assert "注册志愿者" in page and 'name="birth_date"' in page
    response = client.post(reverse("portal:volunteer_join"), {"skills": "绘画"})
    assert response.status_code == 400 and "须登记出生日期" in response.content.decode()
    response = client.post(reverse("portal:volunteer_join"), {"skills": "绘画", "birth_date": "1990-01-01"})
    assert response.status_code == 302


def test_portal_sign_up_withdraw_and_other_residents_records_404(client, w):
    act = activity(w["worker1"], w["rc1"], w["c1"], starts_at=at(TODAY + dt.timedelta(days=2), 9), title="植树活动")
    other = activity(w["worker2"], w["rc2"], w["c2"], starts_at=at(TODAY + dt.timedelta(days=2), 9), title="玉林活动")
    _resident(client, w["zsf"])
    page = client.get(reverse("portal:volunteer_activities")).content.decode()
    assert "植树活动" in page and "玉林活动" not in page
    assert client.get(reverse("portal:volunteer_activity", args=[other.public_id])).status_code == 404
    client.post(reverse("portal:volunteer_signup", args=[act.public_id]))
    signup = Signup.objects.get(activity=act)
    assert signup.volunteer_id == w["v_zsf"].pk and signup.status == "signed_up"
    assert "您已报名" in client.get(reverse("portal:volunteer_activity", args=[act.public_id])).content.decode()
    _resident(client, w["lisi"])
    assert client.post(reverse("portal:volunteer_withdraw", args=[signup.public_id])).status_code == 404
    _resident(client, w["zsf"])
    client.post(reverse("portal:volunteer_withdraw", args=[signup.public_id]))
    signup.refresh_from_db()
    assert signup.status == "withdrawn"


def test_portal_correction_and_proof(client, w):
    record = confirmed(w, hours="2.5")
    _resident(client, w["lisi"])
    assert client.get(reverse("portal:volunteer_correction", args=[record.public_id])).status_code == 404
    _resident(client, w["zsf"])
    response = client.post(reverse("portal:volunteer_correction", args=[record.public_id]), {"text": "应为3小时"})
    assert response.status_code == 302
    client.post(reverse("portal:volunteer_proof_request"))
    proof = Proof.objects.get()
    response = client.get(reverse("portal:volunteer_proof", args=[proof.public_id]))
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "2.5" in text and "本证明免费出具" in text
    _resident(client, w["lisi"])
    assert client.get(reverse("portal:volunteer_proof", args=[proof.public_id])).status_code == 404
