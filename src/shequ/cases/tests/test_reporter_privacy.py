"""Reporters hidden from handling units: staff who see a case only through a unit's grant never see the reporter,
whatever the case type, unless the reporter agreed at intake to be contacted by the handling unit; then each
reveal asks for a reason and is audited. Territory staff keep their access (name and masked number, audited
full number); complaints and reports stay with the first receiving community's workers and Party secretary."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.accounts.tests.factories import staff
from shequ.cases import selectors, services
from shequ.cases.models import Case
from shequ.cases.tests.factories import dispatched_case
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.permissions import can
from shequ.notifications.models import Notification
from shequ.organisations.tests.factories import unit
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]

NAME, MOBILE, MASKED = "王某某", "13812345678", "138****5678"
TYPES = ("complaint", "enquiry", "help", "suggestion", "report", "dispute")
CONFIDENTIAL = {"complaint", "report"}


@pytest.fixture
def t():
    t = make_tree()
    t["dept"] = unit("department", "区住建局", t["district"])
    t["pm"] = unit("property_company", "锦苑物业服务有限公司", t["c1"])
    t["cw"] = staff("community_worker", t["c1"])
    return t


def _case(t, *, case_type="help", consent=False, lead="dept", anonymous=False):
    case = dispatched_case(
        t, t["cw"], to=lead, case_type=case_type, reporter_name=NAME, anonymous=anonymous, contact_consent=consent
    )
    return Case.objects.get(pk=case.pk)


def _actors(t):
    return {
        "department_officer": (staff("department_officer", t["district"], unit=t["dept"]), "dept"),
        "org_staff": (staff("org_staff", t["c1"], unit=t["pm"]), "pm"),
        "community_worker": (t["cw"], "dept"),
        "grid_worker": (staff("grid_worker", t["g11"]), "dept"),
    }


def _expected(role, case_type, consent):
    """(sees name, sees masked number, may reveal with a reason) for the table below."""
    if role in ("department_officer", "org_staff"):
        return (False, False, consent)
    if role == "grid_worker" and case_type in CONFIDENTIAL:
        return (False, False, False)
    return (True, True, False)


@pytest.mark.parametrize("consent", [True, False])
@pytest.mark.parametrize("case_type", TYPES)
def test_who_sees_the_reporter(t, case_type, consent):
    """Role × case type × consent → sees the name? sees the number? may reveal (with a reason)?"""
    for role, (actor, lead) in _actors(t).items():
        case = _case(t, case_type=case_type, consent=consent, lead=lead)
        assert can(actor, "cases.view", case), role
        view = selectors.reporter_view(actor, case)
        seen = (view.name == NAME, view.mobile_masked == MASKED, bool(can(actor, "cases.contact_reporter", case)))
        assert seen == _expected(role, case_type, consent), (role, case_type, consent)
        if not seen[0]:
            assert (view.name, view.mobile_masked) == ("居民（已隐藏）", "（已隐藏）")
            assert view.mode == ("on_request" if seen[2] else "hidden")
            with pytest.raises(PermissionDenied):
                services.reporter_mobile(actor=actor, case=case)
        if not seen[2]:
            with pytest.raises(PermissionDenied):
                services.reporter_contact(actor=actor, case=case, reason="需要上门核实情况")
    assert not AuditRecord.objects.filter(action__startswith="cases.reporter").exists()


def test_helper_unit_and_anonymous_cases_never_reveal(t):
    """A helper unit (协办) is not the handling unit; an anonymous case has nothing to reveal."""
    helper = staff("org_staff", t["c1"], unit=t["pm"])
    case = services.case_submit(
        actor=t["cw"],
        data=services.CaseInput(
            case_type="help",
            title="路灯不亮",
            description="小区门口路灯连续三晚不亮",
            channel="staff",
            building=t["b1"],
            reporter_name=NAME,
            reporter_mobile=MOBILE,
            contact_consent=True,
        ),
    )
    services.case_accept(actor=t["cw"], case=case)
    services.case_dispatch(actor=t["cw"], case=case, target=t["dept"], helpers=[t["pm"]])
    case = Case.objects.get(pk=case.pk)
    assert can(helper, "cases.view", case) and not can(helper, "cases.contact_reporter", case)
    assert selectors.reporter_view(helper, case).mode == "hidden"
    anon = _case(t, consent=True, anonymous=True)
    assert (anon.reporter_contact_consent, anon.reporter_contact_consent_at) == (False, None)
    officer = staff("department_officer", t["district"], unit=t["dept"])
    assert not can(officer, "cases.contact_reporter", anon)
    assert selectors.reporter_view(officer, anon).mode == "anonymous"


def test_consent_is_stored_with_its_time(t):
    case = _case(t, consent=True)
    assert case.reporter_contact_consent and case.reporter_contact_consent_at == case.submitted_at
    case = _case(t, consent=False)
    assert (case.reporter_contact_consent, case.reporter_contact_consent_at) == (False, None)


def test_reveal_needs_a_reason_and_is_audited(t):
    """A short reason is refused and leaves no audit record; a good one returns name and number, audited."""
    officer = staff("department_officer", t["district"], unit=t["dept"])
    case = _case(t, case_type="complaint", consent=True)
    with pytest.raises(ValidationError):
        services.reporter_contact(actor=officer, case=case, reason="  看看 ")
    assert not AuditRecord.objects.filter(action="cases.reporter_contact_revealed").exists()
    contact = services.reporter_contact(actor=officer, case=case, reason="需要上门核实堆放位置")
    assert (contact.name, contact.mobile) == (NAME, MOBILE)
    record = AuditRecord.objects.get(action="cases.reporter_contact_revealed")
    assert (record.actor_id, record.object_id, record.after) == (
        officer.pk,
        str(case.public_id),
        {"reason": "需要上门核实堆放位置"},
    )


def _reveal_url(case):
    return reverse("cases:case_reporter_contact", args=[case.public_id])


def test_case_page_queue_export_and_notifications_carry_no_reporter_to_the_unit(client, t):
    """Without consent the department's case page, queue, Excel export and inbox never hold name or number."""
    officer = staff("department_officer", t["district"], unit=t["dept"])
    case = _case(t, case_type="help", consent=False)
    client.force_login(officer)
    body = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    assert "居民（已隐藏）" in body and NAME not in body and MASKED not in body and "查看联系方式" not in body
    assert "查看完整电话" not in body
    for tab in ("to_handle", "all"):
        body = client.get(reverse("cases:case_queue"), {"tab": tab}).content.decode()
        assert NAME not in body and MASKED not in body
    response = client.get(reverse("cases:queue_export"), {"tab": "to_handle"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    cells = [str(v) for row in book.active.iter_rows(values_only=True) for v in row if v is not None]
    assert case.tracking_number in cells
    assert not any(NAME in c or "5678" in c for c in cells)
    titles = list(Notification.objects.filter(recipient=officer).values_list("title", flat=True))
    assert titles and not any(NAME in x or "5678" in x for x in titles)
    assert client.get(_reveal_url(case)).status_code == 403
    assert client.post(_reveal_url(case), {"reason": "需要上门核实情况"}).status_code == 403
    assert not AuditRecord.objects.filter(action__startswith="cases.reporter").exists()


def test_unit_reveals_with_a_reason_on_the_case_page(client, t):
    """With consent the page offers 查看联系方式; the form asks a reason; the next page shows name and number once."""
    officer = staff("department_officer", t["district"], unit=t["dept"])
    case = _case(t, case_type="enquiry", consent=True)
    client.force_login(officer)
    body = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    assert "查看联系方式" in body and NAME not in body and MASKED not in body
    assert client.get(_reveal_url(case)).status_code == 200
    response = client.post(_reveal_url(case), {"reason": "短"})
    assert response.status_code == 400 and NAME not in response.content.decode()
    assert not AuditRecord.objects.filter(action="cases.reporter_contact_revealed").exists()
    response = client.post(_reveal_url(case), {"reason": "需要上门核实情况"})
    body = response.content.decode()
    assert response.status_code == 200 and NAME in body and MOBILE in body
    assert AuditRecord.objects.filter(action="cases.reporter_contact_revealed").count() == 1
    # For that response only: the page itself still hides the reporter.
    body = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    assert NAME not in body and MOBILE not in body


def test_territory_staff_keep_the_masked_number_and_the_audited_full_number(client, t):
    """The community worker sees name and masked number; the full number needs the audited request."""
    case = _case(t, case_type="help", consent=False)
    client.force_login(t["cw"])
    body = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    assert NAME in body and MASKED in body and MOBILE not in body and "查看完整电话" in body
    response = client.post(reverse("cases:case_reporter_mobile", args=[case.public_id]))
    assert MOBILE in response.content.decode()
    assert AuditRecord.objects.filter(action="cases.reporter_revealed").count() == 1
    assert client.get(_reveal_url(case)).status_code == 403


def test_staff_entry_form_stores_the_consent(client, t):
    client.force_login(t["cw"])
    data = {
        "case_type": "help",
        "title": "路灯不亮",
        "description": "小区门口路灯连续三晚不亮",
        "building": str(t["b1"].public_id),
        "reporter_name": "李某",
        "reporter_mobile": "13912345678",
        "channel": "staff",
    }
    assert client.post(reverse("cases:case_create"), {**data, "contact_consent": "on"}).status_code == 302
    assert client.post(reverse("cases:case_create"), {**data, "title": "路灯还不亮"}).status_code == 302
    rows = dict(Case.objects.values_list("title", "reporter_contact_consent"))
    assert rows == {"路灯不亮": True, "路灯还不亮": False}
