"""Find an imported row's dwelling among the community's places, and say plainly why one is not found (issue 13).

Rules encoded here:

- An address (小区, 楼栋, 单元, 房号) is matched loosely: spaces and full-width forms are ignored, "1栋", "1" and
  "第1单元" name the same place, a room "301" also finds dwelling "1-301". A key that fits several places is
  ambiguous, never guessed.
- When nothing is found the row's problem names what the register does hold, so the worker can correct the
  file: an unknown compound names the community's compounds, an unknown building the compound's buildings,
  an unknown unit or dwelling the building's layout ("该楼栋有 1–3 单元，1–18 层，每层 01–04 室").
- A dwelling missing from a known unit (or from the only unit of a building, when the row names no unit) may
  be created from the import: its floor is read from the room number (301 → 3, 1203 → 12) and must lie within
  the building's floors; its number follows the unit's numbering ("1-302" when the unit's dwellings are
  written "1-301"). Anything less certain is reported, never created.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from statistics import median
from typing import Any

from django.utils.translation import gettext as _

from shequ.territory.models import Building, BuildingUnit, Compound, Dwelling

MAX_NAMES = 20  # places named in one message

_SPACES_RE = re.compile(r"\s+")
_NUMBERED_RE = re.compile(r"(?:第)?0*(\d+)(?:栋|幢|号楼|号|楼|座|单元)?")
_ROOM_RE = re.compile(r"(\d{1,2})(\d{2})")  # 301 -> floor 3, room 01; 1203 -> floor 12, room 03


def norm(text: str | None) -> str:
    return _SPACES_RE.sub("", unicodedata.normalize("NFKC", text or "")).upper()


@lru_cache(maxsize=4096)
def place_keys(text: str | None) -> tuple[str, ...]:
    """Ways a building or unit may be written: "1栋", "1", "第1单元" all give "1"; the name itself too."""
    normalised = norm(text)
    keys = [normalised] if normalised else []
    match = _NUMBERED_RE.fullmatch(normalised)
    if match and match.group(1) not in keys:
        keys.insert(0, match.group(1))
    return tuple(keys)


def room_keys(text: str | None) -> list[str]:
    """A room written "301" also finds dwelling "1-301" (the unit prefix used by many registers)."""
    normalised = norm(text)
    keys = [normalised] if normalised else []
    if "-" in normalised:
        tail = normalised.rsplit("-", 1)[1]
        if tail and tail not in keys:
            keys.append(tail)
    return keys


def room_floor(room: str) -> tuple[int, str] | None:
    """(floor, room on the floor) read from a room number: "301" → (3, "01"), "1-1203" → (12, "03")."""
    match = _ROOM_RE.fullmatch(norm(room).rsplit("-", 1)[-1])
    if match is None or int(match.group(1)) == 0:
        return None
    return int(match.group(1)), match.group(2)


def spans(numbers: Iterable[int], width: int = 0) -> str:
    """Numbers written compactly: 1, 2, 3, 5 → "1–3、5" (zero-padded to `width`)."""
    values = sorted(set(numbers))
    parts: list[str] = []
    start = previous = None
    for n in [*values, None]:
        if n is not None and previous is not None and n == previous + 1:
            previous = n
            continue
        if start is not None:
            a, b = f"{start:0{width}d}", f"{previous:0{width}d}"
            parts.append(a if start == previous else f"{a}–{b}")
        start = previous = n
    return "、".join(parts)


def _names(names: list[str]) -> str:
    shown = "、".join(names[:MAX_NAMES])
    if len(names) > MAX_NAMES:
        shown += _("等 %(n)s 处") % {"n": len(names)}
    return shown or _("（无）")


@dataclass
class _Building:
    pk: int
    compound_id: int
    floors: int
    label: str
    units: dict[int, int] = field(default_factory=dict)  # unit id -> unit number
    unit_prefixed: set[int] = field(default_factory=set)  # units whose dwellings are numbered "<unit>-<room>"
    dwelling_floors: set[int] = field(default_factory=set)
    rooms_per_floor: set[int] = field(default_factory=set)
    areas: dict[tuple[int, str], list[Decimal]] = field(default_factory=dict)  # (unit id, room on floor) -> areas

    @property
    def top_floor(self) -> int:
        return max([self.floors, *self.dwelling_floors])

    def layout(self) -> str:
        """The building's units, floors and rooms per floor, e.g. "该楼栋有 1–3 单元，1–18 层，每层 01–04 室"."""
        if not self.units:
            return _("该楼栋尚未登记单元和房屋")
        units = spans(self.units.values())
        if not self.dwelling_floors:
            return _("该楼栋有 %(units)s 单元，尚未登记房屋") % {"units": units}
        floors = spans(range(min(1, *self.dwelling_floors), self.top_floor + 1))
        if not self.rooms_per_floor:
            return _("该楼栋有 %(units)s 单元，%(floors)s 层") % {"units": units, "floors": floors}
        rooms = spans(self.rooms_per_floor, 2)
        return _("该楼栋有 %(units)s 单元，%(floors)s 层，每层 %(rooms)s 室") % {
            "units": units,
            "floors": floors,
            "rooms": rooms,
        }


@dataclass(frozen=True)
class Proposal:
    """A dwelling the import may create: where, its number and floor (kept in the row's error, JSON)."""

    building: int
    unit: int
    number: str
    floor: int

    def as_json(self) -> dict[str, Any]:
        return {"building": self.building, "unit": self.unit, "number": self.number, "floor": self.floor}


@dataclass(frozen=True)
class Located:
    """What an address names: a dwelling's id, or a problem (message) and, maybe, a dwelling to create."""

    dwelling_id: int | None = None
    message: str = ""
    proposal: Proposal | None = None


class DwellingIndex:
    """The community's places by (小区, 楼栋, 单元, 房号), each part matched loosely.

    Buildings are keyed by compound and number or name, units by building and number or name, dwellings by
    unit (or, when no unit is written, by building) and room. A key that fits several places is AMBIGUOUS.
    """

    AMBIGUOUS = -1

    def __init__(self, community_id: int) -> None:
        self.compounds: dict[str, int] = {}
        self.compound_names: dict[int, str] = {}
        self.buildings: dict[tuple[str, str], int] = {}
        self.building_info: dict[int, _Building] = {}
        self.units: dict[tuple[int, str], int] = {}
        self.by_unit: dict[tuple[int, str], int] = {}
        self.by_building: dict[tuple[int, str], int] = {}
        for pk, name in Compound.objects.filter(community_id=community_id).order_by("name").values_list("id", "name"):
            self._add(self.compounds, norm(name), pk)
            self.compound_names[pk] = name
        for pk, number, name, compound_id, compound, floors in (
            Building.objects.filter(compound__community_id=community_id)
            .order_by("compound_id", "number")
            .values_list("id", "number", "name", "compound_id", "compound__name", "floors")
        ):
            self.building_info[pk] = _Building(pk, compound_id, floors, name or str(number))
            for key in {str(number), *place_keys(name)}:
                self._add(self.buildings, (norm(compound), key), pk)
        for pk, building_id, number, name in BuildingUnit.objects.filter(
            building__compound__community_id=community_id
        ).values_list("id", "building_id", "number", "name"):
            self.building_info[building_id].units[pk] = number
            for key in {str(number), *place_keys(name)}:
                self._add(self.units, (building_id, key), pk)
        for pk, unit_id, building_id, room, floor, area in Dwelling.objects.filter(
            building__compound__community_id=community_id
        ).values_list("id", "unit_id", "building_id", "number", "floor", "floor_area"):
            for key in room_keys(room):
                self._add(self.by_unit, (unit_id, key), pk)
                self._add(self.by_building, (building_id, key), pk)
            info = self.building_info[building_id]
            info.dwelling_floors.add(floor)
            if norm(room).startswith(f"{info.units.get(unit_id)}-"):
                info.unit_prefixed.add(unit_id)
            parsed = room_floor(room)
            if parsed is not None and parsed[0] == floor:
                info.rooms_per_floor.add(int(parsed[1]))
                info.areas.setdefault((unit_id, parsed[1]), []).append(area)
            info.areas.setdefault((unit_id, ""), []).append(area)

    def _add(self, index: dict[Any, int], key: Any, pk: int) -> None:
        found = index.get(key)
        index[key] = pk if found in (None, pk) else self.AMBIGUOUS

    def _first(self, index: dict[Any, int], keys: Iterable[Any]) -> int | None:
        return next((index[k] for k in keys if k in index), None)

    def find(self, compound: str | None, building: str | None, unit: str | None, room: str | None) -> int | None:
        """The dwelling's id, AMBIGUOUS when several match, None when none does."""
        located = self.locate(compound, building, unit, room, address="")
        if located.dwelling_id is not None:
            return located.dwelling_id
        return self.AMBIGUOUS if located.message == "ambiguous" else None

    def locate(
        self, compound: str | None, building: str | None, unit: str | None, room: str | None, *, address: str
    ) -> Located:
        """The dwelling an address names, else the problem in words (naming what exists) and maybe a proposal.

        `address` is the address as shown in the report (masked). With an empty `address` the message of an
        ambiguous address is the bare word "ambiguous" (for `find`).
        """
        c = norm(compound)
        building_id = self._first(self.buildings, [(c, k) for k in place_keys(building)])
        if building_id == self.AMBIGUOUS:
            return self._ambiguous(address)
        if building_id is None:
            return Located(message=self._unknown_building(c, address))
        info = self.building_info[building_id]
        rooms = room_keys(room)
        if not norm(unit):
            found = self._first(self.by_building, [(building_id, r) for r in rooms])
            if found == self.AMBIGUOUS:
                return self._ambiguous(address)
            if found is not None:
                return Located(dwelling_id=found)
            only = next(iter(info.units)) if len(info.units) == 1 else None
            return self._missing(info, only, room, address)
        unit_id = self._first(self.units, [(building_id, k) for k in place_keys(unit)])
        if unit_id == self.AMBIGUOUS:
            return self._ambiguous(address)
        if unit_id is None:
            message = _("单元在该楼栋中找不到：%(address)s；%(layout)s") % {"address": address, "layout": info.layout()}
            return Located(message=message)
        found = self._first(self.by_unit, [(unit_id, r) for r in rooms])
        if found == self.AMBIGUOUS:
            return self._ambiguous(address)
        if found is not None:
            return Located(dwelling_id=found)
        return self._missing(info, unit_id, room, address)

    def _ambiguous(self, address: str) -> Located:
        if not address:
            return Located(message="ambiguous")
        return Located(message=_("地址对应多套房屋，请填写单元：%(address)s") % {"address": address})

    def _unknown_building(self, compound: str, address: str) -> str:
        compound_id = self.compounds.get(compound)
        if compound_id is None or compound_id == self.AMBIGUOUS:
            names = list(dict.fromkeys(self.compound_names.values()))
            return _("小区在本社区找不到：%(address)s；本社区的小区有：%(names)s") % {
                "address": address,
                "names": _names(names),
            }
        names = [b.label for b in self.building_info.values() if b.compound_id == compound_id]
        return _("楼栋在该小区找不到：%(address)s；该小区的楼栋有：%(names)s") % {
            "address": address,
            "names": _names(names),
        }

    def _missing(self, info: _Building, unit_id: int | None, room: str | None, address: str) -> Located:
        message = _("房屋未登记：%(address)s；%(layout)s") % {"address": address, "layout": info.layout()}
        parsed = room_floor(room or "")
        if unit_id is None or parsed is None or not 1 <= parsed[0] <= info.top_floor:
            return Located(message=message)
        typed = norm(room)
        number = typed
        if "-" not in typed and unit_id in info.unit_prefixed:
            number = f"{info.units[unit_id]}-{typed}"
        if len(number) > (Dwelling._meta.get_field("number").max_length or 0):
            return Located(message=message)
        return Located(message=message, proposal=Proposal(info.pk, unit_id, number, parsed[0]))

    def exists(self, proposal: Proposal) -> bool:
        """True when the proposed dwelling is registered now (created meanwhile), or its place is gone."""
        info = self.building_info.get(proposal.building)
        if info is None or proposal.unit not in info.units:
            return True
        return self._first(self.by_unit, [(proposal.unit, k) for k in room_keys(proposal.number)]) is not None

    def suggested_area(self, proposal: Proposal) -> Decimal | None:
        """The floor area a new dwelling most likely has: the median of the same room on other floors of its
        unit, else of its unit, else of its building; None when the building has no dwelling yet."""
        info = self.building_info.get(proposal.building)
        if info is None:
            return None
        parsed = room_floor(proposal.number)
        same = info.areas.get((proposal.unit, parsed[1] if parsed else "~")) or info.areas.get((proposal.unit, ""))
        if not same:
            same = [a for (_unit, key), areas in info.areas.items() if key == "" for a in areas]
        return Decimal(median(same)).quantize(Decimal("0.01")) if same else None

    def describe(self, proposal: Proposal) -> str:
        """The new dwelling in words: "锦苑小区 1栋 1单元 1-302（3 层）"."""
        info = self.building_info[proposal.building]
        compound = self.compound_names.get(info.compound_id, "")
        unit = info.units.get(proposal.unit, "")
        return _("%(compound)s %(building)s %(unit)s单元 %(number)s（%(floor)s 层）") % {
            "compound": compound,
            "building": info.label,
            "unit": unit,
            "number": proposal.number,
            "floor": proposal.floor,
        }
