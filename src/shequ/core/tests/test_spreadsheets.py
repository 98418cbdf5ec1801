"""Tests for shequ.core.spreadsheets: format by content, formula-safe cells, the problem report (no database)."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

import openpyxl.xml
import pytest
from openpyxl import Workbook, load_workbook

from shequ.core import spreadsheets
from shequ.core.spreadsheets import SpreadsheetError, error_report_xlsx, read_cells, sniff_format, write_xlsx

MSG_INVALID_FILE = "文件不是有效的 Excel（.xlsx）或 CSV 文件"
INJECTION_VALUES = ["=1+1", "+86 138", "-5", "@SUM(A1)", "\tx", "\rx"]


def xlsx_bytes(rows: list[list]) -> io.BytesIO:
    """Build a workbook with openpyxl directly (not with the code under test)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def sheet_xml(buffer: io.BytesIO) -> str:
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def test_sniff_xlsx_by_content_even_when_named_csv():
    """A workbook is an xlsx whatever its extension; the file is left at position 0."""
    buffer = xlsx_bytes([["姓名"]])
    assert sniff_format(buffer, "people.csv") == "xlsx"
    assert buffer.tell() == 0


def test_sniff_csv_by_content_even_when_named_xlsx():
    """Text is CSV whatever its extension."""
    assert sniff_format(io.BytesIO("姓名\n张三\n".encode()), "people.xlsx") == "csv"


def test_zip_that_is_not_a_workbook_is_refused():
    """A ZIP without [Content_Types].xml and xl/workbook.xml is not an xlsx."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(SpreadsheetError) as excinfo:
        sniff_format(buffer, "people.xlsx")
    assert str(excinfo.value) == MSG_INVALID_FILE


def test_damaged_zip_is_refused():
    """Bytes that start like a ZIP but are not one are refused."""
    with pytest.raises(SpreadsheetError) as excinfo:
        sniff_format(io.BytesIO(b"PK\x03\x04" + b"\x00" * 100), "people.xlsx")
    assert str(excinfo.value) == MSG_INVALID_FILE


def test_workbook_too_large_when_uncompressed(monkeypatch):
    """A workbook whose parts declare more than the uncompressed limit is refused before parsing."""
    monkeypatch.setattr(spreadsheets, "MAX_XLSX_UNCOMPRESSED_BYTES", 1000)
    with pytest.raises(SpreadsheetError) as excinfo:
        sniff_format(xlsx_bytes([["姓名"]]), "people.xlsx")
    assert str(excinfo.value) == "Excel 文件解压后过大，请拆分文件后分批导入"


def test_formula_like_strings_are_written_as_text():
    """Strings that Excel would run as formulas stay text: same value read back, quote prefix set, no <f>."""
    # Without lxml, openpyxl writes a bare CR, which every XML parser reads back as LF.
    assert openpyxl.xml.LXML, "lxml must be installed for openpyxl to keep a carriage return in a cell"
    buffer = io.BytesIO()
    write_xlsx(buffer, ["值"], [[value] for value in INJECTION_VALUES])
    buffer.seek(0)
    cells = [row[0] for row in load_workbook(buffer).active.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == INJECTION_VALUES
    assert [cell.data_type for cell in cells] == ["s"] * len(INJECTION_VALUES)
    assert [cell.quotePrefix for cell in cells] == [True] * len(INJECTION_VALUES)
    assert re.search(r"<f[\s>/]", sheet_xml(buffer)) is None


def test_write_xlsx_types_header_and_layout():
    """Dates are dates, numbers numbers, long integers text; header bold and frozen; widths set."""
    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        ["姓名", "出生日期", "年龄", "证件号码", "备注"],
        [["张三", datetime.date(1990, 1, 1), 36, 510107199001011234, "普通文本"]],
    )
    buffer.seek(0)
    sheet = load_workbook(buffer).active
    name, birth, age, number, notes = next(sheet.iter_rows(min_row=2))
    assert (birth.value, birth.number_format) == (datetime.datetime(1990, 1, 1), "yyyy-mm-dd")
    assert (age.value, age.data_type) == (36, "n")
    assert (number.value, number.data_type) == ("510107199001011234", "s")
    assert (notes.value, notes.quotePrefix) == ("普通文本", False)
    assert [cell.font.b for cell in sheet[1]] == [True] * 5
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width == 12  # display width of the header plus a margin


def test_cells_are_read_as_typed_text():
    """Numbers, long numbers and dates come back as the text a person typed; a 16+ digit number keeps its E form."""
    buffer = xlsx_bytes([["a", 13812345678, 5.1010719900101e17, datetime.date(1990, 1, 2)]])
    assert list(read_cells(buffer)) == [(1, ["a", "13812345678", "5.1010719900101E+17", "1990-01-02"])]


def test_error_report_has_its_columns_and_masked_lines_as_text():
    """The problem report: one header row, then each line as written, a formula-like message kept as text."""
    buffer = io.BytesIO()
    error_report_xlsx(buffer, [[3, "证件号码", "1101**********002X", "=校验位错误"]])
    buffer.seek(0)
    sheet = load_workbook(buffer).active
    assert sheet.title == "导入问题"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["行号", "列", "内容（已脱敏）", "问题"],
        [3, "证件号码", "1101**********002X", "=校验位错误"],
    ]
    assert sheet["D2"].data_type == "s"
