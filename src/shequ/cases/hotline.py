"""12345 hotline work orders imported from .xlsx or CSV: validated row by row, idempotent by order number.

Columns are matched by Chinese header: 工单编号*, 诉求内容*, 所属社区* (name or 12-digit code), and optionally
来电时间, 诉求类型, 诉求分类 (name or code), 标题, 诉求地址, 来电人, 联系电话, 同意承办单位联系 (是/否: whether the
caller agreed to be contacted by the handling unit; a file without the column, or any other value, means no).
Each valid row becomes a case through the same intake service as every channel (channel "hotline"); an order
number already imported is skipped.
A row without 诉求分类 is classified at intake (`cases.suggest`): a confident suggestion becomes its category, a
weak one sends the case to the triage queue (待分拣).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.errors import ValidationError
from shequ.core.masking import mask_text
from shequ.core.permissions import require, write_service

from . import domain, services
from .models import Case, Category

HEADERS = {
    "order": ("工单编号", "工单号", "编号"),
    "text": ("诉求内容", "来电内容", "内容"),
    "community": ("所属社区", "社区"),
    "time": ("来电时间", "受理时间", "时间"),
    "type": ("诉求类型", "类型"),
    "category": ("诉求分类", "分类"),
    "title": ("标题", "主题"),
    "address": ("诉求地址", "地址"),
    "caller": ("来电人", "姓名"),
    "mobile": ("联系电话", "电话", "手机号码"),
    "consent": ("同意承办单位联系", "同意联系", "是否同意联系"),
}
CONSENT_YES = frozenset({"是", "同意", "y", "yes", "true", "1"})
REQUIRED = ("order", "text", "community")
TYPE_BY_LABEL = {str(label): t.value for t, label in domain.TYPE_LABELS.items()}
MAX_ROWS = 5000


@dataclass
class RowOutcome:
    row: int
    order: str
    status: str  # imported | exists | error
    message: str = ""
    tracking_number: str = ""


@dataclass
class HotlineReport:
    rows: list[RowOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def _cells(fileobj: IO[bytes], filename: str) -> list[list[str]]:
    from shequ.core.spreadsheets import SpreadsheetError, sniff_format

    try:
        fmt = sniff_format(fileobj, filename)
    except SpreadsheetError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    fileobj.seek(0)
    if fmt == "csv":
        raw = fileobj.read()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError({"file": _("无法识别文件编码，请另存为 UTF-8 的 CSV 或 .xlsx")})
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    from openpyxl import load_workbook

    wb = load_workbook(fileobj, read_only=True, data_only=True)
    rows = []
    for values in wb.worksheets[0].iter_rows(values_only=True):
        rows.append(
            ["" if v is None else (v.isoformat(sep=" ") if isinstance(v, datetime) else str(v).strip()) for v in values]
        )
    return rows


def _header_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = cell.replace("*", "").strip()
        for key, aliases in HEADERS.items():
            if name in aliases and key not in found:
                found[key] = i
    missing = [HEADERS[k][0] for k in REQUIRED if k not in found]
    if missing:
        raise ValidationError({"file": _("缺少必需的列：%(cols)s") % {"cols": "、".join(missing)}})
    return found


def _community(value: str, allowed: list[Any]) -> Any:
    value = value.strip()
    for area in allowed:
        if value in (area.code, area.name) or (value and area.name.startswith(value)):
            return area
    return None


def _parse_time(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return timezone.make_aware(datetime.strptime(value, fmt))
        except ValueError:
            continue
    return None


@write_service("cases.import_hotline")
def import_hotline(*, actor: Any, fileobj: IO[bytes], filename: str, communities: list[Any]) -> HotlineReport:
    """Validate and import work orders into the given communities (those the actor may import into).

    Each valid row is its own transaction (a bad row never blocks the others); re-importing skips known orders.
    One audit record summarises the import.
    """
    require(actor, "cases.import_hotline", None)
    rows = _cells(fileobj, filename)
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        raise ValidationError({"file": _("文件为空")})
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationError({"file": _("一次最多导入%(n)d条工单") % {"n": MAX_ROWS}})
    cols = _header_map(rows[0])
    categories = {c.code: c for c in Category.objects.filter(level=3)}
    by_name = {c.name: c for c in categories.values()}
    report = HotlineReport()
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):

        def cell(key: str, row: list[str] = row) -> str:
            i = cols.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        order = cell("order")
        if not order:
            report.rows.append(RowOutcome(number, "", "error", _("工单编号为空")))
            continue
        if order in seen:
            report.rows.append(RowOutcome(number, order, "error", _("文件内工单编号重复")))
            continue
        seen.add(order)
        existing = Case.objects.filter(channel="hotline", external_ref=order).first()
        if existing is not None:
            report.rows.append(RowOutcome(number, order, "exists", _("已导入"), existing.tracking_number))
            continue
        community = _community(cell("community"), communities)
        if community is None:
            report.rows.append(RowOutcome(number, order, "error", _("所属社区不存在或不在您的辖区内")))
            continue
        type_label = cell("type")
        case_type = TYPE_BY_LABEL.get(type_label, "")
        category = categories.get(cell("category")) or by_name.get(cell("category"))
        if not case_type:
            case_type = category.default_type if category else "complaint"
        text = cell("text")
        data = services.CaseInput(
            case_type=case_type,
            title=(cell("title") or text[:30]),
            description=text,
            channel="hotline",
            category=category,
            community=community,
            address=cell("address"),
            reporter_name=cell("caller"),
            reporter_mobile=cell("mobile"),
            contact_consent=cell("consent").lower() in CONSENT_YES,
            external_ref=order,
            classify=True,
        )
        try:
            with transaction.atomic():
                case = services.case_submit(actor=actor, data=data, now=_parse_time(cell("time")))
        except ValidationError as exc:
            report.rows.append(RowOutcome(number, order, "error", mask_text("；".join(exc.messages))))
            continue
        report.rows.append(RowOutcome(number, order, "imported", "", case.tracking_number))
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="cases.hotline_imported",
            object_type="cases.case",
            object_label=filename[:100],
            after={
                "imported": report.count("imported"),
                "exists": report.count("exists"),
                "errors": report.count("error"),
            },
        )
    return report
