"""Match the rows of a resident import against the community's addresses and the register (issue 3).

Rules encoded here:

- An address (小区, 楼栋, 单元, 房号) is matched by import_places, whose message names what the register holds
  (the compound's buildings, the building's units, floors and rooms). A row with a partial address is invalid.
- A row whose only problem is a dwelling missing from a known building, and which import_places could place
  (WAITS_FOR_DWELLING), is staged invalid but keeps its encrypted values and address: once that dwelling is
  created from the import (imports.import_create_dwellings) `recheck_waiting` classifies it again. Such a row
  takes part in the file's duplicate and head-of-household checks as if it were valid.
- Rows are classified in file order: invalid, duplicate_in_file (the same document twice in the file: the
  later rows, each naming the earlier one, "与第 N 行证件号码重复"), elsewhere (registered in another
  community: reported without saying where), update (registered in this community) or create. A withdrawn
  resident is never restored by an import. A household has at most one 户主 in the file.
- Staged values are encrypted under ROW_PURPOSE; the reported values are masked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import crypto
from shequ.core.masking import mask_text

from . import columns, encryption
from .domain import IMPORT_APPLICABLE, IdType, LegalBasis, ResidentStatus, mask_document
from .import_places import DwellingIndex
from .models import ImportBatch, ImportRow, Resident, ValueAlias

LOOKUP_CHUNK = 2000  # hashes or ids per IN (...) query
ROW_PURPOSE = "registry.import.row"  # registered for key rotation in encryption.register_columns
WAITS_FOR_DWELLING = "dwelling_missing"  # the `code` of a row error that creating a dwelling would resolve


def msg_elsewhere() -> str:
    return _("该居民已在其他社区登记，请联系街道办事处")


# --- address ------------------------------------------------------------------------------------------


def _address_text(clean: dict[str, Any]) -> str:
    return " ".join(clean.get(k) or "" for k in ("compound", "building", "unit", "room") if clean.get(k))


# --- classification ----------------------------------------------------------------------------------


@dataclass
class StagedRow:
    row_number: int
    outcome: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    payload: dict[str, Any] | None = None
    id_hash: str = ""
    lookups: list[str] = field(default_factory=list)
    target_id: int | None = None


def row_error(column: str, value: str, message: str, key: str = "") -> dict[str, Any]:
    return {"column": column, "value": value, "message": message, "field": key}


def waits_for_dwelling(errors: Iterable[dict[str, Any]]) -> bool:
    """True when every problem of a row would be resolved by creating the dwelling it names."""
    errors = list(errors)
    return bool(errors) and all(e.get("code") == WAITS_FOR_DWELLING for e in errors)


def value_aliases() -> columns.Aliases:
    """The admins' table of other spellings (ValueAlias), as validate_row takes it."""
    return columns.alias_map(ValueAlias.objects.values_list("column", "alias", "value"))


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
        self.aliases = value_aliases()
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
            if s.outcome in IMPORT_APPLICABLE and s.errors:  # valid but for the missing dwelling: it waits
                s.outcome, s.target_id = "invalid", None
            self.counts[s.outcome] += 1
        self.processed += len(chunk)
        return staged

    def _check(self, raw: columns.RawRow) -> StagedRow:
        result = columns.validate_row(raw.values, today=self.today, aliases=self.aliases)
        errors = [row_error(e.column, e.value_masked, e.message, e.field) for e in result.errors]
        clean = result.clean
        dwelling_id = None
        address: dict[str, str] | None = None
        if clean is not None and any(clean.get(k) for k in ("compound", "building", "unit", "room")):
            shown = mask_text(_address_text(clean))
            if not (clean.get("compound") and clean.get("building") and clean.get("room")):
                errors.append(row_error(_("住址"), shown, _("地址不完整：请填写小区、楼栋和房号"), "room"))
            else:
                address = {k: clean.get(k) or "" for k in ("compound", "building", "unit", "room")}
                located = self.dwellings.locate(
                    clean["compound"], clean["building"], clean.get("unit"), clean["room"], address=shown
                )
                dwelling_id = located.dwelling_id
                if dwelling_id is None:
                    error = row_error(_("住址"), shown, located.message, "room")
                    if located.proposal is not None:
                        error.update(code=WAITS_FOR_DWELLING, dwelling=located.proposal.as_json())
                    errors.append(error)
        if clean is None or (errors and not waits_for_dwelling(errors)):
            return StagedRow(raw.row_number, "invalid", errors)
        given = {k for k, v in raw.values.items() if v}
        payload = staged_payload(clean, given, dwelling_id)
        if errors:  # waits for its dwelling: its address is kept to find that dwelling once created
            payload["address"] = address
        row = StagedRow(raw.row_number, "create", errors=errors, payload=payload)
        number = payload["id_number"]
        if number:
            row.id_hash = crypto.keyed_hash(number, purpose=encryption.ID_PURPOSE)
            first = self.seen.get(row.id_hash)
            if first is not None:
                row.outcome, row.payload = "duplicate_in_file", None
                row.errors = [
                    row_error(
                        _("证件号码"),
                        mask_document(number),
                        _("与第 %(row)s 行证件号码重复") % {"row": first},
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


def recheck_waiting(batch: ImportBatch) -> list[tuple[int, StagedRow]]:
    """Classify again the rows of `batch` that wait for a dwelling which now exists.

    Returns (ImportRow id, its new classification: create, update, elsewhere or invalid when the resident
    withdrew consent) for each such row; rows whose dwelling is still missing are left out. The duplicate and
    head-of-household checks of the file were made at validation, where waiting rows took part.
    """
    stager = Stager(batch)
    rows = (
        ImportRow.objects.filter(batch=batch, outcome="invalid")
        .exclude(payload_encrypted="")
        .order_by("row_number")
        .values_list("id", "row_number", "errors", "payload_encrypted")
    )
    found: list[tuple[int, StagedRow]] = []
    for pk, row_number, errors, ciphertext in rows.iterator(chunk_size=LOOKUP_CHUNK):
        if not waits_for_dwelling(errors or []):
            continue
        payload = json.loads(crypto.decrypt(ciphertext, purpose=ROW_PURPOSE))
        address = payload.get("address") or {}
        located = stager.dwellings.locate(
            address.get("compound"), address.get("building"), address.get("unit"), address.get("room"), address=""
        )
        if located.dwelling_id is None:
            continue
        payload.pop("address", None)
        payload["dwelling_id"] = located.dwelling_id
        row = StagedRow(row_number, "create", payload=payload)
        if payload["id_number"]:
            row.id_hash = crypto.keyed_hash(payload["id_number"], purpose=encryption.ID_PURPOSE)
            row.lookups = encryption.document_lookup_hashes(payload["id_number"])
        found.append((pk, row))
    stager._lookup_registered([r for _pk, r in found if r.lookups])
    return found


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
