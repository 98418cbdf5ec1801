"""The resident spreadsheet's columns: headers, aliases, per-column parsing, the template (issue 3).

Reading, writing and formula safety of spreadsheets in general live in core.spreadsheets. Rules encoded here:

- Columns are found by header, in any order: each field has a template header and aliases; surrounding
  and inner spaces, full-/half-width forms (NFKC) and a "*" required marker are ignored. Up to
  ``HEADER_SEARCH_ROWS`` title rows above the header are skipped. Unknown columns are reported, not
  fatal; a field given twice is fatal; only 姓名 is a required column.
- An ID or mobile number that Excel stored as a number beyond 15 digits (read as scientific notation by
  core.spreadsheets.cell_text) is reported on validation instead of being turned into a wrong number.
- Enumerated columns (性别, 证件类型, 与户主关系, 居住类型, 采集依据, 关怀标签) accept their values and labels;
  other common spellings (残疾 for 残疾人, 男性 for 男) come from the ValueAlias table that admins edit
  (seeded by migration 0005), passed to validate_row as an ``Aliases`` map built by ``alias_map``.
- PIPL §28 (sensitive personal information): an error never repeats an ID or mobile number in clear;
  ID and mobile cells are shown masked (domain.mask_document / mask_mobile) and every other value
  goes through the free-text masker, in case a number was typed into the wrong column.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import IO, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from shequ.core.masking import mask_text
from shequ.core.spreadsheets import (
    SpreadsheetError,
    cell_text,
    data_cell,
    display_width,
    header_cell,
    read_cells,
    write_sheet,
)
from shequ.core.validators import validate_mobile
from shequ.registry.documents import infer_id_type, normalise_number, parse_id_type, validate_document
from shequ.registry.domain import (
    CARE_TAG_BY_LABEL,
    CARE_TAGS,
    ID_TYPE_LABELS,
    LEGAL_BASIS_LABELS,
    RELATION_LABELS,
    RESIDENCE_TYPE_LABELS,
    Gender,
    IdType,
    LegalBasis,
    ResidenceType,
    decade_label,
    decade_of,
    mask_document,
    mask_mobile,
)

__all__ = [
    "ALIAS_COLUMNS",
    "Aliases",
    "FIELDS",
    "FIELD_BY_KEY",
    "MAX_ROWS",
    "TEMPLATE_EXAMPLE_NAME",
    "CellError",
    "Field",
    "HeaderMap",
    "RawRow",
    "RowResult",
    "map_header",
    "alias_map",
    "canonical_values",
    "match_header",
    "read_rows",
    "template_xlsx",
    "validate_row",
    "column_widths",
]

MAX_ROWS = 200_000
HEADER_SEARCH_ROWS = 10

NAME_MAX_CHARS = 50
NOTES_MAX_CHARS = 500
TEXT_MAX_CHARS = {"household_number": 50, "compound": 100, "building": 50, "unit": 50, "room": 50}
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
TEMPLATE_EXAMPLE_NAME = "示例居民（导入前请删除此行）"


# --- Fields and headers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    key: str
    header: str  # the Chinese header written in the template
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: float = 12  # column width in the template and in exports

    @property
    def template_header(self) -> str:
        return f"{self.header}*" if self.required else self.header


FIELDS: tuple[Field, ...] = (
    Field("name", "姓名", True, ("名字", "居民姓名"), 14),
    Field("gender", "性别", False, (), 8),
    Field("id_type", "证件类型", False, (), 16),
    Field("id_number", "证件号码", False, ("身份证号", "身份证号码", "公民身份号码", "证件号", "身份证"), 22),
    Field("birth_date", "出生日期", False, ("出生年月", "生日", "出生年月日"), 13),
    Field("mobile", "手机号码", False, ("联系电话", "手机", "手机号", "电话", "联系方式", "联系手机"), 15),
    Field("household_number", "户号", False, ("户编号",), 12),
    Field("relation", "与户主关系", False, ("关系", "与户主的关系"), 12),
    Field("compound", "小区", False, ("小区名称", "院落", "小区（院落）"), 18),
    Field("building", "楼栋", False, ("楼号", "栋"), 10),
    Field("unit", "单元", False, (), 8),
    Field("room", "房号", False, ("门牌号", "房间号"), 10),
    Field("residence_type", "居住类型", False, ("人口类型",), 10),
    Field("care_tags", "关怀标签", False, ("特殊人群", "人群标签"), 20),
    Field("notes", "备注", False, (), 30),
    Field("legal_basis", "采集依据", False, ("法律依据",), 12),
)
FIELD_BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}

_WHITESPACE_RE = re.compile(r"\s+")
_TRAILING_PARENTHESIS_RE = re.compile(r"\([^()]*\)$")


def _normalise_header(text: str) -> str:
    # NFKC folds full-width parentheses, asterisks and letters to their ASCII forms.
    text = _WHITESPACE_RE.sub("", unicodedata.normalize("NFKC", text))
    return text.strip("*").lower()


_HEADER_LOOKUP: dict[str, str] = {}
for _field in FIELDS:
    for _text in (_field.key, _field.header, *_field.aliases):
        _HEADER_LOOKUP[_normalise_header(_text)] = _field.key


def match_header(text: str) -> str | None:
    """Return the field key a header cell names, or None.

    "证件号码*", " 小区(院落) ", "小区（院落）" and "手机号码（选填）" all match; a trailing
    parenthetical hint is dropped only when the full text matches nothing.
    """
    normalised = _normalise_header(text or "")
    if not normalised:
        return None
    key = _HEADER_LOOKUP.get(normalised)
    if key is None and normalised.endswith(")"):
        key = _HEADER_LOOKUP.get(_TRAILING_PARENTHESIS_RE.sub("", normalised).strip("*"))
    return key


@dataclass
class HeaderMap:
    row_number: int  # the header's row in the sheet, 1-based
    columns: dict[str, int]  # field key -> 0-based column index
    headers: dict[str, str]  # field key -> the header as written in the file
    ignored: list[str] = field(default_factory=list)  # non-empty headers that name no field


class RawRow(NamedTuple):
    row_number: int  # as shown by Excel, 1-based
    values: dict[str, str]  # field key -> stripped cell text ("" when empty), for every mapped field


def _map_cells(cells: Sequence[str], row_number: int) -> tuple[HeaderMap, list[tuple[str, str, str]]]:
    header = HeaderMap(row_number=row_number, columns={}, headers={})
    duplicates: list[tuple[str, str, str]] = []
    for index, text in enumerate(cells):
        if not text:
            continue
        key = match_header(text)
        if key is None:
            header.ignored.append(text)
        elif key in header.columns:
            duplicates.append((header.headers[key], text, key))
        else:
            header.columns[key] = index
            header.headers[key] = text
    return header, duplicates


def map_header(cells: Sequence[str], row_number: int = 1) -> HeaderMap:
    """Map a header row's cells to fields; raise SpreadsheetError for duplicates or a missing 姓名."""
    header, duplicates = _map_cells(cells, row_number)
    if duplicates:
        first, second, key = duplicates[0]
        raise SpreadsheetError(
            gettext("表头“%(first)s”和“%(second)s”都对应“%(field)s”列，请只保留一列")
            % {"first": first, "second": second, "field": FIELD_BY_KEY[key].header}
        )
    missing = [f.header for f in FIELDS if f.required and f.key not in header.columns]
    if missing:
        raise SpreadsheetError(gettext("缺少必需的列：%(columns)s") % {"columns": "、".join(missing)})
    return header


# --- Reading ----------------------------------------------------------------------------------------


def _find_header(rows: Iterator[tuple[int, list[str]]]) -> HeaderMap:
    first: tuple[int, list[str]] | None = None
    searched = 0
    for number, cells in rows:
        if not any(cells):
            continue
        if first is None:
            first = (number, cells)
        header, _ = _map_cells(cells, number)
        if "name" in header.columns:
            return map_header(cells, number)
        searched += 1
        if searched >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise SpreadsheetError(gettext("文件中没有数据"))
    return map_header(first[1], first[0])  # raises: no row names the required columns


def _data_rows(
    rows: Iterator[tuple[int, list[str]]], header: HeaderMap, max_rows: int, close: Callable[[], None]
) -> Iterator[RawRow]:
    count = 0
    try:
        for number, cells in rows:
            values = {key: cells[index] if index < len(cells) else "" for key, index in header.columns.items()}
            if not any(values.values()):
                continue  # also skips rows filled only in ignored columns, such as a pre-numbered 序号
            count += 1
            if count > max_rows:
                raise SpreadsheetError(gettext("数据超过 %(max)s 行，请拆分文件后分批导入") % {"max": f"{max_rows:,}"})
            yield RawRow(number, values)
    finally:
        close()


def read_rows(
    fileobj: IO[bytes], filename: str = "", *, max_rows: int = MAX_ROWS
) -> tuple[HeaderMap, Iterator[RawRow]]:
    """Read the header of a seekable binary file now and return it with a lazy iterator of data rows.

    The first sheet of a workbook is read. The header is the first non-empty row that names 姓名,
    looking past up to ``HEADER_SEARCH_ROWS`` title rows. Rows whose mapped cells are all empty are
    skipped. Raises SpreadsheetError for a bad file or header here, and from the iterator for a file
    damaged further on or holding more than ``max_rows`` data rows. Exhaust or close the iterator:
    it holds the workbook open.
    """
    rows = read_cells(fileobj)
    try:
        header = _find_header(rows)
    except BaseException:
        rows.close()
        raise
    return header, _data_rows(rows, header, max_rows, rows.close)


# --- Row validation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    column: str  # the field's Chinese template header, e.g. "证件号码"
    value_masked: str  # the cell as typed, with ID and mobile numbers masked and a birth date cut to its decade
    message: str  # Simplified Chinese
    field: str  # canonical field key, to find the file's own header in HeaderMap.headers


@dataclass(frozen=True)
class RowResult:
    clean: dict[str, Any] | None  # canonical keys and normalised values; None when there are errors
    errors: list[CellError]

    @property
    def ok(self) -> bool:
        return not self.errors


_SCIENTIFIC_RE = re.compile(r"[0-9](?:\.[0-9]+)?E\+?[0-9]+", re.IGNORECASE)
_EXCEL_TEXT_FORMULA_RE = re.compile(r'="(.*)"')
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_DATE_COMPACT_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_CARE_TAG_SEPARATORS_RE = re.compile(r"[、,，;；/\s]+")
_SHOWN_VALUE_CHARS = 60

_GENDERS = {"男": Gender.MALE, "M": Gender.MALE, "MALE": Gender.MALE}
_GENDERS |= {"女": Gender.FEMALE, "F": Gender.FEMALE, "FEMALE": Gender.FEMALE}

# Columns whose other spellings may be listed in the ValueAlias table; the value an alias stands for is one
# of canonical_values(column).
ALIAS_COLUMNS = ("gender", "id_type", "relation", "residence_type", "legal_basis", "care_tags")
Aliases = Mapping[str, Mapping[str, str]]  # column -> normalised alias -> canonical value


def canonical_values(column: str) -> list[str]:
    """The Chinese values an alias of `column` may stand for (as written in the template's dropdowns)."""
    if column == "gender":
        return ["男", "女"]
    if column == "care_tags":
        return [t.label for t in CARE_TAGS]
    labels: dict[str, Mapping[Any, Any]] = {
        "id_type": ID_TYPE_LABELS,
        "relation": RELATION_LABELS,
        "residence_type": RESIDENCE_TYPE_LABELS,
        "legal_basis": LEGAL_BASIS_LABELS,
    }
    return _chinese_labels(labels[column]).split("、")


def alias_map(rows: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    """Build the Aliases map validate_row takes from (column, alias, value) rows (ValueAlias)."""
    out: dict[str, dict[str, str]] = {}
    for column, alias, value in rows:
        key = _normalise_choice(alias)
        if key and column in ALIAS_COLUMNS:
            out.setdefault(column, {})[key] = value
    return out


@lru_cache(maxsize=16)
def _choices(kind: str, language: str | None) -> dict[str, Enum]:
    """Accepted spellings of an enumerated column: enum values and labels in Chinese and the active language."""
    all_labels: dict[str, Mapping[Any, Any]] = {
        "relation": RELATION_LABELS,
        "residence_type": RESIDENCE_TYPE_LABELS,
        "legal_basis": LEGAL_BASIS_LABELS,
    }
    labels = all_labels[kind]
    lookup: dict[str, Enum] = {str(member.value).upper(): member for member in labels}
    for lang in {"zh-hans", language or "zh-hans"}:
        with translation.override(lang):
            lookup.update({_normalise_choice(str(label)): member for member, label in labels.items()})
    return lookup


def _normalise_choice(text: str) -> str:
    return _WHITESPACE_RE.sub("", unicodedata.normalize("NFKC", text)).upper()


def _chinese_labels(labels: Mapping[Any, Any]) -> str:
    with translation.override("zh-hans"):
        return "、".join(str(label) for label in labels.values())


def _parse_date(text: str) -> datetime.date | None:
    text = unicodedata.normalize("NFKC", text).strip()
    match = _DATE_RE.fullmatch(text) or _DATE_COMPACT_RE.fullmatch(text)
    if match is None:
        return None
    try:
        return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _unwrap_number(text: str) -> str:
    """Drop the tricks used to keep Excel from turning a number into a number: '5101... and ="5101..."."""
    match = _EXCEL_TEXT_FORMULA_RE.fullmatch(text)
    if match:
        text = match.group(1)
    return text.lstrip("'").strip()


def _mask_mobile_value(text: str) -> str:
    # domain.mask_mobile assumes 11 digits; a shorter mistyped number would otherwise show in full.
    return mask_mobile(text) if len(text) >= 11 else "*" * len(text)


def _birth_shown(text: str) -> str:
    """A birth-date cell in a problem report: its decade if it reads as a date, else its shape (digits hidden).

    The report is kept (ImportRow.errors, in clear) and shown to whoever imports: a full birth date, or even a
    year and month, would narrow the resident's ID number (registry.domain, issue 10).
    """
    parsed = _parse_date(text)
    if parsed is not None:
        return decade_label(decade_of(parsed))
    return re.sub(r"[0-9０-９]", "*", text)[:_SHOWN_VALUE_CHARS]


def _shown(text: str) -> str:
    text = mask_text(text)
    return text if len(text) <= _SHOWN_VALUE_CHARS else text[:_SHOWN_VALUE_CHARS] + "…"


def _messages(error: ValidationError) -> str:
    return "；".join(str(message) for message in error.messages)


class _RowChecker:
    def __init__(self, raw: Mapping[str, Any], aliases: Aliases) -> None:
        self.values = {key: cell_text(value) for key, value in raw.items()}
        self.errors: list[CellError] = []
        self.aliases = aliases

    def spelled(self, key: str, text: str | None = None) -> str:
        """The cell (or `text`), replaced by the value it stands for when it is a listed alias of the column."""
        text = self.get(key) if text is None else text
        return self.aliases.get(key, {}).get(_normalise_choice(text), text) if text else text

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def error(self, key: str, message: str, value: str | None = None) -> None:
        text = self.get(key) if value is None else value
        if key == "id_number":
            shown = mask_document(normalise_number(text))
        elif key == "mobile":
            shown = _mask_mobile_value(text)
        elif key == "birth_date":
            shown = _birth_shown(text)
        else:
            shown = _shown(text)
        self.errors.append(CellError(FIELD_BY_KEY[key].header, shown, str(message), key))

    def choice(self, key: str, default: Enum | None, message: Callable[[], str]) -> Any:
        text = self.spelled(key)
        if not text:
            return default
        found = _choices(key, translation.get_language()).get(_normalise_choice(text))
        if found is None and key == "residence_type":
            found = _choices(key, translation.get_language()).get(_normalise_choice(text).removesuffix("人口"))
        if found is None:
            self.error(key, message())
        return found

    def text(self, key: str, limit: int) -> str | None:
        text = self.get(key)
        if len(text) > limit:
            self.error(
                key, gettext("%(column)s不能超过%(max)s个字") % {"column": FIELD_BY_KEY[key].header, "max": limit}
            )
        return text or None


def validate_row(
    raw: Mapping[str, Any], *, today: datetime.date | None = None, aliases: Aliases | None = None
) -> RowResult:
    """Check one row (field key -> cell text) and return its normalised values or its cell errors.

    ``today`` bounds birth dates (default: today's local date). ``aliases`` (see alias_map) names other
    spellings of enumerated values; a cell that is a listed alias is read as the value it stands for. The
    document type is inferred from the number when the type cell is empty. A birth date or gender given next
    to a document must agree with it; when left empty they are taken from the document. Empty residence type
    means 常住 and empty legal basis 法定职责. An empty 姓名 is an error.
    """
    today = today or timezone.localdate()
    row = _RowChecker(raw, aliases or {})
    clean: dict[str, Any] = {}

    name = row.get("name")
    if not name:
        row.error("name", gettext("姓名不能为空"))
    elif len(name) > NAME_MAX_CHARS:
        row.error("name", gettext("姓名不能超过%(max)s个字") % {"max": NAME_MAX_CHARS})
    elif name == TEMPLATE_EXAMPLE_NAME:
        row.error("name", gettext("这是模板中的示例行，请删除后再导入"))
    clean["name"] = name

    gender: Gender | None = None
    if row.get("gender"):
        gender = _GENDERS.get(_normalise_choice(row.spelled("gender")))
        if gender is None:
            row.error("gender", gettext("性别应填写“男”或“女”"))

    document = None
    number = _unwrap_number(row.get("id_number"))
    id_type_text = row.spelled("id_type")
    if _SCIENTIFIC_RE.fullmatch(number):
        row.error("id_number", gettext("证件号码被 Excel 存成了数字，后几位已丢失；请将该列设为文本格式后重新填写"))
    else:
        kind: IdType | None = None
        if id_type_text:
            try:
                kind = parse_id_type(id_type_text)
            except ValidationError as exc:
                row.error("id_type", _messages(exc))
        else:
            kind = infer_id_type(number)
        if kind is not None:
            try:
                document = validate_document(kind, number, today=today)
            except ValidationError as exc:
                row.error("id_number", _messages(exc), number)
    clean["id_type"] = document.id_type if document else None
    clean["id_number"] = (document.number or None) if document else None

    birth_date: datetime.date | None = None
    if row.get("birth_date"):
        birth_date = _parse_date(row.get("birth_date"))
        if birth_date is None:
            row.error("birth_date", gettext("出生日期格式无法识别，请填写完整的年月日，如 1990-01-01"))
        elif birth_date > today:
            row.error("birth_date", gettext("出生日期不能晚于今天"))
        elif birth_date < EARLIEST_BIRTH_DATE:
            row.error("birth_date", gettext("出生日期不能早于1900年"))
        elif document and document.birth_date and birth_date != document.birth_date:
            row.error("birth_date", gettext("出生日期与证件号码不一致"))
    clean["birth_date"] = birth_date or (document.birth_date if document else None)

    if gender and document and document.gender and gender != document.gender:
        row.error("gender", gettext("性别与证件号码不一致"))
    clean["gender"] = gender or (document.gender if document else None)

    mobile = _unwrap_number(row.get("mobile"))
    clean["mobile"] = None
    if _SCIENTIFIC_RE.fullmatch(mobile):
        row.error("mobile", gettext("手机号码被 Excel 存成了科学计数法，请将该列设为文本格式后重新填写"), mobile)
    elif mobile:
        try:
            clean["mobile"] = validate_mobile(mobile)
        except ValidationError as exc:
            row.error("mobile", _messages(exc), mobile)

    for key, limit in TEXT_MAX_CHARS.items():
        clean[key] = row.text(key, limit)

    clean["relation"] = row.choice(
        "relation",
        None,
        lambda: gettext("与户主关系应填写：%(labels)s") % {"labels": _chinese_labels(RELATION_LABELS)},
    )
    clean["residence_type"] = row.choice(
        "residence_type",
        ResidenceType.PERMANENT,
        lambda: gettext("居住类型应填写：%(labels)s") % {"labels": _chinese_labels(RESIDENCE_TYPE_LABELS)},
    )
    clean["legal_basis"] = row.choice(
        "legal_basis",
        LegalBasis.STATUTORY,
        lambda: gettext("采集依据应填写：%(labels)s") % {"labels": _chinese_labels(LEGAL_BASIS_LABELS)},
    )

    codes: list[str] = []
    unknown: list[str] = []
    for label in _CARE_TAG_SEPARATORS_RE.split(row.get("care_tags")):
        if not label:
            continue
        tag = CARE_TAG_BY_LABEL.get(unicodedata.normalize("NFKC", row.spelled("care_tags", label)))
        if tag is None:
            unknown.append(label)
        elif tag.code not in codes:
            codes.append(tag.code)
    if unknown:
        row.error(
            "care_tags",
            gettext("未知的关怀标签：%(tags)s（可填写：%(labels)s）")
            % {"tags": mask_text("、".join(unknown)), "labels": "、".join(t.label for t in CARE_TAGS)},
        )
    clean["care_tags"] = codes

    clean["notes"] = row.text("notes", NOTES_MAX_CHARS)

    if row.errors:
        return RowResult(None, row.errors)
    return RowResult(clean, [])


# --- Template and exports ---------------------------------------------------------------------------

_TEXT_COLUMNS = ("id_number", "mobile", "household_number", "building", "unit", "room")


def column_widths(headers: Sequence[str]) -> list[float]:
    """Column widths for an export: the field's width when a header names a field, else the header's own width."""
    widths = []
    for header in headers:
        key = match_header(header)
        width = FIELD_BY_KEY[key].width if key else 0
        widths.append(min(max(width, display_width(header) + 4, 8), 60))
    return widths


def _template_example() -> dict[str, Any]:
    # 11010519491231002X is the worked example printed in GB 11643-1999 itself; the name makes
    # validate_row refuse the row if it is imported by mistake.
    return {
        "name": TEMPLATE_EXAMPLE_NAME,
        "gender": "女",
        "id_type": "居民身份证",
        "id_number": "11010519491231002X",
        "birth_date": datetime.date(1949, 12, 31),
        "mobile": "13800000000",
        "household_number": "0001",
        "relation": "户主",
        "compound": "示例小区",
        "building": "1栋",
        "unit": "2单元",
        "room": "301",
        "residence_type": "户籍",
        "care_tags": "独居老人、残疾人",
        "notes": "示例数据，请删除",
        "legal_basis": "法定职责",
    }


def _instructions() -> list[list[str]]:
    id_formats = (
        "居民身份证：18位（旧的15位号码会自动转换为18位）；港澳居民居住证：18位，以810000或820000开头；"
        "台湾居民居住证：18位，以830000开头；外国人永久居留身份证：18位以9开头，或15位（3个字母加12位数字）；"
        "护照：5–17位字母或数字；无证件：不填"
    )
    described = {
        "name": ("必填", "", "1–50个字"),
        "gender": ("选填", "男、女", "有证件号码时可不填，按号码推算；填写时须与号码一致"),
        "id_type": ("选填", _chinese_labels(ID_TYPE_LABELS), "不填时按证件号码自动判断"),
        "id_number": ("选填", "", id_formats),
        "birth_date": ("选填", "", "如 1990-01-01、1990/1/1、19900101、1990年1月1日；不能晚于今天；须与证件号码一致"),
        "mobile": ("选填", "", "11位手机号码，可带 +86"),
        "household_number": ("选填", "", "同一户的成员填写相同户号"),
        "relation": ("选填", _chinese_labels(RELATION_LABELS), ""),
        "compound": ("选填", "", ""),
        "building": ("选填", "", ""),
        "unit": ("选填", "", ""),
        "room": ("选填", "", ""),
        "residence_type": ("选填", _chinese_labels(RESIDENCE_TYPE_LABELS), "不填时按“常住”"),
        "care_tags": ("选填", "、".join(t.label for t in CARE_TAGS), "可填多个，用顿号“、”或逗号分隔"),
        "notes": ("选填", "", "不超过500字"),
        "legal_basis": (
            "选填",
            _chinese_labels(LEGAL_BASIS_LABELS),
            "不填时按“法定职责”；依本人同意采集的须有书面同意",
        ),
    }
    rows = [[f.template_header, *described[f.key]] for f in FIELDS]
    notes = [
        "1. 第一张工作表第一行为表头，请勿修改表头文字；列的顺序可以调整，无法识别的列会被忽略。",
        "2. 带 * 的列为必填。示例行仅供参考，导入前请删除。",
        "3. 证件号码、手机号码等列已设为文本格式；从其他表格粘贴时请用“选择性粘贴—数值”，"
        "以免长号码被存成科学计数法而丢失后几位。",
        f"4. 一个文件最多 {MAX_ROWS:,} 行数据；支持 .xlsx 和 CSV（UTF-8 或 GBK 编码），不支持旧版 .xls。",
        "5. 证件号码、手机号码和关怀标签属于敏感个人信息，请妥善保管本文件，导入后及时删除。",
    ]
    return [*rows, [], *([note] for note in notes)]


def template_xlsx(fileobj: IO[bytes]) -> None:
    """Write the import template: a header row, one example row, dropdowns and a 填写说明 sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="居民信息")
    keys = [f.key for f in FIELDS]
    last_row = MAX_ROWS + 1
    dropdowns = {
        "gender": ["男", "女"],
        "id_type": _chinese_labels(ID_TYPE_LABELS).split("、"),
        "relation": _chinese_labels(RELATION_LABELS).split("、"),
        "residence_type": _chinese_labels(RESIDENCE_TYPE_LABELS).split("、"),
        "legal_basis": _chinese_labels(LEGAL_BASIS_LABELS).split("、"),
    }
    for key, options in dropdowns.items():
        letter = get_column_letter(keys.index(key) + 1)
        # A warning, not a stop: the importer also accepts aliases (身份证, 本人, ...).
        validation = DataValidation(
            type="list",
            formula1=f'"{",".join(options)}"',
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            error="请从下拉列表中选择；其他写法导入时可能无法识别",
        )
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.data_validations.append(validation)
    example = _template_example()
    write_sheet(
        sheet,
        [f.template_header for f in FIELDS],
        [[example[key] for key in keys]],
        [f.width for f in FIELDS],
        [keys.index(key) for key in _TEXT_COLUMNS],
    )
    guide = workbook.create_sheet(title="填写说明")
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 50
    guide.column_dimensions["D"].width = 70
    wrap = Alignment(wrap_text=True, vertical="top")
    guide.append([header_cell(guide, text) for text in ("列名", "是否必填", "可填写的内容", "格式与说明")])
    for values in _instructions():
        cells = [data_cell(guide, value) for value in values]
        if len(cells) > 1:  # the table rows wrap; the numbered notes below run across the columns
            for cell in cells:
                cell.alignment = wrap
        guide.append(cells)
    workbook.save(fileobj)
