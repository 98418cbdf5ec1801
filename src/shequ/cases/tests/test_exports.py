"""导出 Excel of the staff queues: the same tab, filters and scope as the page, no reporter data, a row cap,
and one audit record per export."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.accounts.tests.factories import staff
from shequ.cases import exports, services
from shequ.cases.tests.factories import submitted_case
from shequ.core.models import AuditRecord
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar", "categories")]
EXPORT = reverse("cases:queue_export")
QUEUE = reverse("cases:case_queue")


@pytest.fixture
def t():
    return make_tree()


def _submit(t, actor, title, *, building="b1", reporter_name="王某某", mobile="13812345678"):
    return submitted_case(t, actor, title=title, building=building, reporter_name=reporter_name, reporter_mobile=mobile)


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPE
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [[("" if v is None else v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]


def test_export_holds_the_queue_of_the_actor_without_reporter_data(client, t):
    """The 全部 tab of a c1 worker: the two c1 cases with their columns; c2's case and every reporter name and
    mobile are absent; one audit record states the tab and the row count."""
    cw = staff("community_worker", t["c1"])
    first = _submit(t, cw, "楼道堆放杂物")
    second = _submit(t, cw, "路灯不亮请回电13987654321", building="b2", reporter_name="钱多多", mobile="13987654321")
    services.case_accept(actor=cw, case=second)
    other = _submit(t, staff("community_worker", t["c2"]), "别的社区积水", building="b3", reporter_name="赵大海")
    client.force_login(cw)

    rows = _sheet(client.get(EXPORT, {"tab": "all"}))

    assert rows[0] == [str(h) for h in exports.HEADERS]
    assert rows[0][:7] == ["受理编号", "类型", "分类", "标题", "状态", "社区", "当前承办单位"]
    by_number = {r[0]: r for r in rows[1:]}
    assert set(by_number) == {first.tracking_number, second.tracking_number}
    assert other.tracking_number not in by_number
    row = by_number[second.tracking_number]
    assert row[1:7] == ["投诉", "", "路灯不亮请回电139****4321", "已受理", "洗面桥社区", "洗面桥社区"]
    assert row[11:14] == ["", "", ""]  # not overdue, not supervised, not rated
    text = repr(rows)
    for secret in ("王某某", "钱多多", "赵大海", "13812345678", "13987654321", "5678"):
        assert secret not in text
    record = AuditRecord.objects.get(action="cases.export")
    assert record.after == {"rows": 2, "tab": "all", "filters": {}}
    assert record.actor_id == cw.pk


def test_export_applies_the_tab_and_the_page_filters(client, t):
    """待受理 with 标题包含 “楼道”: only the submitted case whose title matches; the filters are audited."""
    cw = staff("community_worker", t["c1"])
    wanted = _submit(t, cw, "楼道堆放杂物")
    _submit(t, cw, "路灯不亮")
    accepted = _submit(t, cw, "楼道灯坏了")
    services.case_accept(actor=cw, case=accepted)
    client.force_login(cw)

    rows = _sheet(client.get(EXPORT, {"tab": "to_accept", "text": "楼道"}))

    assert [r[0] for r in rows[1:]] == [wanted.tracking_number]
    assert AuditRecord.objects.get(action="cases.export").after == {
        "rows": 1,
        "tab": "to_accept",
        "filters": {"text": "楼道"},
    }


def test_export_above_the_cap_goes_back_with_a_message_and_no_audit(client, t, monkeypatch):
    """More rows than MAX_ROWS: back to the same queue page with the reason; nothing is exported or audited."""
    monkeypatch.setattr(exports, "MAX_ROWS", 1)
    cw = staff("community_worker", t["c1"])
    _submit(t, cw, "楼道堆放杂物")
    _submit(t, cw, "路灯不亮")
    client.force_login(cw)

    response = client.get(EXPORT, {"tab": "all", "status": "submitted"}, follow=True)

    assert response.redirect_chain == [(QUEUE + "?tab=all&status=submitted", 302)]
    assert "共 2 条，超过单次导出上限 1 条，请缩小筛选范围后分批导出" in response.content.decode()
    assert not AuditRecord.objects.filter(action="cases.export").exists()


def test_queue_page_links_to_the_export_with_its_filters(client, t):
    """The queue page offers 导出 Excel for the current tab and filters."""
    client.force_login(staff("community_worker", t["c1"]))
    html = client.get(QUEUE, {"tab": "overdue", "text": "楼道"}).content.decode()
    assert "导出 Excel" in html
    assert f'href="{EXPORT}?tab=overdue&amp;text=%E6%A5%BC%E9%81%93"' in html


def test_export_is_refused_without_case_access(client, t):
    """An auditor (no case role) is refused the export, and nothing is audited."""
    client.force_login(staff("auditor", t["city"]))
    assert client.get(EXPORT, {"tab": "all"}).status_code == 403
    assert not AuditRecord.objects.filter(action="cases.export").exists()
