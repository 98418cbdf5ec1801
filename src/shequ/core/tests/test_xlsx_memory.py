"""The in-memory .xlsx writer: readable by openpyxl, text cells only, and nothing written to disk."""

import datetime
import io
import tempfile

from openpyxl import load_workbook

from shequ.core.xlsx_memory import xlsx_bytes


def test_workbook_is_built_without_touching_the_disk_and_reads_back(monkeypatch):
    """No temporary file is made; values read back as text, formula-like text stays text, the header is frozen."""

    def refuse(*args, **kwargs):
        raise AssertionError("the writer touched the disk")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    data = xlsx_bytes(
        ["姓名", "证件号码", "出生日期", "备注"],
        [["张三", "51010719900101123X", datetime.date(1990, 1, 1), "=1+1"], ["李四\x01", None, None, " x "]],
        sheet_title="居民名单",
    )
    sheet = load_workbook(io.BytesIO(data))["居民名单"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["姓名", "证件号码", "出生日期", "备注"],
        ["张三", "51010719900101123X", "1990-01-01", "=1+1"],
        ["李四", None, None, " x "],
    ]
    assert sheet["D2"].data_type == "s"
    assert sheet.freeze_panes == "A2"
