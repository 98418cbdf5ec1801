"""Tests for shequ.territory.divisions against the real Chengdu division files (no database).

The source files live in ``shared/data/divisions`` beside the project checkout. They are guaranteed on
CI, so a missing directory fails the tests instead of skipping them.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest

from shequ.core.tests.shared_data import SHARED_DATA
from shequ.territory.divisions import (
    DivisionFormatError,
    DivisionRecord,
    pad_division_code,
    parse_divisions,
    significant_prefix,
)

DATA_DIR = SHARED_DATA / "divisions"
FIXTURES_DIR = Path(__file__).resolve().parents[1] / "fixtures"

ADCODE_HEADER = (
    "code,parent,name,level,rank,adcode,post_code,area_code,ur_code,municipality,virtual,dummy,"
    "longitude,latitude,center_wkb,province,city,county,town,village"
)
WUHOU = "510107000000"


@pytest.fixture(scope="module")
def data_dir() -> Path:
    """Return the shared data directory, failing (not skipping) when it is absent."""
    assert DATA_DIR.is_dir(), f"real division data missing: {DATA_DIR} (required on CI)"
    return DATA_DIR


@pytest.fixture(scope="module")
def adcode_2016(data_dir: Path) -> Path:
    """Return the path of the 2016 adcode file for all of Chengdu."""
    return data_dir / "chengdu_5101_adcode_2016.csv"


@pytest.fixture(scope="module")
def wuhou_2016(adcode_2016: Path) -> list[DivisionRecord]:
    """Return the 武侯区 subtree parsed from the full 2016 file."""
    return list(parse_divisions(adcode_2016, root_code=WUHOU))


def parse_text(text: str, **kwargs) -> list[DivisionRecord]:
    """Parse an in-memory CSV document."""
    return list(parse_divisions(io.StringIO(text), **kwargs))


def adcode_row(code: str, parent: str, name: str, level: str, virtual: str = "f", lng: str = "") -> str:
    """Build one row in the adcode format with the columns the parser does not use left blank."""
    return f"{code},{parent},{name},{level},,,,,,f,{virtual},f,{lng},,,,,,,"


# --- code helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [("51", "510000000000"), ("5101", "510100000000"), ("510107", WUHOU), ("510107001", "510107001000")],
)
def test_pad_division_code(code: str, expected: str) -> None:
    """Province, city, district and street codes are padded with zeros to 12 digits."""
    assert pad_division_code(code) == expected


@pytest.mark.parametrize("code", ["", "5", "51010", "5101070010", "51010700100a", "5101070010001"])
def test_pad_division_code_rejects_other_lengths(code: str) -> None:
    """Codes that are not 2, 4, 6, 9 or 12 digits raise ValueError."""
    with pytest.raises(ValueError):
        pad_division_code(code)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("510000000000", "51"),
        ("510100000000", "5101"),
        (WUHOU, "510107"),
        ("510107001000", "510107001"),
        ("510107001003", "510107001003"),
    ],
)
def test_significant_prefix(code: str, expected: str) -> None:
    """The prefix drops the trailing all-zero levels of the code."""
    assert significant_prefix(code) == expected


# --- 2016 adcode format -----------------------------------------------------------------------------


def test_full_2016_file_levels(adcode_2016: Path) -> None:
    """The Chengdu file has 4742 rows; the virtual 市辖区 is skipped, leaving 1+20+375+4345 records."""
    records = list(parse_divisions(adcode_2016))
    assert len(records) == 4741
    assert Counter(r.level for r in records) == {"city": 1, "district": 20, "street": 375, "community": 4345}
    codes = {r.code for r in records}
    assert "510101000000" not in codes
    assert all(r.name != "市辖区" for r in records)


def test_full_2016_file_parents_exist(adcode_2016: Path) -> None:
    """Every record's parent is in the file, except the city whose province parent is not modelled."""
    records = list(parse_divisions(adcode_2016))
    codes = {r.code for r in records}
    assert [r.code for r in records if r.parent_code == ""] == ["510100000000"]
    assert all(r.parent_code in codes for r in records if r.parent_code)


def test_2016_city_record(adcode_2016: Path) -> None:
    """成都市 is a city with GCJ-02 coordinates and no parent (provinces are skipped)."""
    city = next(iter(parse_divisions(adcode_2016)))
    assert city == DivisionRecord(
        code="510100000000",
        parent_code="",
        name="成都市",
        level="city",
        lng=104.066794,
        lat=30.572893,
        urban_rural_code="",
    )


def test_wuhou_subtree_counts(wuhou_2016: list[DivisionRecord]) -> None:
    """武侯区 in 2016: the district, 17 streets and 128 communities (146 records)."""
    assert len(wuhou_2016) == 146
    assert Counter(r.level for r in wuhou_2016) == {"district": 1, "street": 17, "community": 128}


def test_wuhou_district_record(wuhou_2016: list[DivisionRecord]) -> None:
    """The district comes first, parented to 成都市, with its source coordinates."""
    assert wuhou_2016[0] == DivisionRecord(
        code=WUHOU,
        parent_code="510100000000",
        name="武侯区",
        level="district",
        lng=104.043235,
        lat=30.641907,
        urban_rural_code="",
    )


def test_wuhou_parent_codes(wuhou_2016: list[DivisionRecord]) -> None:
    """Streets hang under 武侯区 and every community under one of those streets."""
    streets = [r for r in wuhou_2016 if r.level == "street"]
    assert {r.parent_code for r in streets} == {WUHOU}
    street_codes = {r.code for r in streets}
    communities = [r for r in wuhou_2016 if r.level == "community"]
    assert all(r.parent_code in street_codes for r in communities)
    assert Counter(r.parent_code for r in communities)["510107063000"] == 15


def test_wuhou_street_and_community_records(wuhou_2016: list[DivisionRecord]) -> None:
    """Names are kept as in the source; missing coordinates become None; ur_code is kept."""
    by_code = {r.code: r for r in wuhou_2016}
    assert by_code["510107001000"] == DivisionRecord(
        code="510107001000", parent_code=WUHOU, name="浆洗街街道办事处", level="street"
    )
    assert by_code["510107004000"].lng == 104.084268
    assert by_code["510107004000"].lat == 30.635154
    assert by_code["510107001003"] == DivisionRecord(
        code="510107001003",
        parent_code="510107001000",
        name="凉水井社区居委会",
        level="community",
        urban_rural_code="111",
    )


@pytest.mark.parametrize("root", ["510107", "510107000000"])
def test_root_code_short_and_padded_forms_agree(adcode_2016: Path, wuhou_2016: list[DivisionRecord], root: str) -> None:
    """A 6-digit root code is padded and selects the same subtree as the 12-digit form."""
    assert list(parse_divisions(adcode_2016, root_code=root)) == wuhou_2016


def test_root_code_street(adcode_2016: Path) -> None:
    """A street root yields the street and its 5 communities (浆洗街街道, 2016)."""
    records = list(parse_divisions(adcode_2016, root_code="510107001000"))
    assert [r.level for r in records] == ["street"] + ["community"] * 5
    assert records[0].name == "浆洗街街道办事处"


def test_invalid_root_code_raises_immediately(adcode_2016: Path) -> None:
    """A malformed root code raises ValueError when calling, before iteration."""
    with pytest.raises(ValueError):
        parse_divisions(adcode_2016, root_code="51010")


def test_virtual_rows_are_skipped_and_children_reparented() -> None:
    """Children of a virtual row hang under its parent; children of a virtual city lose their parent."""
    text = "\n".join(
        [
            ADCODE_HEADER,
            adcode_row("420000000000", "100000000000", "湖北省", "province"),
            adcode_row("420100000000", "420000000000", "武汉市", "city"),
            adcode_row("420101000000", "420100000000", "市辖区", "county", virtual="t"),
            adcode_row("420101001000", "420101000000", "某街道", "town"),
            adcode_row("429000000000", "420000000000", "省直辖县级行政区划", "city", virtual="t"),
            adcode_row("429004000000", "429000000000", "仙桃市", "county"),
        ]
    )
    records = parse_text(text)
    assert [(r.code, r.parent_code, r.level) for r in records] == [
        ("420100000000", "", "city"),
        ("420101001000", "420100000000", "street"),
        ("429004000000", "", "district"),
    ]


# --- 2022 modood formats ----------------------------------------------------------------------------


def test_districts_2022(data_dir: Path) -> None:
    """The 2022 district list has 20 districts with codes padded and 成都市 as parent."""
    records = list(parse_divisions(data_dir / "chengdu_districts_2022.csv"))
    assert len(records) == 20
    assert {r.parent_code for r in records} == {"510100000000"}
    assert {r.level for r in records} == {"district"}
    assert records[3] == DivisionRecord(code=WUHOU, parent_code="510100000000", name="武侯区", level="district")
    assert records[-1].code == "510185000000"


def test_districts_2022_root(data_dir: Path) -> None:
    """Filtering the district list by 武侯区 yields just that district."""
    records = list(parse_divisions(data_dir / "chengdu_districts_2022.csv", root_code=WUHOU))
    assert [r.name for r in records] == ["武侯区"]


def test_streets_2022(data_dir: Path) -> None:
    """The 2022 street list has 261 streets; 9-digit codes get "000" appended; parents are districts."""
    records = list(parse_divisions(data_dir / "chengdu_streets_2022.csv"))
    assert len(records) == 261
    assert {r.level for r in records} == {"street"}
    assert records[0] == DivisionRecord(
        code="510104017000", parent_code="510104000000", name="锦官驿街道", level="street"
    )
    assert all(r.code.endswith("000") and r.parent_code.endswith("000000") for r in records)


def test_streets_2022_wuhou(data_dir: Path) -> None:
    """After the 2019-2020 mergers 武侯区 has 15 streets, all parented to 510107000000."""
    records = list(parse_divisions(data_dir / "chengdu_streets_2022.csv", root_code=WUHOU))
    assert len(records) == 15
    assert {r.parent_code for r in records} == {WUHOU}
    assert records[0].code == "510107001000"
    assert records[0].name == "浆洗街街道"


# --- encodings and cleaning -------------------------------------------------------------------------


def test_bom_bytes_and_quotes_are_handled() -> None:
    """A UTF-8 BOM in a binary file, CRLF line ends, whitespace and quotes around cells are all tolerated."""
    data = '\ufeffcode,name,cityCode,provinceCode\r\n 510107 , "武侯区" ,5101,51\r\n'.encode()
    records = list(parse_divisions(io.BytesIO(data)))
    assert records == [DivisionRecord(code=WUHOU, parent_code="510100000000", name="武侯区", level="district")]


def test_bom_in_text_file_is_handled() -> None:
    """A BOM left in a text stream (file opened as plain utf-8) does not break header detection."""
    records = parse_text('\ufeffcode,name,areaCode,provinceCode,cityCode\n510107001,"浆洗街街道",510107,51,5101\n')
    assert [r.code for r in records] == ["510107001000"]


def test_blank_lines_are_ignored() -> None:
    """Empty lines (e.g. a trailing newline pair) are skipped rather than reported."""
    records = parse_text("code,name,cityCode,provinceCode\n\n510107,武侯区,5101,51\n\n")
    assert len(records) == 1


def test_non_utf8_bytes_rejected() -> None:
    """A GBK-encoded file is reported with its line number rather than decoded wrongly."""
    data = "code,name,cityCode,provinceCode\n510107,武侯区,5101,51\n".encode("gbk")
    with pytest.raises(DivisionFormatError) as excinfo:
        list(parse_divisions(io.BytesIO(data)))
    assert str(excinfo.value) == "第2行：文件不是UTF-8编码"


# --- errors -----------------------------------------------------------------------------------------


def test_unknown_header() -> None:
    """A header matching no format names the missing columns of the closest format."""
    with pytest.raises(DivisionFormatError) as excinfo:
        parse_text("id,title\n1,x\n")
    assert str(excinfo.value) == "无法识别的区划文件格式：缺少列 code、name、areaCode"


def test_header_missing_one_adcode_column() -> None:
    """An adcode header without ``virtual`` cannot be parsed and the message says so."""
    header = ADCODE_HEADER.replace(",virtual,", ",virt,")
    with pytest.raises(DivisionFormatError) as excinfo:
        parse_text(header + "\n")
    assert str(excinfo.value) == "无法识别的区划文件格式：缺少列 virtual"


def test_empty_file() -> None:
    """An empty file is reported as an unrecognised format."""
    with pytest.raises(DivisionFormatError) as excinfo:
        parse_text("")
    assert str(excinfo.value) == "无法识别的区划文件格式：文件为空"


def test_bad_12_digit_code_names_row() -> None:
    """An 11-digit code on line 3 of an adcode file is reported as line 3."""
    text = "\n".join(
        [
            ADCODE_HEADER,
            adcode_row("510100000000", "510000000000", "成都市", "city"),
            adcode_row("51010700000", "510100000000", "武侯区", "county"),
        ]
    )
    with pytest.raises(DivisionFormatError) as excinfo:
        parse_text(text)
    assert str(excinfo.value) == "第3行：区划代码应为12位数字"


def test_error_raised_after_good_rows() -> None:
    """Rows before the bad one are still yielded (the parser streams)."""
    text = "\n".join(
        [
            ADCODE_HEADER,
            adcode_row("510100000000", "510000000000", "成都市", "city"),
            adcode_row("5101070000X0", "510100000000", "武侯区", "county"),
        ]
    )
    iterator = parse_divisions(io.StringIO(text))
    assert next(iterator).name == "成都市"
    with pytest.raises(DivisionFormatError, match="^第3行：区划代码应为12位数字$"):
        next(iterator)


def test_bad_parent_code_names_row() -> None:
    """A malformed parent code is reported with its line number."""
    text = ADCODE_HEADER + "\n" + adcode_row("510107000000", "5101", "武侯区", "county")
    with pytest.raises(DivisionFormatError) as excinfo:
        parse_text(text)
    assert str(excinfo.value) == "第2行：上级区划代码应为12位数字"


def test_bad_street_code_names_row() -> None:
    """A 2022 street code that is not 9 digits is reported with its line number."""
    text = "code,name,areaCode,provinceCode,cityCode\n510107001,浆洗街街道,510107,51,5101\n51010700,x,510107,51,5101\n"
    with pytest.raises(DivisionFormatError) as excinfo:
        parse_text(text)
    assert str(excinfo.value) == "第3行：区划代码应为9位数字"


def test_bad_district_code_names_row() -> None:
    """A 2022 district code that is not 6 digits is reported with its line number."""
    with pytest.raises(DivisionFormatError) as excinfo:
        parse_text("code,name,cityCode,provinceCode\n51010,武侯区,5101,51\n")
    assert str(excinfo.value) == "第2行：区划代码应为6位数字"


def test_unknown_level_names_row() -> None:
    """A level outside province/city/county/town/village is reported."""
    with pytest.raises(DivisionFormatError) as excinfo:
        parse_text(ADCODE_HEADER + "\n" + adcode_row("510107000000", "510100000000", "武侯区", "district"))
    assert str(excinfo.value) == "第2行：未知的区划级别“district”"


def test_bad_coordinate_names_row() -> None:
    """A non-numeric longitude is reported."""
    with pytest.raises(DivisionFormatError) as excinfo:
        parse_text(ADCODE_HEADER + "\n" + adcode_row("510107000000", "510100000000", "武侯区", "county", lng="东经"))
    assert str(excinfo.value) == "第2行：经纬度“东经”无效"


def test_wrong_column_count_names_row() -> None:
    """A row with fewer cells than the header is reported."""
    with pytest.raises(DivisionFormatError) as excinfo:
        parse_text("code,name,cityCode,provinceCode\n510107,武侯区,5101\n")
    assert str(excinfo.value) == "第2行：应有4列，实际为3列"


def test_empty_name_names_row() -> None:
    """A row without a name is reported."""
    with pytest.raises(DivisionFormatError) as excinfo:
        parse_text('code,name,cityCode,provinceCode\n510107,"",5101,51\n')
    assert str(excinfo.value) == "第2行：区划名称为空"


def test_division_format_error_is_value_error() -> None:
    """Callers catching ValueError also catch DivisionFormatError."""
    assert issubclass(DivisionFormatError, ValueError)


# --- shipped fixtures -------------------------------------------------------------------------------


def test_shipped_wuhou_fixture_counts() -> None:
    """The shipped 2016 fixture holds 成都市, 武侯区, 17 streets and 128 communities."""
    records = list(parse_divisions(FIXTURES_DIR / "wuhou_510107_2016.csv"))
    assert Counter(r.level for r in records) == {"city": 1, "district": 1, "street": 17, "community": 128}
    assert records[0].code == "510100000000"


def test_shipped_wuhou_fixture_matches_source(adcode_2016: Path, wuhou_2016: list[DivisionRecord]) -> None:
    """The fixture's rows are byte-identical to the source rows and parse to the same 武侯区 subtree."""
    fixture = FIXTURES_DIR / "wuhou_510107_2016.csv"
    source_lines = adcode_2016.read_bytes().splitlines()
    fixture_lines = fixture.read_bytes().splitlines()
    assert fixture_lines[0] == source_lines[0]
    expected = [line for line in source_lines[1:] if line.startswith((b"510100000000,", b"510107"))]
    assert fixture_lines[1:] == expected
    assert list(parse_divisions(fixture, root_code=WUHOU)) == wuhou_2016


@pytest.mark.parametrize("name", ["chengdu_districts_2022.csv", "chengdu_streets_2022.csv"])
def test_shipped_2022_fixtures_are_copies(data_dir: Path, name: str) -> None:
    """The shipped 2022 lists are unchanged copies of the shared files."""
    assert (FIXTURES_DIR / name).read_bytes() == (data_dir / name).read_bytes()


def test_shipped_2022_fixtures_parse() -> None:
    """The shipped 2022 lists parse to 20 districts and 261 streets (15 in 武侯区)."""
    assert len(list(parse_divisions(FIXTURES_DIR / "chengdu_districts_2022.csv"))) == 20
    streets = list(parse_divisions(FIXTURES_DIR / "chengdu_streets_2022.csv"))
    assert len(streets) == 261
    assert sum(r.parent_code == WUHOU for r in streets) == 15


def test_attribution_names_sources_and_licences() -> None:
    """ATTRIBUTION.md credits both sources with their commits and licences."""
    text = (FIXTURES_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for needle in (
        "https://github.com/Vonng/adcode",
        "b755d6e4abca8e0d309728abc9ad4b100dacc685",
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        "modood/Administrative-divisions-of-China",
        "57a0aa9cef47169a2eb74cf057b0245052a34e8c",
        "WTFPL",
    ):
        assert needle in text
