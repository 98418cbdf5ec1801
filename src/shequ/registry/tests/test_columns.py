"""Tests for shequ.registry.columns: the resident spreadsheet read, validated and templated (no database)."""

from __future__ import annotations

import codecs
import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from shequ.core.spreadsheets import SpreadsheetError, sniff_format, write_xlsx
from shequ.core.validators import resident_id_check_char
from shequ.registry.columns import (
    FIELDS,
    TEMPLATE_EXAMPLE_NAME,
    CellError,
    HeaderMap,
    RawRow,
    column_widths,
    map_header,
    match_header,
    read_rows,
    template_xlsx,
    validate_row,
)
from shequ.registry.domain import Gender, IdType, LegalBasis, Relation, ResidenceType

TODAY = datetime.date(2026, 3, 16)
ID_1949 = "11010519491231002X"  # the GB 11643-1999 worked example: 1949-12-31, female
ID_1990 = "51010719900101123" + resident_id_check_char("51010719900101123")  # 1990-01-01, male
MSG_INVALID_FILE = "文件不是有效的 Excel（.xlsx）或 CSV 文件"
MSG_XLS = "不支持旧版 .xls 文件，请另存为 .xlsx 后上传"


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


def read_all(fileobj, filename="upload.xlsx", **kwargs) -> tuple[HeaderMap, list[RawRow]]:
    header, rows = read_rows(fileobj, filename, **kwargs)
    return header, list(rows)


def sheet_xml(buffer: io.BytesIO) -> str:
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


# --- Headers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("姓名", "name"),
        ("姓名*", "name"),
        (" 姓 名 ＊", "name"),
        ("*姓名", "name"),
        ("名字", "name"),
        ("身份证号码", "id_number"),
        ("公民身份号码", "id_number"),
        ("联系电话", "mobile"),
        ("小区（院落）", "compound"),
        ("小区(院落)", "compound"),
        ("小区 （院落） ", "compound"),
        ("手机号码（选填）", "mobile"),
        ("出生日期(YYYY-MM-DD)", "birth_date"),
        ("人口类型", "residence_type"),
        ("特殊人群", "care_tags"),
        ("法律依据", "legal_basis"),
        ("序号", None),
        ("", None),
    ],
)
def test_match_header(text, expected):
    """Headers match by template header or alias, ignoring spaces, full-width forms, "*" and a trailing hint."""
    assert match_header(text) == expected


def test_map_header_reports_ignored_columns_and_positions():
    """Every known header maps to its column index; unknown non-empty headers are listed, empty ones not."""
    header = map_header(["序号", "姓名*", "", "身份证号", "联系电话", "籍贯"], 3)
    assert header == HeaderMap(
        row_number=3,
        columns={"name": 1, "id_number": 3, "mobile": 4},
        headers={"name": "姓名*", "id_number": "身份证号", "mobile": "联系电话"},
        ignored=["序号", "籍贯"],
    )


def test_map_header_missing_name():
    """姓名 is the only required column."""
    with pytest.raises(SpreadsheetError) as excinfo:
        map_header(["身份证号", "联系电话"])
    assert str(excinfo.value) == "缺少必需的列：姓名"


def test_map_header_duplicate_field():
    """Two columns naming the same field are refused, naming both."""
    with pytest.raises(SpreadsheetError) as excinfo:
        map_header(["姓名", "手机号码", "联系电话"])
    assert str(excinfo.value) == "表头“手机号码”和“联系电话”都对应“手机号码”列，请只保留一列"


# --- Format detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        b"GIF89a\x01\x00\x01\x00",
        b"\x01\x02\x03binary\x04\x05",
    ],
    ids=["pdf", "png", "jpeg", "gif", "control-bytes"],
)
def test_renamed_binary_file_is_refused(content):
    """A PDF, an image or other binary renamed to .xlsx is neither a workbook nor CSV."""
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(io.BytesIO(content), "people.xlsx")
    assert str(excinfo.value) == MSG_INVALID_FILE


def test_legacy_xls_is_refused_with_its_own_message():
    """An OLE2 compound file (.xls) gets the "save as .xlsx" message, whatever its name."""
    content = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(io.BytesIO(content), "people.xlsx")
    assert str(excinfo.value) == MSG_XLS


def test_password_protected_xlsx_is_refused_with_its_own_message():
    """An encrypted .xlsx is an OLE2 file with an EncryptedPackage stream: ask for the password to be removed."""
    content = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 2000 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(io.BytesIO(content), "people.xlsx")
    assert str(excinfo.value) == "文件设置了打开密码，请取消密码后重新上传"


def test_damaged_workbook_parts_are_refused():
    """A ZIP with the workbook's part names but broken XML cannot be read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("xl/workbook.xml", "not xml")
    assert sniff_format(buffer, "people.xlsx") == "xlsx"
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(buffer, "people.xlsx")
    assert str(excinfo.value) == "Excel 文件已损坏，无法读取"


def test_empty_file_is_refused():
    """A zero-byte upload says so."""
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(io.BytesIO(b""), "people.csv")
    assert str(excinfo.value) == "文件是空的"


def test_file_with_only_blank_rows_is_refused():
    """A CSV of separators only has no header."""
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(io.BytesIO(b",,\n,,\n"), "people.csv")
    assert str(excinfo.value) == "文件中没有数据"


# --- Reading xlsx -----------------------------------------------------------------------------------


def test_xlsx_round_trip_with_write_xlsx():
    """Rows written by write_xlsx read back with sheet row numbers, canonical keys and typed-as-text values."""
    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        ["序号", "姓名*", "身份证号", "联系电话", "出生日期", "备注"],
        [
            [1, "张三", ID_1990, 13812345678, datetime.date(1990, 1, 1), "  楼下  "],
            [None, None, None, None, None, None],
            [3, "李四", None, 13912345678.0, datetime.datetime(1949, 12, 31), "=1+1"],
            [4, None, None, None, None, None],  # only an ignored column is filled: skipped
        ],
    )
    buffer.seek(0)
    header, rows = read_all(buffer)
    assert header.row_number == 1
    assert header.ignored == ["序号"]
    assert rows == [
        RawRow(
            2,
            {
                "name": "张三",
                "id_number": ID_1990,
                "mobile": "13812345678",
                "birth_date": "1990-01-01",
                "notes": "楼下",
            },
        ),
        RawRow(
            4,
            {"name": "李四", "id_number": "", "mobile": "13912345678", "birth_date": "1949-12-31", "notes": "=1+1"},
        ),
    ]


def test_xlsx_title_rows_above_header_are_skipped():
    """A title row above the header is passed over; row numbers stay those of the sheet."""
    buffer = xlsx_bytes([["某某社区居民信息登记表"], [], ["姓名", "性别"], ["王五", "男"]])
    header, rows = read_all(buffer)
    assert header.row_number == 3
    assert rows == [RawRow(4, {"name": "王五", "gender": "男"})]


def test_xlsx_numbers_and_dates_become_text():
    """Whole floats lose ".0", datetimes with a time keep it, long numbers keep their scientific form."""
    buffer = xlsx_bytes(
        [
            ["姓名", "手机号码", "出生日期", "证件号码", "房号"],
            ["甲", 13812345678.0, datetime.datetime(1990, 1, 1, 8, 30), 5.10107199001011e17, 301],
        ]
    )
    _, rows = read_all(buffer)
    assert rows == [
        RawRow(
            2,
            {
                "name": "甲",
                "mobile": "13812345678",
                "birth_date": "1990-01-01 08:30:00",
                "id_number": "5.10107199001011E+17",
                "room": "301",
            },
        )
    ]


def test_xlsx_too_many_rows():
    """More data rows than max_rows stops the iteration with an error."""
    buffer = xlsx_bytes([["姓名"], ["甲"], ["乙"], ["丙"]])
    header, rows = read_rows(buffer, "people.xlsx", max_rows=2)
    assert next(rows) == RawRow(2, {"name": "甲"})
    assert next(rows) == RawRow(3, {"name": "乙"})
    with pytest.raises(SpreadsheetError) as excinfo:
        next(rows)
    assert str(excinfo.value) == "数据超过 2 行，请拆分文件后分批导入"


def test_xlsx_missing_name_column():
    """A workbook without a 姓名 column is refused before any row is read."""
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(xlsx_bytes([["身份证号", "手机"], [ID_1990, "13812345678"]]), "people.xlsx")
    assert str(excinfo.value) == "缺少必需的列：姓名"


# --- Reading CSV ------------------------------------------------------------------------------------

CSV_TEXT = f"姓名,身份证号,联系电话,小区（院落）\r\n张三,{ID_1990},13812345678,锦绣花园\r\n,,,\r\n李四,,,\r\n"
CSV_ROWS = [
    RawRow(2, {"name": "张三", "id_number": ID_1990, "mobile": "13812345678", "compound": "锦绣花园"}),
    RawRow(4, {"name": "李四", "id_number": "", "mobile": "", "compound": ""}),
]


def test_csv_utf8_with_bom():
    """Excel's "CSV UTF-8" (with BOM): the BOM does not end up in the first header."""
    header, rows = read_all(io.BytesIO(codecs.BOM_UTF8 + CSV_TEXT.encode()), "people.csv")
    assert header.headers["name"] == "姓名"
    assert rows == CSV_ROWS


def test_csv_utf8_without_bom():
    """Plain UTF-8."""
    assert read_all(io.BytesIO(CSV_TEXT.encode()), "people.csv")[1] == CSV_ROWS


def test_csv_gbk():
    """Excel's default CSV on Chinese Windows is GBK."""
    assert read_all(io.BytesIO(CSV_TEXT.encode("gbk")), "people.csv")[1] == CSV_ROWS


def test_csv_gb18030_rare_character_in_name():
    """A rare character outside GBK (䶮) survives: GB18030, GBK's superset, is used for decoding."""
    content = "姓名\r\n刘䶮\r\n".encode("gb18030")
    assert read_all(io.BytesIO(content), "people.csv")[1] == [RawRow(2, {"name": "刘䶮"})]


def test_utf16_tab_separated_unicode_text():
    """Excel's "Unicode 文本" export (UTF-16 with BOM, tab-separated) is read too."""
    content = "姓名\t手机\r\n张三\t13812345678\r\n".encode("utf-16")
    assert read_all(io.BytesIO(content), "people.txt")[1] == [RawRow(2, {"name": "张三", "mobile": "13812345678"})]


def test_csv_leaves_caller_file_open():
    """Reading a CSV does not close the uploaded file."""
    buffer = io.BytesIO(CSV_TEXT.encode())
    read_all(buffer, "people.csv")
    assert not buffer.closed


# --- Writing ----------------------------------------------------------------------------------------


def test_template_sheets_header_and_example():
    """The template has the data sheet (required columns starred, one example row) and 填写说明."""
    buffer = io.BytesIO()
    template_xlsx(buffer)
    buffer.seek(0)
    workbook = load_workbook(buffer)
    assert workbook.sheetnames == ["居民信息", "填写说明"]
    data = workbook["居民信息"]
    assert [cell.value for cell in data[1]] == [f.template_header for f in FIELDS]
    assert data["A1"].value == "姓名*"
    assert data.max_row == 2
    assert data["D2"].value == ID_1949
    assert data.column_dimensions["D"].number_format == "@"  # IDs typed later stay text
    guide = workbook["填写说明"]
    assert [cell.value for cell in guide[1]] == ["列名", "是否必填", "可填写的内容", "格式与说明"]
    assert [row[0].value for row in guide.iter_rows(min_row=2, max_row=len(FIELDS) + 1)] == [
        f.template_header for f in FIELDS
    ]
    assert guide["B2"].value == "必填"
    assert guide["C4"].value == "居民身份证、港澳居民居住证、台湾居民居住证、外国人永久居留身份证、护照、无证件"


def test_template_example_row_is_refused_on_import():
    """The example row reads back cleanly but validation refuses it, so it cannot be imported by mistake."""
    buffer = io.BytesIO()
    template_xlsx(buffer)
    buffer.seek(0)
    header, rows = read_all(buffer)
    assert header.ignored == []
    assert len(rows) == 1
    assert validate_row(rows[0].values, today=TODAY).errors == [
        CellError("姓名", TEMPLATE_EXAMPLE_NAME, "这是模板中的示例行，请删除后再导入", "name")
    ]


# --- Row validation ---------------------------------------------------------------------------------


def test_valid_full_row_is_normalised():
    """Every column is normalised: enums, date, tag codes, and None for empty text."""
    result = validate_row(
        {
            "name": "张三",
            "gender": "男",
            "id_type": "身份证",
            "id_number": ID_1990.lower(),
            "birth_date": "1990/1/1",
            "mobile": "+86 138-1234-5678",
            "household_number": "0012",
            "relation": "户主",
            "compound": "锦绣花园",
            "building": "3栋",
            "unit": "",
            "room": "502",
            "residence_type": "户籍人口",
            "care_tags": "独居老人，残疾人、独居老人",
            "notes": "",
            "legal_basis": "本人同意",
        },
        today=TODAY,
    )
    assert result.errors == []
    assert result.clean == {
        "name": "张三",
        "gender": Gender.MALE,
        "id_type": IdType.RESIDENT_ID,
        "id_number": ID_1990,
        "birth_date": datetime.date(1990, 1, 1),
        "mobile": "13812345678",
        "household_number": "0012",
        "relation": Relation.HEAD,
        "compound": "锦绣花园",
        "building": "3栋",
        "unit": None,
        "room": "502",
        "residence_type": ResidenceType.REGISTERED,
        "care_tags": ["elderly_alone", "disabled"],
        "notes": None,
        "legal_basis": LegalBasis.CONSENT,
    }


def test_child_without_document_or_mobile_is_valid():
    """Only the name is required: no document means 无证件; defaults are 常住 and 法定职责."""
    result = validate_row({"name": "小明", "birth_date": "2020年5月1日", "relation": "子女"}, today=TODAY)
    assert result.clean == {
        "name": "小明",
        "id_type": IdType.NONE,
        "id_number": None,
        "birth_date": datetime.date(2020, 5, 1),
        "gender": None,
        "mobile": None,
        "household_number": None,
        "compound": None,
        "building": None,
        "unit": None,
        "room": None,
        "relation": Relation.CHILD,
        "residence_type": ResidenceType.PERMANENT,
        "legal_basis": LegalBasis.STATUTORY,
        "care_tags": [],
        "notes": None,
    }


def test_birth_date_and_gender_are_taken_from_the_document():
    """When left empty, birth date and gender come from the ID; a 15-digit ID is stored as 18."""
    result = validate_row({"name": "赵六", "id_number": "110105491231002"}, today=TODAY)
    assert (result.clean["id_number"], result.clean["birth_date"], result.clean["gender"]) == (
        ID_1949,
        datetime.date(1949, 12, 31),
        Gender.FEMALE,
    )


def test_permit_type_is_inferred_when_the_type_column_is_empty():
    """An 810000 number with no type is a Hong Kong/Macao permit."""
    number = "81000019900101001" + resident_id_check_char("81000019900101001")
    result = validate_row({"name": "陈七", "id_type": "", "id_number": number}, today=TODAY)
    assert result.clean["id_type"] == IdType.HK_MACAO_PERMIT


@pytest.mark.parametrize(
    "text", ["1990-01-01", "1990/1/1", "1990.1.1", "19900101", "1990年1月1日", "1990-01-01 00:00:00", "１９９０-１-１"]
)
def test_birth_date_formats(text):
    """Common ways of writing a date are all read as the same date."""
    result = validate_row({"name": "甲", "birth_date": text}, today=TODAY)
    assert result.clean["birth_date"] == datetime.date(1990, 1, 1)


def assert_single_error(raw: dict, expected: CellError) -> None:
    result = validate_row(raw, today=TODAY)
    assert result.clean is None
    assert result.errors == [expected]


def test_bad_id_checksum_is_reported_masked():
    """A wrong check character is reported on 证件号码 with the number masked; the raw number appears nowhere."""
    number = "51010719900101123" + ("0" if ID_1990[-1] != "0" else "1")
    result = validate_row({"name": "甲", "id_number": number}, today=TODAY)
    assert result.errors == [CellError("证件号码", "5101**********1230", "身份证号码校验位错误", "id_number")]
    assert number not in repr(result)


def test_bad_mobile_is_reported_masked():
    """A mobile that is not 1[3-9] + 9 digits is reported with the middle masked."""
    result = validate_row({"name": "甲", "mobile": "23812345678"}, today=TODAY)
    assert result.errors == [CellError("手机号码", "238****5678", "手机号码应为11位数字，以13–19开头", "mobile")]
    assert "23812345678" not in repr(result)


def test_short_mobile_is_masked_entirely():
    """A mistyped short mobile is masked completely rather than shown nearly in full."""
    result = validate_row({"name": "甲", "mobile": "1381234567"}, today=TODAY)
    assert result.errors == [CellError("手机号码", "**********", "手机号码应为11位数字，以13–19开头", "mobile")]


def test_birth_date_mismatch():
    """A birth date that differs from the ID's is refused; the report shows only its decade."""
    assert_single_error(
        {"name": "甲", "id_number": ID_1990, "birth_date": "1990-01-02"},
        CellError("出生日期", "1990年代", "出生日期与证件号码不一致", "birth_date"),
    )


def test_gender_mismatch():
    """A gender that differs from the ID's is refused."""
    assert_single_error(
        {"name": "甲", "id_number": ID_1990, "gender": "女"},
        CellError("性别", "女", "性别与证件号码不一致", "gender"),
    )


def test_future_birth_date():
    """A birth date after today is refused; the report shows only its decade."""
    assert_single_error(
        {"name": "甲", "birth_date": "2026-03-17"},
        CellError("出生日期", "2020年代", "出生日期不能晚于今天", "birth_date"),
    )


def test_unreadable_birth_date():
    """A year and month only cannot be a birth date; the report shows its shape, never its digits."""
    assert_single_error(
        {"name": "甲", "birth_date": "1990.01"},
        CellError("出生日期", "****.**", "出生日期格式无法识别，请填写完整的年月日，如 1990-01-01", "birth_date"),
    )


def test_unknown_care_tag_is_named():
    """Each unknown tag is named and the accepted labels are listed."""
    assert_single_error(
        {"name": "甲", "care_tags": "独居老人、低收入 孤寡"},
        CellError(
            "关怀标签",
            "独居老人、低收入 孤寡",
            "未知的关怀标签：低收入、孤寡（可填写：独居老人、空巢老人、高龄老人、残疾人、低保、特困、困境儿童、"
            "留守儿童、重病患者、精神障碍、优抚对象、退役军人、失业人员）",
            "care_tags",
        ),
    )


def test_missing_name():
    """A row without a name is refused."""
    assert_single_error({"name": "  ", "mobile": "13812345678"}, CellError("姓名", "", "姓名不能为空", "name"))


def test_name_too_long():
    """A name has at most 50 characters."""
    assert validate_row({"name": "张" * 51}, today=TODAY).errors[0].message == "姓名不能超过50个字"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"gender": "男的"}, CellError("性别", "男的", "性别应填写“男”或“女”", "gender")),
        (
            {"relation": "邻居"},
            CellError(
                "与户主关系",
                "邻居",
                "与户主关系应填写：户主、配偶、子女、父母、孙子女、祖父母、兄弟姐妹、其他",
                "relation",
            ),
        ),
        (
            {"residence_type": "暂住"},
            CellError("居住类型", "暂住", "居住类型应填写：户籍、常住、流动", "residence_type"),
        ),
        ({"legal_basis": "口头"}, CellError("采集依据", "口头", "采集依据应填写：法定职责、本人同意", "legal_basis")),
        ({"notes": "备" * 501}, CellError("备注", "备" * 60 + "…", "备注不能超过500个字", "notes")),
        (
            {"id_type": "无证件", "id_number": "E12345678"},
            CellError("证件号码", "E1*****78", "证件类型为“无证件”时不应填写证件号码", "id_number"),
        ),
    ],
)
def test_enumerated_and_length_checks(raw, expected):
    """Values outside the accepted lists, over-long notes and a number next to 无证件 are refused."""
    assert_single_error({"name": "甲", **raw}, expected)


def test_id_number_in_the_type_column_is_masked():
    """An ID typed into 证件类型 (a shifted column) is masked in the error all the same."""
    result = validate_row({"name": "甲", "id_type": ID_1990}, today=TODAY)
    assert result.errors == [
        CellError(
            "证件类型",
            "5101**********" + ID_1990[-4:],
            "无法识别的证件类型，可填写：居民身份证、港澳居民居住证、台湾居民居住证、外国人永久居留身份证、护照、无证件",
            "id_type",
        )
    ]
    assert ID_1990 not in repr(result)


def test_id_number_stored_as_excel_number_is_explained():
    """An 18-digit ID that Excel turned into a number has lost digits: the error says so."""
    assert_single_error(
        {"name": "甲", "id_number": "5.10107199001011E+17"},
        CellError(
            "证件号码",
            "5.10************E+17",
            "证件号码被 Excel 存成了数字，后几位已丢失；请将该列设为文本格式后重新填写",
            "id_number",
        ),
    )


@pytest.mark.parametrize("text", [f"'{ID_1990}", f'="{ID_1990}"'])
def test_text_forcing_tricks_are_removed(text):
    """A leading apostrophe or the ="..." trick used to keep Excel from converting IDs is removed."""
    assert validate_row({"name": "甲", "id_number": text}, today=TODAY).clean["id_number"] == ID_1990


def test_several_errors_are_all_reported():
    """All cell errors of a row are returned together, in column order of the checks."""
    result = validate_row({"name": "", "mobile": "123", "care_tags": "外星人"}, today=TODAY)
    assert [(error.field, error.value_masked) for error in result.errors] == [
        ("name", ""),
        ("mobile", "***"),
        ("care_tags", "外星人"),
    ]


def test_export_column_widths_follow_the_fields():
    """A header naming a field gets the field's width; any other header its own display width."""
    assert column_widths(["证件号码", "姓名", "周岁"]) == [22, 14, 8]
