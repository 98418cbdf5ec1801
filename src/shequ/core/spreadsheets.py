"""Read and write spreadsheets (.xlsx and CSV) safely: format by content, cells as text, no formulas.

Generic: knows nothing of any app's columns. Rules encoded here:

- The file's CONTENT decides its format, never its name: an .xlsx is a ZIP holding
  ``[Content_Types].xml`` and ``xl/workbook.xml``; a CSV is text in UTF-8 (with or without BOM),
  UTF-16 with BOM (Excel's "Unicode 文本") or GB18030 (a superset of GBK, so rare characters in names
  survive) without NUL or other control bytes. Legacy .xls (OLE2) is refused with its own message.
- Excel stores numbers as doubles with 15 significant digits, so an 18-digit ID typed into a number
  cell has lost its last digits. Such cells are read as their scientific-notation text (``cell_text``)
  so that the caller's validation can report them instead of silently accepting a wrong number.
- Formula injection (OWASP "CSV injection"): every string written is a text cell, never a formula;
  strings starting with = + - @ TAB or CR also get Excel's quote prefix (``data_cell``). Integers of 16
  or more digits are written as text so that no digit is lost.
- Uploaded workbooks are untrusted: the uncompressed size is bounded and rows are streamed
  (openpyxl read-only mode); install ``defusedxml`` so openpyxl parses XML defensively.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Generator, Iterable, Sequence
from decimal import Decimal
from enum import Enum
from typing import IO, Any, Literal

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

__all__ = [
    "MAX_XLSX_UNCOMPRESSED_BYTES",
    "SpreadsheetError",
    "cell_text",
    "data_cell",
    "display_width",
    "error_report_xlsx",
    "header_cell",
    "read_cells",
    "safe_text",
    "sniff_format",
    "write_sheet",
    "write_xlsx",
]

# A 200,000-row sheet is well under this; a ZIP declaring more is a decompression bomb or not ours.
MAX_XLSX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
_SNIFF_BYTES = 64 * 1024
EXCEL_MAX_EXACT_INTEGER = 10**15  # Excel keeps 15 significant digits
EXCEL_MAX_CELL_CHARS = 32_767
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(ValueError):
    """The whole file cannot be read; the message is for the person who uploaded it."""


# --- Format detection -------------------------------------------------------------------------------

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_BINARY_MAGICS = (b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")
# A password-protected .xlsx is stored in an OLE2 container holding a stream of this name.
_ENCRYPTED_PACKAGE_MARKER = "EncryptedPackage".encode("utf-16-le")
_CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_XLSX_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")


def _msg_invalid_file() -> str:
    return gettext("文件不是有效的 Excel（.xlsx）或 CSV 文件")


def _text_encoding(head: bytes, complete: bool) -> str | None:
    """Return the codec that decodes ``head`` into plain text, or None if it is not text."""
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in head:
        return None
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            # A chunk may end inside a multi-byte character: only the whole file must decode to the end.
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        if _CONTROL_CHARS_RE.search(text):
            return None
        return encoding
    return None


def _contains(fileobj: IO[bytes], marker: bytes) -> bool:
    """Scan the whole file for ``marker`` in overlapping chunks; leave the position at 0."""
    tail = b""
    try:
        while chunk := fileobj.read(1024 * 1024):
            if marker in tail + chunk:
                return True
            tail = chunk[-len(marker) :]
        return False
    finally:
        fileobj.seek(0)


def _sniff(fileobj: IO[bytes]) -> tuple[Literal["xlsx", "csv"], str | None]:
    fileobj.seek(0)
    head = fileobj.read(_SNIFF_BYTES)
    complete = not fileobj.read(1)
    fileobj.seek(0)
    if not head:
        raise SpreadsheetError(gettext("文件是空的"))
    if head.startswith(_OLE2_MAGIC):
        if _contains(fileobj, _ENCRYPTED_PACKAGE_MARKER):
            raise SpreadsheetError(gettext("文件设置了打开密码，请取消密码后重新上传"))
        raise SpreadsheetError(gettext("不支持旧版 .xls 文件，请另存为 .xlsx 后上传"))
    if head.startswith(_ZIP_MAGICS):
        try:
            with zipfile.ZipFile(fileobj) as archive:
                names = set(archive.namelist())
                uncompressed = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
            raise SpreadsheetError(_msg_invalid_file()) from None
        finally:
            fileobj.seek(0)
        if not all(part in names for part in _XLSX_REQUIRED_PARTS):
            raise SpreadsheetError(_msg_invalid_file())
        if uncompressed > MAX_XLSX_UNCOMPRESSED_BYTES:
            raise SpreadsheetError(gettext("Excel 文件解压后过大，请拆分文件后分批导入"))
        return "xlsx", None
    if head.startswith(_BINARY_MAGICS):
        raise SpreadsheetError(_msg_invalid_file())
    encoding = _text_encoding(head, complete)
    if encoding is None:
        raise SpreadsheetError(_msg_invalid_file())
    return "csv", encoding


def sniff_format(fileobj: IO[bytes], filename: str = "") -> Literal["xlsx", "csv"]:
    """Tell from the content whether ``fileobj`` is an .xlsx workbook or a CSV file.

    ``filename`` is not consulted: a renamed file is judged by what it contains. The file position is
    left at 0. Raises SpreadsheetError for .xls, other binary files and undecodable text.
    """
    return _sniff(fileobj)[0]


# --- Reading ----------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """Return the text of a cell value as a person would have typed it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < EXCEL_MAX_EXACT_INTEGER:
            return str(int(value))  # 13812345678.0 -> "13812345678"
        # Beyond 15 digits the number is not what was typed: keep the scientific form so that
        # validation reports it instead of accepting a wrong ID.
        return repr(value).upper()
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _xlsx_cells(fileobj: IO[bytes]) -> Generator[tuple[int, list[str]], None, None]:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; they do not matter here.
            warnings.simplefilter("ignore")
            workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged workbook
        raise SpreadsheetError(gettext("Excel 文件已损坏，无法读取")) from exc
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(gettext("Excel 文件中没有工作表"))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the stored dimension may be wrong; read every row that exists
        rows = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except Exception as exc:  # noqa: BLE001 - damaged sheet XML
                raise SpreadsheetError(gettext("Excel 文件已损坏，无法读取")) from exc
            number += 1
            yield number, [cell_text(value) for value in row]
    finally:
        workbook.close()


def _csv_delimiter(head: bytes, encoding: str) -> str:
    text = codecs.getincrementaldecoder(encoding)(errors="ignore").decode(head)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if "," in first_line:
        return ","
    if "\t" in first_line:
        return "\t"
    if ";" in first_line:
        return ";"
    return ","


def _csv_cells(fileobj: IO[bytes], encoding: str) -> Generator[tuple[int, list[str]], None, None]:
    delimiter = _csv_delimiter(fileobj.read(_SNIFF_BYTES), encoding)
    fileobj.seek(0)
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")  # type: ignore[arg-type]
    try:
        reader = csv.reader(text, delimiter=delimiter)
        number = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError:
                raise SpreadsheetError(
                    gettext("CSV 文件第 %(row)s 行附近编码有误，请以 UTF-8 或 GBK 编码重新保存") % {"row": number + 1}
                ) from None
            except csv.Error as exc:
                raise SpreadsheetError(
                    gettext("CSV 文件第 %(row)s 行格式有误，无法读取") % {"row": number + 1}
                ) from exc
            number += 1
            yield number, [cell.strip() for cell in row]
    finally:
        text.detach()  # leave the caller's file open


def read_cells(fileobj: IO[bytes]) -> Generator[tuple[int, list[str]], None, None]:
    """Sniff a seekable binary file, then stream its rows as (1-based row number, stripped cell texts).

    The first sheet of a workbook is read. Raises SpreadsheetError for a file that is not a spreadsheet
    here, and from the generator for a file damaged further on. Exhaust or close the generator: it holds
    the workbook open.
    """
    kind, encoding = _sniff(fileobj)
    return _xlsx_cells(fileobj) if kind == "xlsx" else _csv_cells(fileobj, encoding or "utf-8")


# --- Writing ----------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TEXT_FORMAT = "@"


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def header_cell(sheet: Any, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=safe_text(text))
    cell.data_type = "s"
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    return cell


def safe_text(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:EXCEL_MAX_CELL_CHARS]


def data_cell(sheet: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        if isinstance(value, int) and abs(value) >= EXCEL_MAX_EXACT_INTEGER:
            value = str(value)  # Excel would drop digits beyond the 15th (an ID number passed as int)
        else:
            return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, list | tuple | set | frozenset):
        value = "、".join(str(item) for item in value)
    text = safe_text(str(value))
    cell = WriteOnlyCell(sheet, value=text)
    # openpyxl types a string starting with "=" as a formula: force text for every string.
    cell.data_type = "s"
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True  # Excel keeps showing it as text even after the cell is edited
    return cell


def write_sheet(
    sheet: Any,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    column_widths: Sequence[float] | None = None,
    text_columns: Iterable[int] = (),
) -> None:
    """Set up and stream one write-only sheet: widths and column formats must precede the rows."""
    for index, header in enumerate(headers):
        letter = get_column_letter(index + 1)
        if column_widths and index < len(column_widths):
            width = column_widths[index]
        else:
            width = min(max(display_width(str(header)) + 4, 8), 60)
        sheet.column_dimensions[letter].width = width
    for index in text_columns:
        sheet.column_dimensions[get_column_letter(index + 1)].number_format = _TEXT_FORMAT
    sheet.freeze_panes = "A2"
    sheet.append([header_cell(sheet, str(header)) for header in headers])
    for row in rows:
        sheet.append([data_cell(sheet, value) for value in row])


def write_xlsx(
    fileobj: IO[bytes],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str = "数据",
    column_widths: Sequence[float] | None = None,
) -> None:
    """Stream ``rows`` under a bold, frozen header row into a new .xlsx written to ``fileobj``.

    Strings are always text cells (never formulas), dates are date cells and numbers number cells;
    integers of 16 or more digits are written as text so that no digit is lost. Widths default to the
    header's display width.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title)
    write_sheet(sheet, headers, rows, column_widths)
    workbook.save(fileobj)


def error_report_xlsx(
    fileobj: IO[bytes],
    problems: Iterable[Sequence[Any]],
    *,
    sheet_title: str | None = None,
) -> None:
    """Write a problem report: one line per (row number, column, masked value, message) of an uploaded file.

    The caller masks the values; every string is written as text, never as a formula.
    """
    write_xlsx(
        fileobj,
        [gettext("行号"), gettext("列"), gettext("内容（已脱敏）"), gettext("问题")],
        problems,
        sheet_title=sheet_title or gettext("导入问题"),
        column_widths=[8, 16, 30, 60],
    )
