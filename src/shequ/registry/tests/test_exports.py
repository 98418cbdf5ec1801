"""Excel export: masked by default, formula-safe, scoped, audited; the unmasked variant needs the permission, a
reason, another person's approval and one download, and keeps to the reveal scope."""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.accounts.models import RoleAssignment
from shequ.accounts.tests.factories import staff
from shequ.core.models import AuditRecord
from shequ.registry import exports
from shequ.registry.models import FullExportRequest
from shequ.registry.tests.factories import (
    LISI_ID,
    LISI_MOBILE,
    WANG_ID,
    ZSF_ID,
    ZSF_MOBILE,
    make_resident,
    make_world,
)

pytestmark = pytest.mark.django_db
EXPORT = reverse("registry:export")
EXPORT_FULL = reverse("registry:export_unmasked")


@pytest.fixture
def w():
    return make_world()


def _sheet(response) -> list[list]:
    content = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(content))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def _raw_xml(response) -> str:
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))


def test_masked_export_of_the_current_filters(client, w, clock):
    """The export holds the filtered list, masked (the birth decade, never an age or a birth date), and one audit
    record with the count."""
    client.force_login(staff("community_worker", w["c1"]))
    response = client.get(EXPORT, {"household": "H001"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=utf-8''%E5%B1%85%E6%B0%91%E5%90%8D%E5%8D%95-20260316.xlsx" in response["Content-Disposition"]
    rows = _sheet(response)
    assert rows[0] == list(exports.MASKED_HEADERS)
    assert [r[:6] for r in rows[1:]] == [
        ["小明", "未知", None, "无证件", None, None],
        ["张三丰", "男", "1980年代", "居民身份证", f"{ZSF_ID[:4]}**********{ZSF_ID[-4:]}", "138****5678"],
    ]
    assert rows[2][13:] == ["独居老人", "是", "在册"]
    record = AuditRecord.objects.get(action="registry.export")
    assert record.after == {"rows": 2, "filters": {"household": "H001"}, "masked": True, "reason": ""}


def test_masked_export_never_holds_clear_values(client, w):
    """No clear ID number, mobile, birth date or sensitive tag is anywhere in the file."""
    client.force_login(staff("community_worker", w["c1"]))
    xml = _raw_xml(client.get(EXPORT))
    for secret in (ZSF_ID, ZSF_MOBILE, LISI_ID, LISI_MOBILE, "1980-01-01", "残疾人", "行动不便"):
        assert secret not in xml


def test_export_denied_without_registry_role(client, w):
    """A department officer cannot export (403) and nothing is audited."""
    client.force_login(staff("department_officer", w["district"]))
    assert client.get(EXPORT).status_code == 403
    assert not AuditRecord.objects.filter(action__startswith="registry.export").exists()


def test_export_is_formula_safe(client, w):
    """A name that looks like a formula is written as a text cell, never as a formula."""
    name = '=HYPERLINK("http://evil.example","点击")'
    make_resident(w["c1"], w["d1"], name=name)
    client.force_login(staff("community_worker", w["c1"]))
    response = client.get(EXPORT)
    content = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(content))
    cells = [row[0] for row in book.worksheets[0].iter_rows(min_row=2)]
    cell = next(c for c in cells if c.value == name)
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def _request_approve_download(client, w, requester, params: dict):
    """Request a full export as `requester`, approve it as c1's community secretary, download it as `requester`."""
    client.force_login(requester)
    asked = client.post(EXPORT_FULL, {**params, "reason_code": "benefits", "reason": params.get("reason", "低保年审")})
    assert asked.status_code == 302, asked.content.decode()[:500]
    req = FullExportRequest.objects.filter(requester=requester).latest("id")
    client.force_login(staff("community_secretary", w["c1"]))
    decide = reverse("registry:export_decide", args=[req.public_id])
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    client.force_login(requester)
    return client.post(reverse("registry:export_download", args=[req.public_id]))


def test_unmasked_export_requires_reason_and_is_audited(client, w):
    """A full export is requested with a reason from the list, approved by another person and downloaded; the
    audit has count, filters and reason only."""
    requester = staff("community_worker", w["c1"])
    client.force_login(requester)
    page = client.get(EXPORT_FULL, {"residence_type": "registered"})
    assert page.status_code == 200 and 'name="residence_type" value="registered"' in page.content.decode()
    no_reason = client.post(EXPORT_FULL, {"residence_type": "registered", "reason": ""})
    assert no_reason.status_code == 200
    assert no_reason.context["form"].errors == {"reason_code": ["请选择理由"], "reason": ["请填写理由说明"]}
    assert not FullExportRequest.objects.exists()
    response = _request_approve_download(client, w, requester, {"residence_type": "registered"})
    rows = _sheet(response)
    assert rows[0] == list(exports.UNMASKED_HEADERS)
    assert [r[:6] for r in rows[1:]] == [["李四", "女", rows[1][2], "居民身份证", LISI_ID, LISI_MOBILE]]
    assert rows[1][2] == "1990-02-02"  # the full export is built in memory, dates as ISO text
    record = AuditRecord.objects.get(action="registry.export_unmasked")
    assert {k: v for k, v in record.after.items() if k != "approver"} == {
        "rows": 1,
        "filters": {"residence_type": "registered"},
        "masked": False,
        "reason_code": "benefits",
        "reason": "低保年审",
    }
    assert LISI_ID not in str(record.after) and LISI_MOBILE not in str(record.after)


def test_unmasked_export_includes_sensitive_tags(client, w):
    """The full export lists sensitive tags next to the plain ones."""
    rows = _sheet(_request_approve_download(client, w, staff("community_worker", w["c1"]), {"text": "zsf"}))
    assert rows[1][0] == "张三丰" and rows[1][13] == "独居老人、残疾人"


def test_unmasked_export_denied_to_grid_workers(client, w):
    """A micro-grid worker may not request a full export: 403 for the page and the POST, nothing stored."""
    client.force_login(staff("micro_grid_worker", w["m111"]))
    assert client.get(EXPORT_FULL).status_code == 403
    assert client.post(EXPORT_FULL, {"reason_code": "other", "reason": "走访"}).status_code == 403
    assert not FullExportRequest.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="registry.export").exists()


def test_unmasked_export_keeps_to_the_reveal_scope(client, w):
    """A user who is community worker in c1 and street officer of s2 exports in clear only c1's residents."""
    user = staff("community_worker", w["c1"])
    RoleAssignment.objects.create(user=user, role="street_officer", area=w["s2"])
    rows = _sheet(_request_approve_download(client, w, user, {"status": "all"}))
    assert sorted(r[0] for r in rows[1:]) == ["小明", "张三丰", "李四"]
    client.force_login(user)
    masked = _sheet(client.get(EXPORT, {"status": "all"}))
    assert sorted(r[0] for r in masked[1:]) == ["小明", "张三丰", "李四", "王五"]
    assert WANG_ID not in str(rows)


def test_export_refuses_more_than_the_limit(client, w, monkeypatch):
    """Above the row limit the export is refused with a message on the list page, and nothing is audited."""
    monkeypatch.setattr(exports, "MAX_ROWS", 2)
    client.force_login(staff("community_worker", w["c1"]))
    response = client.get(EXPORT, follow=True)
    assert "共 3 条，超过单次导出上限 2 条，请缩小筛选范围后分批导出" in response.content.decode()
    assert not AuditRecord.objects.filter(action="registry.export").exists()


def test_export_refuses_a_number_in_the_name_filter(client, w):
    """An export URL with a number in the name filter goes back to the list without it; nothing is exported."""
    client.force_login(staff("community_worker", w["c1"]))
    response = client.get(EXPORT, {"text": ZSF_ID})
    assert (response.status_code, response["Location"]) == (302, reverse("registry:resident_list"))
    assert not AuditRecord.objects.filter(action="registry.export").exists()
