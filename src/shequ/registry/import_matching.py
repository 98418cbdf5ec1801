"""Match the rows of a resident import against the community's addresses and the register (issue 3).

Rules encoded here:

- An address (小区, 楼栋, 单元, 房号) is matched loosely: spaces and full-width forms are ignored, "1栋", "1" and
  "第1单元" name the same place, a room "301" also finds dwelling "1-301". A key that fits several places is
  reported as ambiguous, never guessed. A row with a partial address is invalid.
- Rows are classified in file order: invalid, duplicate_in_file (the same document twice in the file: the
  later rows), elsewhere (registered in another community: reported without saying where), update
  (registered in this community) or create. A withdrawn resident is never restored by an import. A household
  has at most one 户主 in the file.
- Staged values are encrypted under ROW_PURPOSE; the reported values are masked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import crypto
from shequ.core.masking import mask_text
from shequ.territory.models import Building, BuildingUnit, Dwelling

from . import columns, encryption
from .domain import IMPORT_APPLICABLE, IdType, LegalBasis, ResidentStatus, mask_document
from .models import ImportBatch, Resident

LOOKUP_CHUNK = 2000  # hashes or ids per IN (...) query
ROW_PURPOSE = "registry.import.row"  # registered for key rotation in encryption.register_columns


def msg_elsewhere() -> str:
    return _("该居民已在其他社区登记，请联系街道办事处")


# --- address and household resolution -------------------------------------------------------------------

_SPACES_RE = re.compile(r"\s+")
_NUMBERED_RE = re.compile(r"(?:第)?0*(\d+)(?:栋|幢|号楼|号|楼|座|单元)?")


def _norm(text: str | None) -> str:
    return _SPACES_RE.sub("", unicodedata.normalize("NFKC", text or "")).upper()


@lru_cache(maxsize=4096)
def _place_keys(text: str | None) -> tuple[str, ...]:
    """Ways a building or unit may be written: "1栋", "1", "第1单元" all give "1"; the name itself too."""
    normalised = _norm(text)
    keys = [normalised] if normalised else []
    match = _NUMBERED_RE.fullmatch(normalised)
    if match and match.group(1) not in keys:
        keys.insert(0, match.group(1))
    return tuple(keys)


def _room_keys(text: str | None) -> list[str]:
    """A room written "301" also finds dwelling "1-301" (the unit prefix used by many registers)."""
    normalised = _norm(text)
    keys = [normalised] if normalised else []
    if "-" in normalised:
        tail = normalised.rsplit("-", 1)[1]
        if tail and tail not in keys:
            keys.append(tail)
    return keys


class DwellingIndex:
    """The community's dwellings by (小区, 楼栋, 单元, 房号), each part matched loosely.

    Buildings are keyed by compound and number or name, units by building and number or name, dwellings by
    unit (or, when no unit is written, by building) and room. A key that fits several places is AMBIGUOUS.
    """

    AMBIGUOUS = -1

    def __init__(self, community_id: int) -> None:
        self.buildings: dict[tuple[str, str], int] = {}
        self.units: dict[tuple[int, str], int] = {}
        self.by_unit: dict[tuple[int, str], int] = {}
        self.by_building: dict[tuple[int, str], int] = {}
        for pk, number, name, compound in Building.objects.filter(compound__community_id=community_id).values_list(
            "id", "number", "name", "compound__name"
        ):
            for key in {str(number), *_place_keys(name)}:
                self._add(self.buildings, (_norm(compound), key), pk)
        for pk, building_id, number, name in BuildingUnit.objects.filter(
            building__compound__community_id=community_id
        ).values_list("id", "building_id", "number", "name"):
            for key in {str(number), *_place_keys(name)}:
                self._add(self.units, (building_id, key), pk)
        for pk, unit_id, building_id, room in Dwelling.objects.filter(
            building__compound__community_id=community_id
        ).values_list("id", "unit_id", "building_id", "number"):
            for key in _room_keys(room):
                self._add(self.by_unit, (unit_id, key), pk)
                self._add(self.by_building, (building_id, key), pk)

    def _add(self, index: dict[Any, int], key: Any, pk: int) -> None:
        found = index.get(key)
        index[key] = pk if found in (None, pk) else self.AMBIGUOUS

    def _first(self, index: dict[Any, int], keys: Iterable[Any]) -> int | None:
        return next((index[k] for k in keys if k in index), None)

    def find(self, compound: str | None, building: str | None, unit: str | None, room: str | None) -> int | None:
        """The dwelling's id, AMBIGUOUS when several match, None when none does."""
        c = _norm(compound)
        building_id = self._first(self.buildings, [(c, k) for k in _place_keys(building)])
        if building_id is None or building_id == self.AMBIGUOUS:
            return building_id
        rooms = _room_keys(room)
        if not _norm(unit):
            return self._first(self.by_building, [(building_id, r) for r in rooms])
        unit_id = self._first(self.units, [(building_id, k) for k in _place_keys(unit)])
        if unit_id is None or unit_id == self.AMBIGUOUS:
            return unit_id
        return self._first(self.by_unit, [(unit_id, r) for r in rooms])


def _address_text(clean: dict[str, Any]) -> str:
    return " ".join(clean.get(k) or "" for k in ("compound", "building", "unit", "room") if clean.get(k))


# --- classification ----------------------------------------------------------------------------------


@dataclass
class StagedRow:
    row_number: int
    outcome: str
    errors: list[dict[str, str]] = field(default_factory=list)
    payload: dict[str, Any] | None = None
    id_hash: str = ""
    lookups: list[str] = field(default_factory=list)
    target_id: int | None = None


def row_error(column: str, value: str, message: str, key: str = "") -> dict[str, str]:
    return {"column": column, "value": value, "message": message, "field": key}


def staged_payload(clean: dict[str, Any], given: set[str], dwelling_id: int | None) -> dict[str, Any]:
    birth = clean.get("birth_date")
    return {
        "name": clean["name"],
        "gender": str(clean["gender"]) if clean.get("gender") else "",
        "birth_date": birth.isoformat() if birth else "",
        "id_type": str(clean.get("id_type") or IdType.NONE),
        "id_number": clean.get("id_number") or "",
        "mobile": clean.get("mobile") or "",
        "household_number": clean.get("household_number") or "",
        "relation": str(clean["relation"]) if clean.get("relation") else "",
        "dwelling_id": dwelling_id,
        "residence_type": str(clean.get("residence_type") or "permanent"),
        "legal_basis": str(clean.get("legal_basis") or LegalBasis.STATUTORY),
        "care_tags": list(clean.get("care_tags") or []),
        "notes": clean.get("notes") or "",
        "moved_in_on": clean["moved_in_on"].isoformat() if clean.get("moved_in_on") else "",
        "given": sorted(given),
    }


class Stager:
    """Classifies rows in file order: invalid, duplicate_in_file, elsewhere, update or create."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        self.community_id = batch.community_id
        self.today = timezone.localdate()
        self.dwellings = DwellingIndex(batch.community_id)
        self.seen: dict[str, int] = {}  # document hash -> first row number
        self.heads: dict[str, int] = {}  # household number -> row number of its 户主
        self.counts: dict[str, int] = dict.fromkeys(
            ("create", "update", "invalid", "duplicate_in_file", "elsewhere"), 0
        )
        self.processed = 0

    def classify(self, chunk: list[columns.RawRow]) -> list[StagedRow]:
        staged = [self._check(raw) for raw in chunk]
        self._lookup_registered([s for s in staged if s.outcome == "create" and s.lookups])
        for s in staged:
            if s.outcome in IMPORT_APPLICABLE:
                self._check_head(s)
            self.counts[s.outcome] += 1
        self.processed += len(chunk)
        return staged

    def _check(self, raw: columns.RawRow) -> StagedRow:
        result = columns.validate_row(raw.values, today=self.today)
        errors = [row_error(e.column, e.value_masked, e.message, e.field) for e in result.errors]
        clean = result.clean
        dwelling_id = None
        if clean is not None and any(clean.get(k) for k in ("compound", "building", "unit", "room")):
            address = mask_text(_address_text(clean))
            if not (clean.get("compound") and clean.get("building") and clean.get("room")):
                errors.append(row_error(_("住址"), address, _("地址不完整：请填写小区、楼栋和房号"), "room"))
            else:
                dwelling_id = self.dwellings.find(
                    clean["compound"], clean["building"], clean.get("unit"), clean["room"]
                )
                if dwelling_id is None:
                    errors.append(
                        row_error(
                            _("住址"), address, _("地址在本社区找不到：%(address)s") % {"address": address}, "room"
                        )
                    )
                elif dwelling_id == DwellingIndex.AMBIGUOUS:
                    errors.append(
                        row_error(
                            _("住址"),
                            address,
                            _("地址对应多套房屋，请填写单元：%(address)s") % {"address": address},
                            "room",
                        )
                    )
                    dwelling_id = None
        if errors or clean is None:
            return StagedRow(raw.row_number, "invalid", errors)
        given = {k for k, v in raw.values.items() if v}
        row = StagedRow(raw.row_number, "create", payload=staged_payload(clean, given, dwelling_id))
        number = row.payload["id_number"] if row.payload else ""
        if number:
            row.id_hash = crypto.keyed_hash(number, purpose=encryption.ID_PURPOSE)
            first = self.seen.get(row.id_hash)
            if first is not None:
                row.outcome, row.payload = "duplicate_in_file", None
                row.errors = [
                    row_error(
                        _("证件号码"),
                        mask_document(number),
                        _("文件内证件号码重复（与第%(row)s行相同）") % {"row": first},
                        "id_number",
                    )
                ]
            else:
                self.seen[row.id_hash] = raw.row_number
                row.lookups = encryption.document_lookup_hashes(number)
        return row

    def _lookup_registered(self, rows: list[StagedRow]) -> None:
        by_hash: dict[str, tuple[int, int, str]] = {}
        hashes = [h for r in rows for h in r.lookups]
        for part in chunked(hashes, LOOKUP_CHUNK):
            for h, pk, community_id, status in Resident.objects.filter(id_number_hash__in=part).values_list(
                "id_number_hash", "id", "community_id", "status"
            ):
                by_hash[h] = (pk, community_id, status)
        for r in rows:
            found = next((by_hash[h] for h in r.lookups if h in by_hash), None)
            if found is None:
                continue
            pk, community_id, status = found
            masked = mask_document(r.payload["id_number"]) if r.payload else ""
            if community_id != self.community_id:
                r.outcome, r.payload = "elsewhere", None
                r.errors = [row_error(_("证件号码"), masked, msg_elsewhere(), "id_number")]
            elif status == ResidentStatus.WITHDRAWN:
                r.outcome, r.payload = "invalid", None
                r.errors = [
                    row_error(_("证件号码"), masked, _("该居民已撤回同意，不能通过导入恢复其信息"), "id_number")
                ]
            else:
                r.outcome, r.target_id = "update", pk

    def _check_head(self, s: StagedRow) -> None:
        assert s.payload is not None
        household = s.payload["household_number"]
        if s.payload["relation"] != "head" or not household:
            return
        first = self.heads.get(household)
        if first is None:
            self.heads[household] = s.row_number
            return
        s.outcome, s.payload, s.target_id = "invalid", None, None
        s.errors = [
            row_error(
                _("与户主关系"),
                _("户主"),
                _("同一户（户号 %(number)s）已有户主（第%(row)s行）") % {"number": mask_text(household), "row": first},
                "relation",
            )
        ]


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
