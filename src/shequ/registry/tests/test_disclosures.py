"""Disclosure in bulk (issue 11): a reason from the list, daily limits per user (reset the next day), a volume alert
to the security admins once a day, and full exports requested, approved by another person over the requester's
scope, downloaded once before the deadline and never stored."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from shequ.accounts.tests.factories import staff
from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.notifications.models import Notification
from shequ.registry import disclosures, forms, selectors, services
from shequ.registry.models import DisclosureCount, FullExportRequest
from shequ.registry.tests.factories import LISI_ID, LISI_MOBILE, ZSF_ID, ZSF_MOBILE, make_world

pytestmark = pytest.mark.django_db
EXPORT_FULL = reverse("registry:export_unmasked")
REQUESTS = reverse("registry:export_requests")


@pytest.fixture
def w():
    return make_world()


def _reveal(actor, resident, field="id_number", code="home_visit", reason="核对身份"):
    return services.resident_reveal(actor=actor, resident=resident, field=field, reason_code=code, reason=reason)


def _request(actor, filters=None, **kw):
    filters = filters or {}
    qs = selectors.listed_residents(actor, forms.parse_filters(filters).filters())
    return disclosures.full_export_request(
        actor=actor,
        queryset=qs,
        filters=filters,
        reason_code=kw.get("code", "benefits"),
        reason_detail=kw.get("reason", "低保年审"),
    )


def _download(actor, req):
    req.refresh_from_db()
    qs = selectors.listed_residents(actor, forms.parse_filters(req.filters).filters())
    return disclosures.full_export_download(actor=actor, export_request=req, queryset=qs)


# --- reasons and daily limits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reason", "errors"),
    [("", "核对身份", ["reason_code"]), ("bogus", "x", ["reason", "reason_code"]), ("other", " ", ["reason"])],
)
def test_reveal_needs_a_reason_from_the_list_and_a_detail(w, code, reason, errors):
    """A reveal without a listed reason or without a detail is refused: nothing revealed, counted or audited."""
    with pytest.raises(ValidationError) as exc:
        _reveal(w["registrar1"], w["zsf"], code=code, reason=reason)
    assert sorted(exc.value.message_dict) == errors
    assert not DisclosureCount.objects.exists()
    assert not AuditRecord.objects.filter(action="registry.reveal").exists()


def test_reveals_are_limited_per_user_and_day_and_reset_the_next_day(w, clock, settings):
    """Over the daily limit the reveal is refused with a clear message and audited; the next day it works again.
    Another user's counter is separate."""
    settings.SHEQU_REVEAL_DAILY_LIMIT = 2
    worker = w["registrar1"]
    assert _reveal(worker, w["zsf"]) == ZSF_ID
    assert _reveal(worker, w["zsf"], field="mobile") == ZSF_MOBILE
    with pytest.raises(disclosures.DisclosureLimitReached) as exc:
        _reveal(worker, w["lisi"])
    assert exc.value.message == "您今天查看完整信息已达上限（2），请明天再试；确有需要请联系安全管理员。"
    assert AuditRecord.objects.filter(action="registry.reveal").count() == 2
    refused = AuditRecord.objects.get(action="registry.disclosure_refused")
    assert (refused.after["kind"], refused.after["count"], refused.after["limit"]) == ("reveal", 2, 2)
    other = staff("community_secretary", w["c1"])
    assert _reveal(other, w["lisi"]) == LISI_ID
    clock.advance(days=1)
    assert _reveal(worker, w["lisi"]) == LISI_ID
    assert sorted(DisclosureCount.objects.filter(user=worker).values_list("count", flat=True)) == [1, 2]


def test_api_reveal_answers_429_after_the_limit(w, settings):
    """The API reveals up to the daily limit, then answers 429 with {"detail": ...} and reveals nothing."""
    settings.SHEQU_REVEAL_DAILY_LIMIT = 1
    client = APIClient()
    client.force_authenticate(w["registrar1"])
    url = f"/api/v1/residents/{w['zsf'].public_id}/reveal/"
    body = {"field": "id_number", "reason_code": "emergency", "reason": "走失老人查找家属"}
    assert client.post(url, body, format="json").json() == {"value": ZSF_ID}
    refused = client.post(url, body, format="json")
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "您今天查看完整信息已达上限（1），请明天再试；确有需要请联系安全管理员。",
        "codes": {"detail": ["registry.disclosure_limit_reached"]},
    }
    assert client.post(url, {"field": "id_number", "reason": "走访"}, format="json").status_code == 400
    assert AuditRecord.objects.filter(action="registry.reveal").count() == 1


def test_reveal_page_answers_429_after_the_limit(client, w, settings):
    """The detail page shows the refusal (429) without the value."""
    settings.SHEQU_REVEAL_DAILY_LIMIT = 0
    client.force_login(w["registrar1"])
    url = reverse("registry:resident_reveal", args=[w["zsf"].public_id])
    response = client.post(url, {"field": "id_number", "reason_code": "home_visit", "reason": "核对"})
    assert response.status_code == 429
    assert "已达上限" in response.content.decode() and ZSF_ID not in response.content.decode()


def test_birthday_lists_count_as_reveals(client, w, settings):
    """Each birthday list shown or exported counts; over the limit the page answers 429 with the reason."""
    settings.SHEQU_BIRTHDAY_LIST_DAILY_LIMIT = 1
    client.force_login(w["registrar1"])
    assert client.get(reverse("registry:birthday_list"), {"month": 1}).status_code == 200
    refused = client.get(reverse("registry:birthday_export"), {"month": 1})
    assert refused.status_code == 429 and "老年人生日名单已达上限" in refused.content.decode()
    assert AuditRecord.objects.filter(action__startswith="registry.birthday_list").count() == 1


def test_unusual_volume_alerts_the_security_admins_once_a_day(w, settings, clock):
    """Reaching the alert share of the limit alerts every security admin and auditor once; the refusal later the
    same day adds no second alert; the next day alerts again."""
    settings.SHEQU_REVEAL_DAILY_LIMIT, settings.SHEQU_DISCLOSURE_ALERT_SHARE = 3, 0.6
    admin, auditor = staff("security_admin", w["city"]), staff("auditor", w["city"])
    worker = w["registrar1"]
    _reveal(worker, w["zsf"])
    assert not Notification.objects.filter(kind=disclosures.ALERT_KIND).exists()
    _reveal(worker, w["zsf"], field="mobile")
    alerts = Notification.objects.filter(kind=disclosures.ALERT_KIND)
    assert sorted(alerts.values_list("recipient_id", flat=True)) == sorted([admin.pk, auditor.pk])
    assert ZSF_ID not in alerts.first().title and worker.username in alerts.first().title
    _reveal(worker, w["lisi"])
    with pytest.raises(disclosures.DisclosureLimitReached):
        _reveal(worker, w["lisi"])
    assert alerts.count() == 2
    clock.advance(days=1)
    _reveal(worker, w["zsf"])
    _reveal(worker, w["zsf"])
    assert alerts.count() == 4


# --- full exports ----------------------------------------------------------------------------------------------


def test_full_export_request_is_approved_by_another_person_and_downloaded_once(w, django_capture_on_commit_callbacks):
    """The secretary of the community is notified, approves; the requester is notified and downloads once."""
    worker, secretary = w["registrar1"], staff("community_secretary", w["c1"])
    with django_capture_on_commit_callbacks(execute=True):
        req = _request(worker, {"residence_type": "registered"})
    assert (req.status, req.row_count, req.scope_paths) == ("requested", 1, [w["c1"].path])
    assert Notification.objects.filter(recipient=secretary, kind=disclosures.NOTIFY_REQUESTED).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        disclosures.full_export_decide(actor=secretary, export_request=req, approve=True)
    req.refresh_from_db()
    assert (req.status, req.approver) == ("approved", secretary)
    assert Notification.objects.filter(recipient=worker, kind=disclosures.NOTIFY_DECIDED).count() == 1
    book = load_workbook(io.BytesIO(_download(worker, req).read()))
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert [r[4:6] for r in rows[1:]] == [[LISI_ID, LISI_MOBILE]]
    with pytest.raises(ValidationError):
        _download(worker, req)
    req.refresh_from_db()
    assert (req.status, req.downloaded_rows) == ("downloaded", 1)
    assert AuditRecord.objects.filter(action="registry.export_unmasked").count() == 1
    actions = list(AuditRecord.objects.filter(object_id=str(req.public_id)).values_list("action", flat=True))
    assert sorted(actions) == ["registry.export_approved", "registry.export_requested", "registry.export_unmasked"]


def test_self_approval_and_approval_outside_the_scope_are_refused(w):
    """A secretary cannot approve their own request; c2's secretary and a community worker cannot approve c1's."""
    secretary = staff("community_secretary", w["c1"])
    req = _request(secretary)
    for actor in (secretary, staff("community_secretary", w["c2"]), w["registrar1"]):
        with pytest.raises(PermissionDenied):
            disclosures.full_export_decide(actor=actor, export_request=req, approve=True)
    req.refresh_from_db()
    assert (req.status, req.approver) == ("requested", None)
    disclosures.full_export_decide(actor=staff("street_officer", w["s1"]), export_request=req, approve=True)
    req.refresh_from_db()
    assert req.status == "approved"


def test_only_the_requester_downloads_and_a_rejected_request_cannot_be(w):
    """The approver cannot download (not found); a rejection needs a note and leaves nothing to download."""
    worker, secretary = w["registrar1"], staff("community_secretary", w["c1"])
    req = _request(worker)
    with pytest.raises(ValidationError):
        disclosures.full_export_decide(actor=secretary, export_request=req, approve=False, note="")
    disclosures.full_export_decide(actor=secretary, export_request=req, approve=False, note="理由不充分")
    with pytest.raises(ValidationError):
        _download(worker, req)
    approved = _request(worker)
    disclosures.full_export_decide(actor=secretary, export_request=approved, approve=True)
    with pytest.raises(NotFound):
        _download(secretary, approved)
    assert not AuditRecord.objects.filter(action="registry.export_unmasked").exists()


def test_approved_export_expires_after_the_deadline(w, clock, settings):
    """After the download window the request expires and the file is never generated."""
    settings.SHEQU_FULL_EXPORT_DOWNLOAD_HOURS = 24
    worker, secretary = w["registrar1"], staff("community_secretary", w["c1"])
    req = _request(worker)
    disclosures.full_export_decide(actor=secretary, export_request=req, approve=True)
    clock.advance(hours=25)
    with pytest.raises(ValidationError) as exc:
        _download(worker, req)
    assert exc.value.messages == ["下载期限已过，该申请已失效，请重新申请"]
    req.refresh_from_db()
    assert req.status == "expired"
    assert not AuditRecord.objects.filter(action="registry.export_unmasked").exists()


def test_full_exports_are_limited_per_day_and_in_rows(w, settings):
    """A second request the same day and a list above the row cap are refused; nothing is stored."""
    settings.SHEQU_FULL_EXPORT_DAILY_LIMIT, settings.SHEQU_FULL_EXPORT_MAX_ROWS = 1, 2
    worker = w["registrar1"]
    with pytest.raises(ValidationError) as exc:
        _request(worker, {"status": "all"})
    assert exc.value.messages == ["共 3 条，超过完整信息导出上限 2 条，请缩小筛选范围"]
    _request(worker, {"residence_type": "registered"})
    with pytest.raises(disclosures.DisclosureLimitReached):
        _request(worker, {"residence_type": "registered"})
    assert FullExportRequest.objects.count() == 1


def test_nothing_in_clear_is_stored_with_a_request(w):
    """After a download the request row, its audit records and notifications hold no ID number or mobile."""
    worker, secretary = w["registrar1"], staff("community_secretary", w["c1"])
    req = _request(worker, {"status": "all"})
    disclosures.full_export_decide(actor=secretary, export_request=req, approve=True)
    _download(worker, req).read()
    stored = str(list(FullExportRequest.objects.values()))
    stored += str(list(AuditRecord.objects.values("after", "object_label")))
    stored += str(list(Notification.objects.values("title")))
    for secret in (ZSF_ID, LISI_ID, ZSF_MOBILE, LISI_MOBILE, "1980-01-01"):
        assert secret not in stored


# --- pages -----------------------------------------------------------------------------------------------------


def test_pages_request_decide_and_download(client, w):
    """The request page creates a request (302 to the list); the approver's page lists it with approve/reject;
    a self-approval by POST is refused (403); the download button streams the file once."""
    worker, secretary = w["registrar1"], staff("community_secretary", w["c1"])
    client.force_login(worker)
    response = client.post(EXPORT_FULL, {"tag": "disabled", "reason_code": "benefits", "reason": "残疾人补贴"})
    assert (response.status_code, response["Location"]) == (302, REQUESTS)
    req = FullExportRequest.objects.get()
    decide = reverse("registry:export_decide", args=[req.public_id])
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    client.force_login(staff("community_secretary", w["c2"]))
    assert client.post(decide, {"decision": "approve"}).status_code == 404
    client.force_login(secretary)
    page = client.get(REQUESTS)
    assert [r["req"].pk for r in page.context["to_decide"]] == [req.pk] and "残疾人补贴" in page.content.decode()
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    client.force_login(worker)
    assert client.get(REQUESTS).context["mine"][0]["downloadable"] is True
    download = reverse("registry:export_download", args=[req.public_id])
    first = client.post(download)
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    book = load_workbook(io.BytesIO(b"".join(first.streaming_content)))
    assert [r[:5] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)][0][4] == ZSF_ID
    again = client.post(download)
    assert (again.status_code, again["Location"]) == (302, REQUESTS)
    assert client.get(download).status_code == 405
