"""The case category tree (诉求分类) shipped as data: stable codes, loading, validation, search.

The tree lives in ``data/categories.csv`` (UTF-8, header
``code,parent_code,level,name,default_type,handling_level,resolve_days,keywords``) and has two parts:

* ``C01``..``C15``: the three-level category scheme of the 2020 TipDM "智慧政务" message board (15 first-level,
  118 second-level, 517 third-level categories; see ``data/SOURCE.md``). Codes were assigned once by
  ``generate_from_scheme`` in the scheme file's order: a first-level category gets ``Cnn`` in the order first
  seen, a second-level one ``Cnn-nn`` in the order first seen under its parent, a third-level one ``Cnn-nn-nnn``.
* ``S01``: 社区事务, the community-level categories written for shequ (停车, 噪音, 环境卫生, 旧房改造, 物业纠纷 …),
  with ``|``-separated keywords for the rule classifier.

Codes are Open311 ``service_code`` values: they never change and are never reused. New categories are only
ever appended with the next free number under their parent; a category that is no longer wanted is
deactivated in the database, not removed from the file.

Defaults of the scheme part (applied by ``generate_from_scheme``; the community part sets them row by row):

* ``default_type`` and ``handling_level`` come from the first-level theme (``SCHEME_FIRST_LEVEL_DEFAULTS``);
  a child inherits its parent's values unless its own name triggers an override:
  a name containing 纠纷/调解/仲裁 makes it a ``dispute``; a name naming wrongdoing (违章, 违法, 非法, 传销,
  贪污, 受贿, 骗购, 走私, 黄赌毒, 邪教, 打黑) makes it a ``report``; 基层选举和社区建设, 小区管理 and 物业服务
  are handled at ``community`` level.
* ``resolve_days`` is empty (the type's default deadline applies) and ``keywords`` are empty.

This module is pure Python (no Django, no ORM); the service layer seeds the database from it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "CASE_TYPES",
    "CSV_HEADER",
    "HANDLING_LEVELS",
    "SCHEME_FIRST_LEVEL_DEFAULTS",
    "SHIPPED_PATH",
    "CategoryEntry",
    "first_level_names",
    "generate_from_scheme",
    "index_by_code",
    "load_categories",
    "path_label",
    "search",
]

SHIPPED_PATH = Path(__file__).parent / "data" / "categories.csv"

CSV_HEADER = ("code", "parent_code", "level", "name", "default_type", "handling_level", "resolve_days", "keywords")

# The same values as shequ.cases.domain.CaseType and the escalation ladder (plus "department" for units
# outside the territory tree); repeated here so this module stays free of Django.
CASE_TYPES = ("enquiry", "help", "complaint", "report", "suggestion", "dispute")
HANDLING_LEVELS = ("micro_grid", "grid", "community", "street", "district", "department")

LABEL_SEPARATOR = " › "

# Code formats per level: a capital letter and two digits, then two digits, then three digits.
_CODE_PATTERNS = {
    1: re.compile(r"[A-Z]\d{2}"),
    2: re.compile(r"[A-Z]\d{2}-\d{2}"),
    3: re.compile(r"[A-Z]\d{2}-\d{2}-\d{3}"),
}

# --- rules for the scheme part -------------------------------------------------------------------------

SCHEME_PREFIX = "C"
SCHEME_HEADER = ("一级分类", "二级分类", "三级分类")

# First-level theme -> (default_type, handling_level). Matters residents raise about their surroundings and
# livelihood (city construction and management, civil affairs, rural affairs) are handled by the street
# (街道/乡镇); sector matters go to the competent department; discipline inspection is the district's
# 纪委监委. Complaints are the usual type; civil affairs and labour/social security are mostly requests
# for help; party and government affairs mostly suggestions; discipline inspection is reporting.
SCHEME_FIRST_LEVEL_DEFAULTS: dict[str, tuple[str, str]] = {
    "城乡建设": ("complaint", "street"),
    "党务政务": ("suggestion", "department"),
    "国土资源": ("complaint", "department"),
    "环境保护": ("complaint", "department"),
    "纪检监察": ("report", "district"),
    "交通运输": ("complaint", "department"),
    "经济管理": ("complaint", "department"),
    "科技与信息产业": ("complaint", "department"),
    "民政": ("help", "street"),
    "农村农业": ("complaint", "street"),
    "商贸旅游": ("complaint", "department"),
    "卫生计生": ("complaint", "department"),
    "政法": ("complaint", "department"),
    "教育文体": ("complaint", "department"),
    "劳动和社会保障": ("help", "department"),
}
# A first-level name missing from the table above (the scheme file changed) gets this.
SCHEME_FALLBACK_DEFAULTS = ("complaint", "department")

_DISPUTE_MARKERS = ("纠纷", "调解", "仲裁")
_REPORT_MARKERS = ("违章", "违法", "非法", "传销", "贪污", "受贿", "骗购", "走私", "黄赌毒", "邪教", "打黑")
_COMMUNITY_LEVEL_NAMES = frozenset({"基层选举和社区建设", "小区管理", "物业服务"})


@dataclass(frozen=True)
class CategoryEntry:
    """One node of the category tree, as stored in ``categories.csv``."""

    code: str
    parent_code: str
    level: int
    name: str
    default_type: str
    handling_level: str
    resolve_days: int | None
    keywords: tuple[str, ...]

    def as_row(self) -> list[str]:
        """Return the entry as a CSV row in ``CSV_HEADER`` order."""
        return [
            self.code,
            self.parent_code,
            str(self.level),
            self.name,
            self.default_type,
            self.handling_level,
            "" if self.resolve_days is None else str(self.resolve_days),
            "|".join(self.keywords),
        ]


# --- loading and validation ----------------------------------------------------------------------------


def load_categories(path: str | Path | None = None) -> list[CategoryEntry]:
    """Read and validate a category file (default: the shipped one); return the entries in file order.

    Raises ``ValueError`` naming the file line for: a wrong header or column count, a bad level, a code
    that does not fit its level or does not extend its parent's code, a duplicate code, a missing parent or
    one not exactly one level up, a duplicate name among siblings, an unknown ``default_type`` or
    ``handling_level``, a ``resolve_days`` that is not a positive integer, or an empty name.
    """
    if path is None:
        return list(_shipped())
    return _load(Path(path))


@lru_cache(maxsize=1)
def _shipped() -> tuple[CategoryEntry, ...]:
    return tuple(_load(SHIPPED_PATH))


def _load(path: Path) -> list[CategoryEntry]:
    entries: list[CategoryEntry] = []
    lines: dict[str, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != CSV_HEADER:
            raise ValueError(f"{path}: line 1: header must be {','.join(CSV_HEADER)}, got {header!r}")
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            entry = _parse_row(row, line)
            if entry.code in lines:
                raise ValueError(f"line {line}: duplicate code {entry.code} (first on line {lines[entry.code]})")
            lines[entry.code] = line
            entries.append(entry)

    by_code = index_by_code(entries)
    siblings: dict[tuple[str, str], str] = {}
    for entry in entries:
        line = lines[entry.code]
        if entry.level == 1:
            if entry.parent_code:
                raise ValueError(f"line {line}: first-level category {entry.code} must have no parent")
        else:
            parent = by_code.get(entry.parent_code)
            if parent is None:
                raise ValueError(f"line {line}: parent {entry.parent_code!r} of {entry.code} does not exist")
            if parent.level != entry.level - 1:
                raise ValueError(
                    f"line {line}: parent {parent.code} of {entry.code} has level {parent.level}, "
                    f"expected {entry.level - 1}"
                )
            if not entry.code.startswith(parent.code + "-"):
                raise ValueError(f"line {line}: code {entry.code} does not extend its parent's code {parent.code}")
        key = (entry.parent_code, entry.name)
        if key in siblings:
            raise ValueError(f"line {line}: name {entry.name!r} already used by sibling {siblings[key]}")
        siblings[key] = entry.code
    return entries


def _parse_row(row: list[str], line: int) -> CategoryEntry:
    if len(row) != len(CSV_HEADER):
        raise ValueError(f"line {line}: expected {len(CSV_HEADER)} columns, got {len(row)}")
    code, parent_code, level_text, name, default_type, handling_level, days_text, keywords_text = (
        cell.strip() for cell in row
    )
    try:
        level = int(level_text)
    except ValueError:
        raise ValueError(f"line {line}: level {level_text!r} is not a number") from None
    pattern = _CODE_PATTERNS.get(level)
    if pattern is None:
        raise ValueError(f"line {line}: level must be 1, 2 or 3, got {level}")
    if not pattern.fullmatch(code):
        raise ValueError(f"line {line}: code {code!r} does not have the format of a level-{level} code")
    if not name:
        raise ValueError(f"line {line}: category {code} has no name")
    if default_type not in CASE_TYPES:
        raise ValueError(f"line {line}: default_type {default_type!r} of {code} is not one of {CASE_TYPES}")
    if handling_level not in HANDLING_LEVELS:
        raise ValueError(f"line {line}: handling_level {handling_level!r} of {code} is not one of {HANDLING_LEVELS}")
    resolve_days: int | None = None
    if days_text:
        if not days_text.isdigit() or int(days_text) < 1:
            raise ValueError(f"line {line}: resolve_days {days_text!r} of {code} is not a positive integer")
        resolve_days = int(days_text)
    keywords = tuple(k.strip() for k in keywords_text.split("|") if k.strip()) if keywords_text else ()
    return CategoryEntry(code, parent_code, level, name, default_type, handling_level, resolve_days, keywords)


# --- queries ------------------------------------------------------------------------------------------


def index_by_code(entries: Iterable[CategoryEntry]) -> dict[str, CategoryEntry]:
    """Return ``{code: entry}``."""
    return {entry.code: entry for entry in entries}


def path_label(entries_by_code: Mapping[str, CategoryEntry], entry: CategoryEntry) -> str:
    """Return the entry's path from its first-level ancestor, e.g. ``"社区事务 › 停车管理 › 乱停乱放"``."""
    names = [entry.name]
    current = entry
    for _ in range(len(_CODE_PATTERNS)):  # at most two ancestors; also guards against a cyclic mapping
        if not current.parent_code:
            break
        parent = entries_by_code.get(current.parent_code)
        if parent is None:
            break
        names.append(parent.name)
        current = parent
    return LABEL_SEPARATOR.join(reversed(names))


def search(entries: Iterable[CategoryEntry], query: str) -> list[CategoryEntry]:
    """Return the categories whose name or a keyword contains ``query``, with their descendants, in file order.

    Descendants of a match are included so that a picker searching "停车" can offer 停车管理's third-level
    categories. Matching is a plain substring test (case-insensitive for Latin letters); an empty query
    matches nothing. Use ``path_label`` for the "一级 › 二级 › 三级" label of each result.
    """
    needle = query.strip().casefold()
    entries = list(entries)
    if not needle:
        return []
    matched: set[str] = set()
    for entry in entries:
        if needle in entry.name.casefold() or any(needle in k.casefold() for k in entry.keywords):
            matched.add(entry.code)
    by_code = index_by_code(entries)
    result = []
    for entry in entries:
        current: CategoryEntry | None = entry
        for _ in range(len(_CODE_PATTERNS)):  # the entry itself and at most two ancestors
            if current is None or current.code in matched:
                break
            current = by_code.get(current.parent_code)
        if current is not None and current.code in matched:
            result.append(entry)
    return result


def first_level_names() -> list[str]:
    """Return the names of the shipped first-level categories in file order (the 15 scheme ones, then 社区事务)."""
    return [entry.name for entry in _shipped() if entry.level == 1]


# --- generation of the scheme part ------------------------------------------------------------------------


def generate_from_scheme(scheme_path: str | Path) -> list[CategoryEntry]:
    """Build the ``C`` part of the tree from the scheme file (``一级分类,二级分类,三级分类``), deterministically.

    Codes follow first appearance in the file (see the module docstring); the result is ordered by code,
    each category followed by its children. This is how the shipped rows were made once; it stays here so a
    test can prove the shipped codes match the scheme. Never regenerate the shipped file from it: codes are
    appended, not reassigned.
    """
    path = Path(scheme_path)
    tree: dict[str, dict[str, list[str]]] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != SCHEME_HEADER:
            raise ValueError(f"{path}: line 1: header must be {','.join(SCHEME_HEADER)}, got {header!r}")
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            cells = [cell.strip() for cell in row]
            if len(cells) != 3 or not all(cells):
                raise ValueError(f"{path}: line {reader.line_num}: expected three non-empty names, got {row!r}")
            first, second, third = cells
            thirds = tree.setdefault(first, {}).setdefault(second, [])
            if third in thirds:
                raise ValueError(f"{path}: line {reader.line_num}: duplicate category {first}/{second}/{third}")
            thirds.append(third)

    entries: list[CategoryEntry] = []
    for i, (first, seconds) in enumerate(tree.items(), start=1):
        code1 = f"{SCHEME_PREFIX}{i:02d}"
        type1, level1 = SCHEME_FIRST_LEVEL_DEFAULTS.get(first, SCHEME_FALLBACK_DEFAULTS)
        entries.append(CategoryEntry(code1, "", 1, first, type1, level1, None, ()))
        for j, (second, thirds) in enumerate(seconds.items(), start=1):
            code2 = f"{code1}-{j:02d}"
            type2, level2 = _scheme_overrides(second, type1, level1)
            entries.append(CategoryEntry(code2, code1, 2, second, type2, level2, None, ()))
            for k, third in enumerate(thirds, start=1):
                type3, level3 = _scheme_overrides(third, type2, level2)
                entries.append(CategoryEntry(f"{code2}-{k:03d}", code2, 3, third, type3, level3, None, ()))
    return entries


def _scheme_overrides(name: str, inherited_type: str, inherited_level: str) -> tuple[str, str]:
    """Apply the name-based overrides of the module docstring to a child's inherited defaults."""
    default_type = inherited_type
    if any(marker in name for marker in _DISPUTE_MARKERS):
        default_type = "dispute"
    elif any(marker in name for marker in _REPORT_MARKERS):
        default_type = "report"
    handling_level = "community" if name in _COMMUNITY_LEVEL_NAMES else inherited_level
    return default_type, handling_level
