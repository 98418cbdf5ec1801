"""Excel export of resident lists (formula-safe .xlsx): masked here; the full rows for registry.disclosures.

Every export is audited once, with its row count and its filters; never the values. A full (unmasked) export is
requested, approved by another person and downloaded once (registry.disclosures), which writes it in memory.
The masked export shows the birth decade, never an age: an age printed on a known date is a birth date give or
take a year (registry.domain, issue 10).
Rows are streamed from the database into openpyxl's write-only workbook (core.spreadsheets.write_xlsx), so memory
stays flat up to MAX_ROWS; the workbook goes to a temporary file that the response streams out.
"""

import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.spreadsheets import write_xlsx

from . import encryption, selectors
from .columns import column_widths
from .domain import (
    CARE_TAG_BY_CODE,
    GENDER_LABELS,
    ID_TYPE_LABELS,
    RELATION_LABELS,
    RESIDENCE_TYPE_LABELS,
    STATUS_LABELS,
)

MAX_ROWS = 100_000
CHUNK = 2000

MASKED_HEADERS = (
    "姓名",
    "性别",
    "出生年代",
    "证件类型",
    "证件号码",
    "手机号码",
    "户号",
    "与户主关系",
    "小区",
    "楼栋",
    "单元",
    "房号",
    "居住类型",
    "关怀标签",
    "含敏感标签",
    "状态",
)
UNMASKED_HEADERS = (
    "姓名",
    "性别",
    "出生日期",
    "证件类型",
    "证件号码",
    "手机号码",
    "户号",
    "与户主关系",
    "小区",
    "楼栋",
    "单元",
    "房号",
    "居住类型",
    "关怀标签",
    "状态",
)


class TooManyRows(Exception):
    """The list is longer than one export may be."""


def _place(r: Any) -> list[str]:
    d = r.dwelling
    if d is None:
        return ["", "", "", ""]
    return [d.building.compound.name, d.building.name, d.unit.name, d.number]


def _common(r: Any) -> dict[str, Any]:
    return {
        "gender": str(GENDER_LABELS.get(r.gender, "")),
        "id_type": str(ID_TYPE_LABELS.get(r.id_type, r.id_type)),
        "household": r.household.number if r.household_id else "",
        "relation": str(RELATION_LABELS.get(r.relation, "")) if r.relation else "",
        "residence_type": str(RESIDENCE_TYPE_LABELS.get(r.residence_type, r.residence_type)),
        "status": str(STATUS_LABELS.get(r.status, r.status)),
    }


def masked_rows(qs: QuerySet) -> Iterator[list[Any]]:
    for r in qs.iterator(chunk_size=CHUNK):
        c = _common(r)
        yield [
            r.name,
            c["gender"],
            selectors.display_decade(r),
            c["id_type"],
            r.id_number_masked,
            r.mobile_masked,
            c["household"],
            c["relation"],
            *_place(r),
            c["residence_type"],
            "、".join(selectors.display_tags(r)),
            _("是") if r.has_sensitive_tags else "",
            c["status"],
        ]


def unmasked_rows(qs: QuerySet) -> Iterator[list[Any]]:
    for r in qs.iterator(chunk_size=CHUNK):
        c = _common(r)
        codes = [x for x in r.plain_tags.split(",") if x] + encryption.decrypt_sensitive_tags(
            r.sensitive_tags_encrypted
        )
        yield [
            r.name,
            c["gender"],
            encryption.decrypt_birth_date(r.birth_date_encrypted),
            c["id_type"],
            encryption.decrypt_document(r.id_number_encrypted) if r.id_number_encrypted else "",
            encryption.decrypt_mobile(r.mobile_encrypted) if r.mobile_encrypted else "",
            c["household"],
            c["relation"],
            *_place(r),
            c["residence_type"],
            "、".join(CARE_TAG_BY_CODE[x].label for x in codes if x in CARE_TAG_BY_CODE),
            c["status"],
        ]


class Counted:
    """Pass rows through, counting them (the audit record states how many rows left the system)."""

    def __init__(self, rows: Iterator[list[Any]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[list[Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def auditable_filters(filters: dict[str, str]) -> dict[str, str]:
    """The filters as the audit record keeps them: with an age band, the other filters' values are dropped.

    A row count next to an age band and a name that picks out one person would be a one-sided bound on that
    person's birth date, sealed in clear for ever.
    """
    if not filters.get("age"):
        return dict(filters)
    # "age_band", not "age": masking treats an "age" key as a person's age.
    return {("age_band" if k == "age" else k): (v if k == "age" else "*") for k, v in filters.items()}


def export_residents(*, actor: Any, queryset: QuerySet, filters: dict[str, str]) -> IO[bytes]:
    """Write the residents of `queryset` masked to a temporary .xlsx file (positioned at 0) and audit the export.

    Raises TooManyRows above MAX_ROWS. A full (unmasked) export is never one call: it is requested, approved
    and downloaded once through registry.disclosures.
    """
    queryset = queryset.select_related(
        "household", "dwelling", "dwelling__unit", "dwelling__building", "dwelling__building__compound"
    )
    total = queryset.count()
    if total > MAX_ROWS:
        raise TooManyRows(
            _("共 %(n)s 条，超过单次导出上限 %(max)s 条，请缩小筛选范围后分批导出") % {"n": total, "max": MAX_ROWS}
        )
    rows = Counted(masked_rows(queryset))
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        write_xlsx(
            fileobj, MASKED_HEADERS, rows, sheet_title=_("居民名单"), column_widths=column_widths(MASKED_HEADERS)
        )
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="registry.export",
                object_type="registry.resident",
                object_label=_("居民名单"),
                after={"rows": rows.count, "filters": auditable_filters(filters), "masked": True, "reason": ""},
            )
    except BaseException:
        fileobj.close()
        raise
    fileobj.seek(0)
    return fileobj


BIRTHDAY_HEADERS = ("姓名", "证件号码", "小区", "楼栋", "单元", "房号", "生日", "周岁")


def birthday_xlsx(birthdays: list[Any]) -> IO[bytes]:
    """The elderly birthday list (services.elderly_birthdays, already audited) as a formula-safe .xlsx file.

    The ID number stays masked; the birthday is the month and day, and the age the one reached that day.
    """
    rows = (
        [
            b.resident.name,
            b.resident.id_number_masked,
            *_place(b.resident),
            _("%(month)s月%(day)s日") % {"month": b.month, "day": b.day},
            b.turning,
        ]
        for b in birthdays
    )
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        write_xlsx(
            fileobj,
            BIRTHDAY_HEADERS,
            rows,
            sheet_title=_("老年人生日名单"),
            column_widths=column_widths(BIRTHDAY_HEADERS),
        )
    except BaseException:
        fileobj.close()
        raise
    fileobj.seek(0)
    return fileobj
