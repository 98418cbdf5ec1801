"""Excel export of the staff work queues: the same tab and filters as the queue page, as a real .xlsx.

Rules:

- The rows are those of `selectors.queue(actor, tab)`, so the actor's territorial scope applies exactly as on
  the page; the page's filters (status, title contains, category or topic, community, submitted dates) are
  applied the same way. With an invalid filter the page lists what the valid ones select and says which is
  wrong; the export refuses instead, so a file never holds more than the user asked for.
- No personal data leaves with the file: never the reporter's name, mobile, description or address, and
  mobile and ID numbers typed into a title are masked. The columns are the case's tracking number, type,
  category, title, status, community, holder, times, overdue and supervised flags and satisfaction.
- At most MAX_ROWS rows per file; a longer list is refused with a message asking to narrow the filters.
- Every export is audited once (action ``cases.export``) with its tab, filters and row count; never the values.
- Cells are written by `core.spreadsheets.write_xlsx`: strings are text cells, never formulas.
"""

import tempfile
from collections.abc import Iterator, Mapping
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import audit
from shequ.core.masking import mask_text
from shequ.core.permissions import require
from shequ.core.spreadsheets import write_xlsx

from . import forms, selectors
from .domain import OPEN_STATUSES, SATISFACTION_LABELS, STATUS_LABELS, TYPE_LABELS, is_overdue

MAX_ROWS = 50_000
CHUNK = 2000
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADERS = (
    _l("受理编号"),
    _l("类型"),
    _l("分类"),
    _l("标题"),
    _l("状态"),
    _l("社区"),
    _l("当前承办单位"),
    _l("提交时间"),
    _l("受理时限"),
    _l("办结时限"),
    _l("当前时限"),
    _l("是否超时"),
    _l("督办"),
    _l("满意度"),
)
WIDTHS = (16, 8, 16, 36, 10, 16, 18, 17, 17, 17, 17, 9, 7, 10)
_OPEN = {s.value for s in OPEN_STATUSES}


class TooManyRows(Exception):
    """The queue is longer than one export may be."""


def _label(labels: Mapping[Any, Any], value: str) -> str:
    return str(labels.get(value, value)) if value else ""


def case_rows(qs: QuerySet, now: Any) -> Iterator[list[Any]]:
    """One row per case, without any personal data of the reporter."""
    yes = _("是")
    for c in qs.iterator(chunk_size=CHUNK):
        yield [
            c.tracking_number,
            _label(TYPE_LABELS, c.case_type),
            c.category.name if c.category_id else "",
            mask_text(c.title),  # a mobile or ID number typed into a title does not leave in clear
            _label(STATUS_LABELS, c.status),
            c.community.name if c.community_id else "",
            c.holder.name if c.holder_id else "",
            c.submitted_at,
            c.accept_by,
            c.resolve_by,
            c.escalate_after,
            yes if c.status in _OPEN and is_overdue(c.escalate_after, now) else "",
            yes if c.supervised else "",
            _label(SATISFACTION_LABELS, c.satisfaction),
        ]


class _Counted:
    """Pass rows through, counting them (the audit record states how many rows left the system)."""

    def __init__(self, rows: Iterator[list[Any]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[list[Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def export_queue(*, actor: Any, selection: selectors.QueueSelection) -> IO[bytes]:
    """Write the selected queue to a temporary .xlsx file (positioned at 0) and audit the export.

    Requires cases.view. Raises TooManyRows above MAX_ROWS (nothing is written or audited then).
    """
    require(actor, "cases.view")
    qs = selection.queryset.select_related("category", "community", "holder").only(
        "tracking_number",
        "case_type",
        "category__name",
        "title",
        "status",
        "community__name",
        "holder__name",
        "submitted_at",
        "accept_by",
        "resolve_by",
        "escalate_after",
        "supervised",
        "satisfaction",
    )
    total = qs.count()
    if total > MAX_ROWS:
        raise TooManyRows(
            _("共 %(n)s 条，超过单次导出上限 %(max)s 条，请缩小筛选范围后分批导出") % {"n": total, "max": MAX_ROWS}
        )
    rows = _Counted(case_rows(qs, timezone.now()))
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        write_xlsx(fileobj, [str(h) for h in HEADERS], rows, sheet_title=_("诉求清单"), column_widths=WIDTHS)
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="cases.export",
                object_type="cases.case",
                object_label=_("诉求清单"),
                after={"rows": rows.count, "tab": selection.tab, "filters": dict(selection.applied)},
            )
    except BaseException:
        fileobj.close()
        raise
    fileobj.seek(0)
    return fileobj


def filename(tab: str) -> str:
    """诉求清单-<tab label>-YYYYMMDD.xlsx"""
    stamp = timezone.localdate().strftime("%Y%m%d")
    return f"{_('诉求清单')}-{forms.QUEUE_TABS.get(tab, '')}-{stamp}.xlsx"
