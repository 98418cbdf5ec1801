"""Tests for shequ.cases.categories: the shipped category tree, its stable codes, validation and search (no DB).

The scheme file lives in ``shared/data/messages`` beside the checkout. It is guaranteed on CI, so a missing
file fails these tests instead of skipping them.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from shequ.cases.categories import (
    CASE_TYPES,
    CSV_HEADER,
    HANDLING_LEVELS,
    SHIPPED_PATH,
    CategoryEntry,
    first_level_names,
    generate_from_scheme,
    index_by_code,
    load_categories,
    path_label,
    search,
)
from shequ.core.tests.shared_data import SHARED_DATA

SCHEME_PATH = SHARED_DATA / "messages" / "category_scheme.csv"
COMMUNITY_ROOT = "社区事务"


@pytest.fixture(scope="module")
def scheme_path() -> Path:
    """Return the path of the shared scheme file, failing (not skipping) when it is absent."""
    assert SCHEME_PATH.is_file(), f"category scheme missing: {SCHEME_PATH} (required on CI)"
    return SCHEME_PATH


@pytest.fixture(scope="module")
def scheme_rows(scheme_path: Path) -> list[tuple[str, str, str]]:
    """Return the scheme's (一级, 二级, 三级) rows, read independently of the module under test."""
    with scheme_path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        assert next(reader) == ["一级分类", "二级分类", "三级分类"]
        return [(a.strip(), b.strip(), c.strip()) for a, b, c in reader]


@pytest.fixture(scope="module")
def entries() -> list[CategoryEntry]:
    """Return the shipped category tree."""
    return load_categories()


@pytest.fixture(scope="module")
def by_code(entries: list[CategoryEntry]) -> dict[str, CategoryEntry]:
    """Return the shipped tree indexed by code."""
    return index_by_code(entries)


def _write(tmp_path: Path, *rows: str, header: str = ",".join(CSV_HEADER)) -> Path:
    path = tmp_path / "categories.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


# --- the shipped file -------------------------------------------------------------------------------------


def test_shipped_file_loads_with_expected_counts(entries: list[CategoryEntry]) -> None:
    """The shipped file validates and holds 15/118/517 scheme categories plus the 社区事务 group."""
    counts = Counter((e.code[0], e.level) for e in entries)
    assert counts[("C", 1)] == 15
    assert counts[("C", 2)] == 118
    assert counts[("C", 3)] == 517
    assert counts[("S", 1)] == 1
    assert counts[("S", 2)] >= 10
    assert SHIPPED_PATH.read_bytes().startswith(",".join(CSV_HEADER).encode())


def test_default_path_is_the_shipped_file(entries: list[CategoryEntry]) -> None:
    """Loading without a path and loading the shipped path explicitly give the same entries."""
    assert load_categories(SHIPPED_PATH) == entries


def test_first_level_names_are_the_scheme_ones_plus_community(scheme_rows: list[tuple[str, str, str]]) -> None:
    """The first level is exactly the scheme's 15 names, in the scheme's order, then 社区事务."""
    scheme_first = list(dict.fromkeys(row[0] for row in scheme_rows))
    assert len(scheme_first) == 15
    names = first_level_names()
    assert set(names) == set(scheme_first) | {COMMUNITY_ROOT}
    assert names == [*scheme_first, COMMUNITY_ROOT]


def test_every_scheme_row_appears_once_with_its_parents(
    scheme_rows: list[tuple[str, str, str]], entries: list[CategoryEntry], by_code: dict[str, CategoryEntry]
) -> None:
    """Each (一级, 二级, 三级) row of the scheme is exactly one third-level category under the right parents."""
    paths = Counter(
        tuple(path_label(by_code, e).split(" › ")) for e in entries if e.level == 3 and e.code.startswith("C")
    )
    assert len(scheme_rows) == 517
    for row in scheme_rows:
        assert paths[row] == 1, row
    assert sum(paths.values()) == len(scheme_rows)


def test_codes_are_unique_and_extend_their_parents(
    entries: list[CategoryEntry], by_code: dict[str, CategoryEntry]
) -> None:
    """Codes are unique; every child's code is its parent's code plus a numbered suffix, one level down."""
    assert len(by_code) == len(entries)
    for e in entries:
        if e.level == 1:
            assert e.parent_code == ""
        else:
            parent = by_code[e.parent_code]
            assert parent.level == e.level - 1
            assert e.code.startswith(parent.code + "-")


def test_scheme_part_equals_regeneration(scheme_path: Path, entries: list[CategoryEntry]) -> None:
    """Regenerating from the scheme gives the shipped scheme rows exactly: codes, order and defaults."""
    shipped = [e for e in entries if e.code.startswith("C")]
    assert generate_from_scheme(scheme_path) == shipped
    assert generate_from_scheme(scheme_path) == generate_from_scheme(scheme_path)


def test_known_codes_are_stable(by_code: dict[str, CategoryEntry]) -> None:
    """A few codes are pinned: they are Open311 service codes and must never move."""
    assert by_code["C01"].name == "城乡建设"
    assert by_code["C01-01-001"].name == "事故处理"
    assert by_code["C15"].name == "劳动和社会保障"
    assert by_code["S01"].name == COMMUNITY_ROOT
    assert by_code["S01-01"].name == "停车管理"
    assert by_code["S01-02"].name == "噪音"
    assert by_code["S01-03"].name == "环境卫生"
    assert by_code["S01-04"].name == "旧房改造"
    assert by_code["S01-05"].name == "物业纠纷"


def test_scheme_rows_have_no_keywords_or_deadline_override(entries: list[CategoryEntry]) -> None:
    """Scheme rows carry only names and rule-based defaults: no keywords, no resolve_days."""
    for e in entries:
        if e.code.startswith("C"):
            assert e.keywords == ()
            assert e.resolve_days is None


def test_community_categories_have_keywords(entries: list[CategoryEntry]) -> None:
    """Every second- and third-level community category has keywords for the rule classifier."""
    community = [e for e in entries if e.code.startswith("S") and e.level > 1]
    assert community
    for e in community:
        assert e.keywords, e.code
        assert all(k and "|" not in k for k in e.keywords)


def test_documented_defaults(by_code: dict[str, CategoryEntry]) -> None:
    """Spot checks of the documented default_type and handling_level rules."""
    assert by_code["S01-05"].default_type == "dispute"  # 物业纠纷
    assert by_code["S01-06"].default_type == "dispute"  # 邻里纠纷
    assert by_code["S01-07"].default_type == "report"  # 违章搭建
    assert by_code["C05"].default_type == "report"  # 纪检监察
    assert by_code["C01"].handling_level == "street"
    assert {e.handling_level for e in by_code.values() if e.code.startswith("S")} <= {
        "micro_grid",
        "grid",
        "community",
        "street",
    }


def test_allowed_values_match_the_case_domain() -> None:
    """The allowed default types are the cases domain's types, and the levels include the escalation ladder."""
    from shequ.cases.domain import ESCALATION_LADDER, CaseType

    assert set(CASE_TYPES) == {t.value for t in CaseType}
    assert set(ESCALATION_LADDER) <= set(HANDLING_LEVELS)


# --- search and labels ---------------------------------------------------------------------------------


def test_search_parking_finds_category_and_children(
    entries: list[CategoryEntry], by_code: dict[str, CategoryEntry]
) -> None:
    """search("停车") finds 停车管理 and all its third-level categories."""
    found = {e.code for e in search(entries, "停车")}
    parking = by_code["S01-01"]
    children = {e.code for e in entries if e.parent_code == parking.code}
    assert {"乱停乱放", "车位纠纷", "非机动车充电"} == {by_code[c].name for c in children}
    assert {parking.code, *children} <= found


def test_search_by_keyword_and_file_order(entries: list[CategoryEntry]) -> None:
    """A keyword alone finds its category; results keep file order; an empty query finds nothing."""
    found = search(entries, "飞线充电")
    assert [e.name for e in found] == ["非机动车充电"]
    results = search(entries, "纠纷")
    assert [e.code for e in results] == sorted(e.code for e in results)
    assert search(entries, "  ") == []
    assert search(entries, "不存在的分类名") == []


def test_path_label(by_code: dict[str, CategoryEntry]) -> None:
    """path_label joins the ancestors' names with " › " from the first level down."""
    assert path_label(by_code, by_code["S01-01-001"]) == "社区事务 › 停车管理 › 乱停乱放"
    assert path_label(by_code, by_code["C01-01"]) == "城乡建设 › 安全生产"
    assert path_label(by_code, by_code["C01"]) == "城乡建设"


# --- validation ------------------------------------------------------------------------------------------

GOOD = [
    "X01,,1,甲,complaint,street,,",
    "X01-01,X01,2,乙,help,grid,5,a|b",
    "X01-01-001,X01-01,3,丙,dispute,community,,",
]


def test_valid_small_file_loads(tmp_path: Path) -> None:
    """A small well-formed file loads with parsed levels, deadlines and keywords."""
    loaded = load_categories(_write(tmp_path, *GOOD))
    assert [e.code for e in loaded] == ["X01", "X01-01", "X01-01-001"]
    assert loaded[1].resolve_days == 5
    assert loaded[1].keywords == ("a", "b")
    assert loaded[0].resolve_days is None


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([*GOOD, "X01,,1,丁,complaint,street,,"], "line 5: duplicate code X01"),
        ([*GOOD, "X01-02,X09,2,丁,complaint,street,,"], "line 5: parent 'X09'"),
        (
            [*GOOD, "X02,,1,丁,complaint,street,,", "X01-02,X02,2,戊,complaint,street,,"],
            "line 6: code X01-02 does not extend",
        ),
        ([*GOOD, "X01-02-001,X01,3,丁,complaint,street,,"], "line 5: parent X01 of X01-02-001 has level 1"),
        ([*GOOD, "X1-02,X01,2,丁,complaint,street,,"], "line 5: code 'X1-02'"),
        ([*GOOD, "X01-02,X01,2,丁,praise,street,,"], "line 5: default_type 'praise'"),
        ([*GOOD, "X01-02,X01,2,丁,complaint,city,,"], "line 5: handling_level 'city'"),
        ([*GOOD, "X01-02,X01,2,丁,complaint,street,0,"], "line 5: resolve_days '0'"),
        ([*GOOD, "X01-02,X01,4,丁,complaint,street,,"], "line 5: level must be"),
        ([*GOOD, "X01-02,X01,2,乙,complaint,street,,"], "line 5: name '乙' already used"),
        ([*GOOD, "X01-02,X01,2,丁,complaint"], "line 5: expected 8 columns"),
        (["X01,X00,1,甲,complaint,street,,"], "line 2: first-level category X01 must have no parent"),
    ],
)
def test_invalid_rows_raise_with_line_number(tmp_path: Path, rows: list[str], message: str) -> None:
    """Each kind of invalid row raises ValueError naming the line."""
    with pytest.raises(ValueError, match=message):
        load_categories(_write(tmp_path, *rows))


def test_wrong_header_raises(tmp_path: Path) -> None:
    """A file without the expected header is rejected on line 1."""
    with pytest.raises(ValueError, match="line 1: header"):
        load_categories(_write(tmp_path, *GOOD, header="code,name"))


def test_generator_is_deterministic_on_a_small_scheme(tmp_path: Path) -> None:
    """Codes follow first appearance; children inherit defaults; name rules set dispute and report."""
    scheme = tmp_path / "scheme.csv"
    scheme.write_text(
        "一级分类,二级分类,三级分类\n"
        "纪检监察,贪污贿赂,贪污\n"
        "城乡建设,城乡规划,违章建筑\n"
        "纪检监察,干部作风,官僚主义\n"
        "城乡建设,城乡规划,土地纠纷\n"
        "城乡建设,住房保障与房地产,物业服务\n",
        encoding="utf-8",
    )
    generated = {e.code: e for e in generate_from_scheme(scheme)}
    assert [(c, e.name) for c, e in generated.items()] == [
        ("C01", "纪检监察"),
        ("C01-01", "贪污贿赂"),
        ("C01-01-001", "贪污"),
        ("C01-02", "干部作风"),
        ("C01-02-001", "官僚主义"),
        ("C02", "城乡建设"),
        ("C02-01", "城乡规划"),
        ("C02-01-001", "违章建筑"),
        ("C02-01-002", "土地纠纷"),
        ("C02-02", "住房保障与房地产"),
        ("C02-02-001", "物业服务"),
    ]
    assert generated["C01-02-001"].default_type == "report"  # inherited from 纪检监察
    assert generated["C02-01"].default_type == "complaint"
    assert generated["C02-01-001"].default_type == "report"
    assert generated["C02-01-002"].default_type == "dispute"
    assert generated["C02-02-001"].handling_level == "community"
    assert generated["C02-01-001"].handling_level == "street"
