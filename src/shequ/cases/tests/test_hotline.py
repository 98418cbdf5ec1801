"""12345 hotline import: validated rows become cases once; re-importing skips known order numbers."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.cases.models import Case
from shequ.core.models import AuditRecord
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar", "categories")]

CSV = (
    "工单编号*,来电时间,诉求类型,诉求分类,诉求内容*,所属社区*,来电人,联系电话\n"
    "GD20260316001,2026-03-16 09:30,投诉,乱停乱放,小区门口长期乱停车，消防通道被堵,洗面桥社区,王先生,13812345678\n"
    "GD20260316002,2026-03-16 10:00,求助,,楼道灯坏了一周，老人上下楼不方便,510107001002,,\n"
    "GD20260316003,2026-03-16 10:10,咨询,,咨询居住证办理需要的材料,不存在的社区,,\n"
    "GD20260316004,2026-03-16 10:20,咨询,,咨询,玉林社区,,\n"
    ",2026-03-16 10:30,咨询,,没有工单号的一行,洗面桥社区,,\n"
)


def _post(client, content=CSV, name="orders.csv"):
    return client.post(reverse("cases:hotline_import"), {"file": SimpleUploadedFile(name, content.encode())})


def test_import_creates_cases_and_reports_errors(client):
    """Two valid rows become hotline cases; unknown/out-of-scope community and a missing order number are errors."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    client.force_login(cw)
    response = _post(client)
    report = response.context["report"]
    assert [(r.row, r.status) for r in report.rows] == [
        (2, "imported"),
        (3, "imported"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
    ]
    first = Case.objects.get(external_ref="GD20260316001")
    assert (first.channel, first.case_type, first.category.name, first.community_id) == (
        "hotline",
        "complaint",
        "乱停乱放",
        t["c1"].pk,
    )
    assert first.reporter_mobile_masked == "138****5678"
    assert AuditRecord.objects.filter(action="cases.hotline_imported").count() == 1


def test_reimport_is_idempotent(client):
    """Uploading the same file again imports nothing new."""
    t = make_tree()
    client.force_login(staff("community_worker", t["c1"]))
    _post(client)
    again = _post(client).context["report"]
    assert again.count("imported") == 0 and again.count("exists") == 2
    assert Case.objects.filter(channel="hotline").count() == 2


def test_wrong_file_and_missing_column_and_denial(client):
    """A PNG named .csv and a file without 工单编号 are refused with a message; a grid worker may not import."""
    t = make_tree()
    client.force_login(staff("community_worker", t["c1"]))
    png = _post(client, content="\x89PNG\r\n\x1a\n" + "x" * 50, name="orders.csv")
    assert png.context["error"] and Case.objects.count() == 0
    missing = _post(client, content="诉求内容,所属社区\n楼道灯坏了,洗面桥社区\n")
    assert "缺少必需的列：工单编号" in missing.context["error"]
    client.force_login(staff("grid_worker", t["g11"]))
    assert client.get(reverse("cases:hotline_import")).status_code == 403


def test_xlsx_is_accepted(client):
    """An .xlsx with the same columns imports too."""
    from openpyxl import Workbook

    t = make_tree()
    client.force_login(staff("community_worker", t["c1"]))
    wb = Workbook()
    ws = wb.active
    for line in CSV.strip().split("\n")[:3]:
        ws.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    upload = SimpleUploadedFile("orders.xlsx", buf.getvalue())
    report = client.post(reverse("cases:hotline_import"), {"file": upload}).context["report"]
    assert report.count("imported") == 2


def test_consent_column_is_read_and_its_absence_means_no(client):
    """同意承办单位联系 = 是 stores the consent; another value, or a file without the column, stores none."""
    t = make_tree()
    client.force_login(staff("community_worker", t["c1"]))
    csv = (
        "工单编号*,诉求内容*,所属社区*,来电人,联系电话,同意承办单位联系\n"
        "GD1,楼道灯坏了一周，老人上下楼不方便,洗面桥社区,王先生,13812345678,是\n"
        "GD2,楼道灯坏了一周，老人上下楼不方便,洗面桥社区,李女士,13912345678,否\n"
    )
    _post(client, csv)
    _post(client, CSV)
    consent = dict(Case.objects.values_list("external_ref", "reporter_contact_consent"))
    assert consent == {"GD1": True, "GD2": False, "GD20260316001": False, "GD20260316002": False}
    assert Case.objects.get(external_ref="GD1").reporter_contact_consent_at is not None
