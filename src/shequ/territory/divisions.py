"""Parse official administrative division (行政区划) CSV files into plain records.

Division codes follow the 12-digit 统计用区划代码 of the National Bureau of Statistics (国家统计局):
2 digits province, 2 city, 2 county/district (the GB/T 2260 6-digit code), 3 township/street,
3 village/community. Shorter codes in some files are padded with zeros to 12 digits.

Supported formats, detected from the header row:

* ``adcode`` (Vonng/adcode, 2016 统计用区划代码): ``code,parent,name,level,rank,adcode,post_code,
  area_code,ur_code,municipality,virtual,dummy,longitude,latitude,center_wkb,province,city,county,
  town,village``. Levels map province -> skipped, city -> city, county -> district, town -> street,
  village -> community. Rows flagged ``virtual='t'`` (e.g. "市辖区") are placeholders, not real
  divisions: they are skipped and their children re-parented to the placeholder's parent. Records whose
  parent is a province get an empty parent code because provinces are not modelled. Coordinates are
  GCJ-02 as in the source.
* ``district`` (modood/Administrative-divisions-of-China, 2022 ``areas.csv``): ``code,name,cityCode,
  provinceCode`` with 6-digit district and 4-digit city codes.
* ``street`` (same source, 2022 ``streets.csv``): ``code,name,areaCode,provinceCode,cityCode`` with
  9-digit street and 6-digit district codes.

Input is UTF-8 with or without BOM; cells are stripped of whitespace and stray quotes. The parser is a
generator, so errors surface while iterating; it assumes parents precede their children, which holds for
the source files because they are sorted by code.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from django.utils.translation import gettext as _

__all__ = [
    "DivisionFormatError",
    "DivisionLevel",
    "DivisionRecord",
    "pad_division_code",
    "parse_divisions",
    "significant_prefix",
]

DivisionLevel = Literal["city", "district", "street", "community"]

_ADCODE_LEVELS: dict[str, DivisionLevel | None] = {
    "province": None,
    "city": "city",
    "county": "district",
    "town": "street",
    "village": "community",
}

# Columns each format needs; other columns in the header are ignored. Order matters for detection:
# a street file also carries every district-file column, so it must be tried first.
_FORMATS: dict[str, tuple[str, ...]] = {
    "adcode": ("code", "parent", "name", "level", "virtual", "longitude", "latitude", "ur_code"),
    "street": ("code", "name", "areaCode"),
    "district": ("code", "name", "cityCode"),
}

_DIGITS_RE = {length: re.compile(f"[0-9]{{{length}}}") for length in (4, 6, 9, 12)}
_PROVINCE_SUFFIX = "0" * 10


class DivisionFormatError(ValueError):
    """Report a division file that cannot be parsed; the message is user-facing (Chinese)."""


@dataclass(frozen=True)
class DivisionRecord:
    """One administrative division as read from a source file."""

    code: str
    parent_code: str
    name: str
    level: DivisionLevel
    lng: float | None = None
    lat: float | None = None
    urban_rural_code: str = ""


def pad_division_code(code: str) -> str:
    """Pad a 2-, 4-, 6-, 9- or 12-digit division code to 12 digits.

    Raises ``ValueError`` for anything else.
    """
    code = code.strip()
    if not re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12}", code):
        raise ValueError(_("区划代码应为2、4、6、9或12位数字：%(code)s") % {"code": repr(code)})
    return code.ljust(12, "0")


def significant_prefix(code: str) -> str:
    """Return the leading part of a 12-digit code that identifies the division and its descendants.

    Province 2, city 4, district 6, street 9, community 12 digits; e.g. "510107000000" -> "510107".
    """
    for length, tail in ((2, 10), (4, 8), (6, 6), (9, 3)):
        if code[length:] == "0" * tail:
            return code[:length]
    return code


def _clean(cell: str) -> str:
    """Strip whitespace and quotes that survive CSV parsing (e.g. from hand-edited files)."""
    return cell.strip().strip('"').strip()


def _text_lines(source: Iterable[str | bytes]) -> Iterator[str]:
    """Yield decoded lines from a text or binary line iterable, dropping a UTF-8 BOM."""
    for number, line in enumerate(source, start=1):
        if isinstance(line, bytes):
            try:
                text = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise DivisionFormatError(_("第%(line)s行：文件不是UTF-8编码") % {"line": number}) from None
        else:
            text = line
        if number == 1:
            text = text.removeprefix("\ufeff")
        yield text


def _detect_format(header: list[str]) -> tuple[str, dict[str, int]]:
    """Return the format name and a column-index map for ``header`` (column names case-insensitive)."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(name.lower(), index)
    missing_by_format = {
        fmt: [column for column in required if column.lower() not in positions] for fmt, required in _FORMATS.items()
    }
    for fmt, missing in missing_by_format.items():
        if not missing:
            return fmt, {column: positions[column.lower()] for column in _FORMATS[fmt]}
    # Name the columns of the closest format; min() keeps the first on ties, i.e. the detection order.
    closest = min(missing_by_format.values(), key=len)
    raise DivisionFormatError(_("无法识别的区划文件格式：缺少列 %(columns)s") % {"columns": "、".join(closest)})


def _parse_coordinate(value: str, line: int) -> float | None:
    """Return ``value`` as a float, None when empty, or raise for garbage."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise DivisionFormatError(_("第%(line)s行：经纬度“%(value)s”无效") % {"line": line, "value": value}) from None


def _require_digits(value: str, length: int, line: int, what: str) -> str:
    """Return ``value`` if it is exactly ``length`` digits, else raise a row-numbered error."""
    if not _DIGITS_RE[length].fullmatch(value):
        raise DivisionFormatError(
            _("第%(line)s行：%(what)s应为%(length)s位数字") % {"line": line, "what": what, "length": length}
        )
    return value


def _parse_lines(lines: Iterable[str]) -> Iterator[DivisionRecord]:
    """Yield records from decoded CSV lines, the first being the header."""
    reader = csv.reader(lines)
    try:
        header = [_clean(cell) for cell in next(reader)]
    except StopIteration:
        raise DivisionFormatError(_("无法识别的区划文件格式：文件为空")) from None
    fmt, col = _detect_format(header)

    # Maps the code of a skipped row (virtual placeholder or province) to the parent its children get.
    replaced_parents: dict[str, str] = {}

    for raw in reader:
        line = reader.line_num
        cells = [_clean(cell) for cell in raw]
        if not any(cells):
            continue
        if len(cells) != len(header):
            raise DivisionFormatError(
                _("第%(line)s行：应有%(expected)s列，实际为%(actual)s列")
                % {"line": line, "expected": len(header), "actual": len(cells)}
            )

        if fmt == "adcode":
            code = _require_digits(cells[col["code"]], 12, line, _("区划代码"))
            raw_level = cells[col["level"]]
            if raw_level not in _ADCODE_LEVELS:
                raise DivisionFormatError(
                    _("第%(line)s行：未知的区划级别“%(level)s”") % {"line": line, "level": raw_level}
                )
            level = _ADCODE_LEVELS[raw_level]
            if level is None:
                # Provinces are not modelled; their children become roots.
                replaced_parents[code] = ""
                continue
            parent = _require_digits(cells[col["parent"]], 12, line, _("上级区划代码"))
            parent = replaced_parents.get(parent, parent)
            if parent.endswith(_PROVINCE_SUFFIX):
                # The province row may be absent (single-city extracts); the rule must not depend on it.
                parent = ""
            if cells[col["virtual"]].lower() == "t":
                replaced_parents[code] = parent
                continue
            record = DivisionRecord(
                code=code,
                parent_code=parent,
                name=cells[col["name"]],
                level=level,
                lng=_parse_coordinate(cells[col["longitude"]], line),
                lat=_parse_coordinate(cells[col["latitude"]], line),
                urban_rural_code=cells[col["ur_code"]],
            )
        elif fmt == "street":
            code = _require_digits(cells[col["code"]], 9, line, _("区划代码"))
            parent = _require_digits(cells[col["areaCode"]], 6, line, _("上级区划代码"))
            record = DivisionRecord(
                code=pad_division_code(code),
                parent_code=pad_division_code(parent),
                name=cells[col["name"]],
                level="street",
            )
        else:
            code = _require_digits(cells[col["code"]], 6, line, _("区划代码"))
            parent = _require_digits(cells[col["cityCode"]], 4, line, _("上级区划代码"))
            record = DivisionRecord(
                code=pad_division_code(code),
                parent_code=pad_division_code(parent),
                name=cells[col["name"]],
                level="district",
            )
        if not record.name:
            raise DivisionFormatError(_("第%(line)s行：区划名称为空") % {"line": line})
        yield record


def parse_divisions(
    path_or_file: str | os.PathLike[str] | IO[str] | IO[bytes] | Iterable[str],
    *,
    root_code: str | None = None,
) -> Iterator[DivisionRecord]:
    """Return an iterator over the division records of a CSV file, in file order.

    ``path_or_file`` is a path or an open text or binary file (or any iterable of lines); a path is
    opened on first iteration and closed when the iterator is exhausted or closed. ``root_code`` (2, 4,
    6, 9 or 12 digits, padded to 12) restricts the output to that division and its descendants,
    recognised by the root's significant code prefix; an invalid ``root_code`` raises ``ValueError``
    immediately.

    While iterating, ``DivisionFormatError`` is raised for an unknown header or a malformed row; row
    errors name the 1-based line number in the file, the header being line 1.
    """
    prefix = significant_prefix(pad_division_code(root_code)) if root_code is not None else ""
    if isinstance(path_or_file, str | os.PathLike):
        return _parse_path(Path(path_or_file), prefix)
    return _filtered(path_or_file, prefix)


def _parse_path(path: Path, prefix: str) -> Iterator[DivisionRecord]:
    """Open ``path`` in binary mode (so a BOM is handled in one place) and parse it."""
    with path.open("rb") as handle:
        yield from _filtered(handle, prefix)


def _filtered(source: Iterable[str | bytes], prefix: str) -> Iterator[DivisionRecord]:
    """Parse ``source`` and keep records whose code starts with ``prefix``."""
    for record in _parse_lines(_text_lines(source)):
        if record.code.startswith(prefix):
            yield record
