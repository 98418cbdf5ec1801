"""An .xlsx workbook built wholly in memory, for files that carry personal information in clear.

openpyxl writes each sheet's XML to a named temporary file before zipping it, so a full (unmasked) export made
with it leaves plaintext on disk for a moment, recoverable from the disk afterwards. This writer builds the few
parts of a minimal SpreadsheetML package (ECMA-376) as strings and zips them into a BytesIO: nothing touches
the file system.

Every value is an inline string cell (`t="inlineStr"`), so nothing is ever read as a formula (OWASP CSV
injection); dates are written as YYYY-MM-DD text; characters XML 1.0 forbids are dropped; cells are cut at
Excel's 32,767-character limit. The first row (the headers) is frozen.
"""

import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MAX_CELL_CHARS = 32_767

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        value = "、".join(str(v) for v in value)
    return _ILLEGAL_XML.sub("", str(value))[:_MAX_CELL_CHARS]


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _row(number: int, values: Sequence[Any]) -> str:
    cells = []
    for i, value in enumerate(values):
        text = _text(value)
        if text == "":
            continue
        space = ' xml:space="preserve"' if text != text.strip() else ""
        cells.append(f'<c r="{_column(i)}{number}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_title: str = "数据") -> bytes:
    """Return the .xlsx file of `headers` and `rows` (one sheet), built in memory only."""
    body = [_row(1, headers)]
    for n, values in enumerate(rows, start=2):
        body.append(_row(n, values))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews>"
        f"<sheetData>{''.join(body)}</sheetData></worksheet>"
    )
    title = escape(_ILLEGAL_XML.sub("", sheet_title).translate(str.maketrans("", "", "[]:*?/\\"))[:31] or "Sheet1")
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()
