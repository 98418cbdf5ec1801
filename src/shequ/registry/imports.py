"""Import residents from a spreadsheet: upload, validate in the background, report, apply when confirmed.

Rules encoded here (issue 3 "Excel import"; PIPL §28, §51; DESIGN R11):

- Nothing is imported until a user confirms. Validation stages every row (ImportRow) and the report shows
  row number, column, masked value and what is wrong; the user then chooses "全部有效才导入"
  (all_or_nothing: refused while any row is invalid, duplicated in the file or registered elsewhere) or
  "只导入有效行" (valid_only: the create and update rows). Either way the chosen rows are applied in ONE
  transaction: an error midway leaves none of them applied, and the staged rows stay for a retry.
- The uploaded bytes are personal information: they are stored only encrypted under the active key and its
  cipher suite, AES-256-GCM or SM4-GCM (core.crypto.seal_blob, purpose FILE_PURPOSE) in
  MEDIA_ROOT/imports/<batch uuid>.bin, and deleted as soon as validation ends.
  A staged row's values are encrypted too (ROW_PURPOSE) and wiped once applied; errors hold masked values only.
- Scope: a batch belongs to one community chosen from the actor's import scope (registry.import).
- One person, one register entry city-wide (Resident.resident_document_unique): a document already
  registered in this community updates that resident; registered in another community, the row is reported
  "该居民已在其他社区登记，请联系街道办事处" without saying where, and is never overwritten. The check is made
  when validating and again when applying (a resident registered meanwhile).
- On update, empty cells never erase what the register holds: only the columns filled in are applied.
- Large files: all work runs in background tasks; staging commits per chunk of STAGE_CHUNK rows (short
  write transactions, visible progress). The apply prepares everything before opening its single
  transaction: decryption, the re-check, encryption, hashes and pinyin of the resident columns, and the
  SQL parameter rows of every INSERT/UPDATE, with the primary keys of new households and residents
  reserved beforehand (reserve_ids) so that every foreign key is known. The transaction then only runs
  `executemany` (measured in bench/bench_import.py: a fraction of a bare bulk_create of the same rows).
- Crash recovery (issue 10): a worker holds its step under a Lease. `attempt` on the batch is the fencing
  token: raised when validation starts, at every confirmation and by every recovery. The worker refreshes
  `heartbeat_at` at least every HEARTBEAT_SECONDS while it works (each staged chunk; while preparing an apply)
  and every write it makes (a chunk, the apply transaction, a failure) first checks its token under the
  batch's row lock, so a worker whose batch was taken over stops without writing. The apply's writes and
  its status change commit in one transaction: a worker killed midway applied nothing, one that committed
  left `applied`. Stale batches are picked up by import_recovery.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import time
import traceback
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit, crypto
from shequ.core.errors import InvalidTransition, ValidationError
from shequ.core.masking import mask_text
from shequ.core.permissions import require
from shequ.core.scoping import scope_of
from shequ.territory.models import Area, Building, BuildingUnit, Dwelling

from . import encryption, selectors, spreadsheets
from .domain import IdType, LegalBasis, ResidentStatus, mask_document
from .models import Household, ImportBatch, ImportRow, Residence, Resident, ResidentEvent, ResidentTag
from .permissions import IMPORT_ROLES

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = spreadsheets.MAX_ROWS
STAGE_CHUNK = 2000  # rows classified and written per validation transaction
APPLY_CHUNK = 2000  # parameter rows per executemany call inside the apply transaction
LOOKUP_CHUNK = 2000  # hashes or ids per IN (...) query
FILE_PURPOSE = "registry.import.file"
ROW_PURPOSE = "registry.import.row"  # registered for key rotation in encryption.register_columns

MODES = ("all_or_nothing", "valid_only")
APPLICABLE = ("create", "update")
BLOCKING = ("invalid", "duplicate_in_file", "elsewhere")  # outcomes that make all_or_nothing refuse
RUNNING = ("uploaded", "validating", "applying")

# --- status ---------------------------------------------------------------------------------------------

TRANSITIONS: dict[tuple[str, str], str] = {
    ("uploaded", "start_validation"): "validating",
    ("validating", "finish_validation"): "validated",
    ("uploaded", "fail"): "failed",
    ("validating", "fail"): "failed",
    ("validated", "confirm"): "applying",
    ("failed", "confirm"): "applying",  # retry after a failed apply: the staged rows were kept
    ("applying", "finish_apply"): "applied",
    ("applying", "fail"): "failed",
    ("uploaded", "cancel"): "cancelled",
    ("validating", "cancel"): "cancelled",
    ("validated", "cancel"): "cancelled",
    ("failed", "cancel"): "cancelled",
    # A worker that died mid-apply leaves "applying" behind. Cancelling is safe even while an apply runs:
    # its transaction re-reads the status under lock before writing, and a cancel waits for that lock.
    ("applying", "cancel"): "cancelled",
    # Recovery of a batch whose worker died (import_recovery): validation starts again from the top; an
    # interrupted apply rolled back, so the batch waits for a new confirmation.
    ("validating", "recover"): "uploaded",
    ("applying", "recover"): "validated",
}


def next_status(status: str, event: str) -> str:
    """The batch status after `event`; raises InvalidTransition when the table has no such step."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise InvalidTransition(f"{status} --{event}-->") from None


def can_confirm(batch: ImportBatch) -> bool:
    """Validated, or failed while applying (mode set: validation had completed and rows are staged)."""
    return batch.status == "validated" or (batch.status == "failed" and bool(batch.mode))


def can_cancel(batch: ImportBatch) -> bool:
    return (batch.status, "cancel") in TRANSITIONS


def msg_elsewhere() -> str:
    return _("该居民已在其他社区登记，请联系街道办事处")


# --- the encrypted upload -------------------------------------------------------------------------------


def _file_path(batch: ImportBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"{batch.public_id}.bin"


def seal_bytes(data: bytes, *, purpose: str = FILE_PURPOSE) -> bytes:
    """Encrypt bytes under the active key and its cipher suite: b"<key id>$" + nonce + ciphertext + tag."""
    return crypto.seal_blob(data, purpose=purpose)


def open_bytes(blob: bytes, *, purpose: str = FILE_PURPOSE) -> bytes:
    """Decrypt what seal_bytes produced, with whichever key of the ring sealed it."""
    return crypto.open_blob(blob, purpose=purpose)


def stored_uploads() -> list[Path]:
    """The sealed uploads still on disk (checked before old keys are dropped, see encryption.register_columns)."""
    return sorted((Path(settings.MEDIA_ROOT) / "imports").glob("*.bin"))


def _write_file(batch: ImportBatch, data: bytes) -> None:
    path = _file_path(batch)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(seal_bytes(data))


def _read_file(batch: ImportBatch) -> bytes:
    return open_bytes(_file_path(batch).read_bytes())


def _delete_file(batch: ImportBatch) -> None:
    _file_path(batch).unlink(missing_ok=True)


# --- upload ---------------------------------------------------------------------------------------------


def importable_communities(actor: Any) -> QuerySet[Area]:
    """Communities the actor may import into (their import-role subtrees)."""
    return Area.objects.filter(scope_of(actor).q("path", roles=IMPORT_ROLES), level="community").order_by("path")


def _enqueue_validation(batch_id: int) -> None:
    from .import_tasks import validate_import_batch

    validate_import_batch(batch_id)


def _enqueue_apply(batch_id: int, actor_id: int | None, attempt: int | None = None) -> None:
    from .import_tasks import apply_import_batch

    apply_import_batch(batch_id, actor_id, attempt)


def import_upload(*, actor: Any, community: Area, fileobj: IO[bytes], file_name: str) -> ImportBatch:
    """Store an uploaded spreadsheet (encrypted) as a new batch and schedule its validation.

    Checks registry.import on the community, the size (MAX_UPLOAD_BYTES) and the type by content
    (spreadsheets.sniff_format); a refused file leaves nothing behind. Audited with file name, size and
    SHA-256, never the content. Validation is enqueued after commit.
    """
    require(actor, "registry.import", community)
    if community.level != "community":
        raise ValidationError({"community": _("只能导入到社区")})
    size = getattr(fileobj, "size", None)
    if size is None:
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("文件不能超过 20 MB，请拆分后分批导入")})
    fileobj.seek(0)
    data = fileobj.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("文件不能超过 20 MB，请拆分后分批导入")})
    try:
        file_format = spreadsheets.sniff_format(io.BytesIO(data), file_name)
    except spreadsheets.SpreadsheetError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    digest = hashlib.sha256(data).hexdigest()
    name = os.path.basename((file_name or "").replace("\\", "/"))[:200] or "upload"
    batch = ImportBatch(
        community=community,
        uploaded_by=actor,
        file_name=name,
        file_sha256=digest,
        file_format=file_format,
        heartbeat_at=timezone.now(),  # queued: import_recovery enqueues it again if no worker takes it up
    )
    try:
        with transaction.atomic():
            batch.save()
            _write_file(batch, data)
            audit.record(
                actor=actor,
                action="registry.import_uploaded",
                obj=batch,
                after={
                    "file_name": name,
                    "size": len(data),
                    "sha256": digest,
                    "format": file_format,
                    "community": community.code,
                },
            )
            transaction.on_commit(partial(_enqueue_validation, batch.pk))
    except BaseException:
        _delete_file(batch)
        raise
    return batch


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
        for pk, unit_id, building_id, number in Dwelling.objects.filter(
            building__compound__community_id=community_id
        ).values_list("id", "unit_id", "building_id", "number"):
            for key in _room_keys(number):
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


# --- validation (background) ----------------------------------------------------------------------------


@dataclass
class StagedRow:
    row_number: int
    outcome: str
    errors: list[dict[str, str]] = field(default_factory=list)
    payload: dict[str, Any] | None = None
    id_hash: str = ""
    lookups: list[str] = field(default_factory=list)
    target_id: int | None = None


def _error(column: str, value: str, message: str, key: str = "") -> dict[str, str]:
    return {"column": column, "value": value, "message": message, "field": key}


def _payload(clean: dict[str, Any], given: set[str], dwelling_id: int | None) -> dict[str, Any]:
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

    def classify(self, chunk: list[spreadsheets.RawRow]) -> list[StagedRow]:
        staged = [self._check(raw) for raw in chunk]
        self._lookup_registered([s for s in staged if s.outcome == "create" and s.lookups])
        for s in staged:
            if s.outcome in APPLICABLE:
                self._check_head(s)
            self.counts[s.outcome] += 1
        self.processed += len(chunk)
        return staged

    def _check(self, raw: spreadsheets.RawRow) -> StagedRow:
        result = spreadsheets.validate_row(raw.values, today=self.today)
        errors = [_error(e.column, e.value_masked, e.message, e.field) for e in result.errors]
        clean = result.clean
        dwelling_id = None
        if clean is not None and any(clean.get(k) for k in ("compound", "building", "unit", "room")):
            address = mask_text(_address_text(clean))
            if not (clean.get("compound") and clean.get("building") and clean.get("room")):
                errors.append(_error(_("住址"), address, _("地址不完整：请填写小区、楼栋和房号"), "room"))
            else:
                dwelling_id = self.dwellings.find(
                    clean["compound"], clean["building"], clean.get("unit"), clean["room"]
                )
                if dwelling_id is None:
                    errors.append(
                        _error(_("住址"), address, _("地址在本社区找不到：%(address)s") % {"address": address}, "room")
                    )
                elif dwelling_id == DwellingIndex.AMBIGUOUS:
                    errors.append(
                        _error(
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
        row = StagedRow(raw.row_number, "create", payload=_payload(clean, given, dwelling_id))
        number = row.payload["id_number"] if row.payload else ""
        if number:
            row.id_hash = crypto.keyed_hash(number, purpose=encryption.ID_PURPOSE)
            first = self.seen.get(row.id_hash)
            if first is not None:
                row.outcome, row.payload = "duplicate_in_file", None
                row.errors = [
                    _error(
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
        for part in _chunked(hashes, LOOKUP_CHUNK):
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
                r.errors = [_error(_("证件号码"), masked, msg_elsewhere(), "id_number")]
            elif status == ResidentStatus.WITHDRAWN:
                r.outcome, r.payload = "invalid", None
                r.errors = [_error(_("证件号码"), masked, _("该居民已撤回同意，不能通过导入恢复其信息"), "id_number")]
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
            _error(
                _("与户主关系"),
                _("户主"),
                _("同一户（户号 %(number)s）已有户主（第%(row)s行）") % {"number": mask_text(household), "row": first},
                "relation",
            )
        ]


def _chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- heartbeat and takeover -----------------------------------------------------------------------------

HEARTBEAT_SECONDS = 10  # a working worker refreshes its batch's heartbeat at least this often


class Superseded(Exception):
    """The worker no longer holds its step (taken over by a recovery, or cancelled): stop and write nothing."""


class Lease:
    """A worker's hold on one step ("validating" or "applying") of a batch, identified by the batch's attempt.

    `lock()` and `beat()` raise Superseded as soon as the batch left that step or its attempt changed, so a
    worker that was merely slow while a recovery took its batch over stops at its next write.
    """

    def __init__(self, batch_id: int, attempt: int, status: str) -> None:
        self.batch_id, self.attempt, self.status = batch_id, attempt, status
        self._last_beat = time.monotonic()

    def lock(self) -> ImportBatch:
        """Lock the batch row inside the caller's transaction and check the hold; raises Superseded."""
        batch = ImportBatch.objects.select_for_update().filter(pk=self.batch_id).first()
        if batch is None or batch.status != self.status or batch.attempt != self.attempt:
            raise Superseded()
        return batch

    def beat(self, *, force: bool = False) -> None:
        """Refresh the heartbeat (at most every HEARTBEAT_SECONDS unless forced); raises Superseded."""
        if not force and time.monotonic() - self._last_beat < HEARTBEAT_SECONDS:
            return
        alive = ImportBatch.objects.filter(pk=self.batch_id, status=self.status, attempt=self.attempt).update(
            heartbeat_at=timezone.now()
        )
        if not alive:
            raise Superseded()
        self._last_beat = time.monotonic()

    def taken_over(self) -> bool:
        """True when a recovery or a later start holds the batch now (not merely cancelled or finished)."""
        current = ImportBatch.objects.filter(pk=self.batch_id).values_list("attempt", flat=True).first()
        return current is not None and current != self.attempt


def _no_beat() -> None:
    return None


def _transition(
    batch_id: int, event: str, *, lease: Lease | None = None, claim: bool = False, **changes: Any
) -> ImportBatch | None:
    """Apply one status step under the row lock; None when the batch is no longer in a state that allows it.

    With a `lease`, also None when the batch is no longer that worker's. `claim` starts a new attempt (the
    caller's Lease is then made from the returned batch) with a fresh heartbeat.
    """
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().select_related("community").get(pk=batch_id)
        if lease is not None and (batch.status, batch.attempt) != (lease.status, lease.attempt):
            return None
        try:
            batch.status = next_status(batch.status, event)
        except InvalidTransition:
            return None
        if claim:
            batch.attempt += 1
            batch.heartbeat_at = timezone.now()
        for k, v in changes.items():
            setattr(batch, k, v)
        batch.save()
    return batch


def _stage_chunk(lease: Lease, staged: list[StagedRow], processed: int) -> None:
    """Write one chunk of staged rows, the progress and a heartbeat in one short transaction.

    Raises Superseded (nothing written) when the batch was cancelled or taken over meanwhile.
    """
    rows = [
        ImportRow(
            batch_id=lease.batch_id,
            row_number=s.row_number,
            outcome=s.outcome,
            errors=s.errors,
            payload_encrypted=crypto.encrypt(json.dumps(s.payload, ensure_ascii=False), purpose=ROW_PURPOSE)
            if s.payload is not None
            else "",
            id_number_hash=s.id_hash,
            target_id=s.target_id,
        )
        for s in staged
    ]
    with transaction.atomic():
        lease.lock()
        ImportRow.objects.bulk_create(rows)
        now = timezone.now()
        ImportBatch.objects.filter(pk=lease.batch_id).update(processed_rows=processed, heartbeat_at=now, updated_at=now)


def delete_staged_rows(batch_id: int, *, lease: Lease | None = None) -> None:
    """Remove a batch's staged rows, a chunk per transaction so no writer waits long.

    With a `lease`, each chunk first checks that the batch is still the worker's (raises Superseded).
    """
    while True:
        ids = list(ImportRow.objects.filter(batch_id=batch_id).values_list("id", flat=True)[:5000])
        if not ids:
            return
        with transaction.atomic():
            if lease is not None:
                lease.lock()
            ImportRow.objects.filter(id__in=ids).delete()


def delete_upload(batch: ImportBatch) -> None:
    """Delete a batch's stored upload (if still there)."""
    _delete_file(batch)


def _delete_file_unless_taken_over(batch: ImportBatch, lease: Lease) -> None:
    # Under the row lock, so that no recovery hands the batch (and its file) to another worker meanwhile.
    with transaction.atomic():
        attempt = ImportBatch.objects.select_for_update().filter(pk=batch.pk).values_list("attempt", flat=True)
        if attempt.first() in (None, lease.attempt):
            _delete_file(batch)


def _log_failure(what: str, batch_id: int, exc: BaseException) -> None:
    # A traceback can quote cell values: mask ID and mobile numbers before it reaches the log.
    logger.error("import batch %s: %s failed\n%s", batch_id, what, mask_text("".join(traceback.format_exception(exc))))


def validate_batch(batch_id: int) -> ImportBatch | None:
    """Stage every row of an uploaded batch: classify, encrypt and write it, a chunk per transaction.

    Runs in the background (import_tasks.validate_import_batch). Starting takes a new attempt (Lease) and
    removes rows a dead worker staged before, so a restarted validation stages every row exactly once. Each
    chunk refreshes the heartbeat. Whole-file problems (not a spreadsheet, a missing required column, too
    many rows) fail the batch with the reader's Chinese message. The uploaded file is deleted at the end,
    whatever happened, unless a recovery handed the batch to another worker. Stops quietly if the batch was
    cancelled or taken over.
    """
    batch = _transition(batch_id, "start_validation", claim=True, processed_rows=0, message="")
    if batch is None:
        return None
    lease = Lease(batch.pk, batch.attempt, "validating")
    try:
        delete_staged_rows(batch.pk, lease=lease)
        try:
            data = _read_file(batch)
        except FileNotFoundError:
            return _fail_validation(batch, lease, _("上传的文件已不存在，请重新上传"))
        header, rows = spreadsheets.read_rows(io.BytesIO(data), batch.file_name, max_rows=MAX_ROWS)
        del data
        stager = Stager(batch)
        try:
            for chunk in _chunked(rows, STAGE_CHUNK):
                _stage_chunk(lease, stager.classify(chunk), stager.processed)
        finally:
            rows.close()  # type: ignore[attr-defined]
        c = stager.counts
        message = ""
        if header.ignored:
            message = _("以下列未识别，已忽略：%(columns)s") % {"columns": mask_text("、".join(header.ignored))[:300]}
        if stager.processed == 0:
            return _fail_validation(batch, lease, _("文件中没有数据行"))
        done = _transition(
            batch.pk,
            "finish_validation",
            lease=lease,
            total_rows=stager.processed,
            processed_rows=stager.processed,
            valid_rows=c["create"] + c["update"],
            invalid_rows=c["invalid"] + c["duplicate_in_file"],
            update_rows=c["update"],
            elsewhere_rows=c["elsewhere"],
            message=message,
        )
        if done is None:  # cancelled or taken over during the last chunk
            raise Superseded()
        with transaction.atomic():
            audit.record(actor="system", action="registry.import_validated", obj=done, after={"counts": c})
        return done
    except Superseded:
        if not lease.taken_over():
            delete_staged_rows(batch.pk)  # cancelled: the rows written meanwhile go too
        return None
    except spreadsheets.SpreadsheetError as exc:
        return _fail_validation(batch, lease, str(exc))
    except Exception as exc:  # noqa: BLE001 - any failure must end in a failed batch, never a stuck one
        _log_failure("validation", batch.pk, exc)
        return _fail_validation(batch, lease, _("校验文件时出错，请稍后重试或联系管理员"))
    finally:
        _delete_file_unless_taken_over(batch, lease)


def _fail_validation(batch: ImportBatch, lease: Lease, message: str) -> ImportBatch | None:
    failed = _transition(batch.pk, "fail", lease=lease, message=message, mode="")
    if failed is not None:
        delete_staged_rows(batch.pk)
        with transaction.atomic():
            audit.record(
                actor="system",
                action="registry.import_failed",
                obj=failed,
                after={"stage": "validation", "message": message},
            )
    return failed


# --- confirm and cancel ---------------------------------------------------------------------------------


def import_confirm(*, actor: Any, batch: ImportBatch, mode: str) -> ImportBatch:
    """Confirm a validated batch in `mode` and schedule its apply.

    all_or_nothing is refused while any row is invalid, duplicated in the file or registered elsewhere.
    Locks the batch row so two confirmations cannot both schedule an apply. Starts a new attempt with a
    fresh heartbeat; the apply task carries that attempt, so a task of an earlier confirmation does nothing.
    Audited.
    """
    require(actor, "registry.import", batch.community)
    if mode not in MODES:
        raise ValidationError({"mode": _("请选择导入方式")})
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().select_related("community").get(pk=batch.pk)
        if not can_confirm(locked):
            raise ValidationError(
                {"status": _("该批次当前状态（%(status)s）不能导入") % {"status": locked.get_status_display()}}
            )
        counts = dict(ImportRow.objects.filter(batch=locked).values_list("outcome").annotate(n=Count("id")).order_by())
        blocking = sum(counts.get(o, 0) for o in BLOCKING)
        if mode == "all_or_nothing" and blocking:
            raise ValidationError(
                {
                    "mode": _(
                        "有 %(n)s 行有误或不能导入，“全部有效才导入”未执行；请修改文件后重新上传，或选择“只导入有效行”"
                    )
                    % {"n": blocking}
                }
            )
        if not sum(counts.get(o, 0) for o in APPLICABLE):
            raise ValidationError({"mode": _("没有可导入的行")})
        locked.status = next_status(locked.status, "confirm")
        locked.mode, locked.message = mode, ""
        locked.attempt += 1
        locked.heartbeat_at = timezone.now()
        locked.save(update_fields=["status", "mode", "message", "attempt", "heartbeat_at", "updated_at"])
        audit.record(actor=actor, action="registry.import_confirmed", obj=locked, after={"mode": mode})
        transaction.on_commit(partial(_enqueue_apply, locked.pk, getattr(actor, "pk", None), locked.attempt))
    return locked


def import_cancel(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Cancel a batch that is not applied: its staged rows and file are deleted. Audited."""
    require(actor, "registry.import", batch.community)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        try:
            locked.status = next_status(locked.status, "cancel")
        except InvalidTransition:
            raise ValidationError(
                {"status": _("该批次当前状态（%(status)s）不能取消") % {"status": locked.get_status_display()}}
            ) from None
        locked.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="registry.import_cancelled", obj=locked)
    delete_staged_rows(locked.pk)
    _delete_file(locked)
    return locked


# --- apply (background) ---------------------------------------------------------------------------------


class ApplyRefused(Exception):
    """The apply cannot go ahead as confirmed (its message is for the user)."""


@dataclass
class Statement:
    """One INSERT or UPDATE, compiled with all its parameter rows before the apply transaction opens.

    The rows hold values already adapted for the database (Field.pre_save + get_db_prep_save, as Django's
    own insert compiler does), so inside the transaction only `executemany` runs: SQLite reuses one prepared
    statement, psycopg pipelines the rows (measured faster than multi-row VALUES through Django's
    client-side binding cursor).
    """

    table: str
    sql: str
    fields: list[Any]
    rows: list[list[Any]] = field(default_factory=list)
    copy_sql: str = ""  # PostgreSQL: the same insert as COPY ... FROM STDIN
    # The thread's database wrapper itself: `django.db.connection` is a proxy whose every attribute access
    # costs a context-local lookup, which adds up over millions of values.
    db: Any = field(default_factory=lambda: connections[DEFAULT_DB_ALIAS])


def _insert_statement(model: Any, *, with_pk: bool) -> Statement:
    opts = model._meta
    fields = [f for f in opts.concrete_fields if with_pk or not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({values})"  # noqa: S608 - model names
    return Statement(opts.db_table, sql, fields, copy_sql=f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN")


def _stay(r: Resident, community_id: int, household: Any, valid_from: date) -> Residence:
    """The Residence row that opens a resident's stay at their (new) address from `valid_from`."""
    return Residence(
        resident_id=r.pk,
        community_id=community_id,
        dwelling_id=r.dwelling_id,
        household=household,
        relation=r.relation,
        valid_from=valid_from,
    )


def _add_insert(statement: Statement, obj: Any) -> None:
    db = statement.db
    statement.rows.append([f.get_db_prep_save(f.pre_save(obj, True), db) for f in statement.fields])


def _update_statement(model: Any, names: Iterable[str]) -> Statement:
    """UPDATE of the named columns by primary key (Django's bulk_update writes a slow CASE WHEN per row)."""
    opts = model._meta
    fields = [opts.get_field(n) for n in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(opts.db_table)} SET {assignments} WHERE {quote(opts.pk.column)} = %s"  # noqa: S608 - model names
    return Statement(opts.db_table, sql, fields)


def _add_update(statement: Statement, obj: Any) -> None:
    values = []
    for f in statement.fields:
        if f.is_relation and f.is_cached(obj):  # a related object assigned after its key was reserved
            related = getattr(obj, f.name)
            setattr(obj, f.attname, related.pk if related is not None else None)
        values.append(f.get_db_prep_save(getattr(obj, f.attname), statement.db))
    statement.rows.append([*values, obj.pk])


def _execute_chunk(cursor: Any, statement: Statement, rows: list[list[Any]]) -> None:
    if statement.copy_sql and statement.db.vendor == "postgresql":
        with cursor.cursor.copy(statement.copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    cursor.executemany(statement.sql, rows)


def _execute(cursor: Any, statement: Statement) -> None:
    for chunk in _chunked(statement.rows, APPLY_CHUNK):
        _execute_chunk(cursor, statement, chunk)


def reserve_ids(model: Any, count: int) -> list[int]:
    """Take `count` primary keys of `model` that no other insert will ever use, in a transaction of their own.

    Rows and the foreign keys pointing at them can then be prepared before the apply transaction opens.
    PostgreSQL: values drawn from the identity sequence (never handed out twice, even on rollback).
    SQLite: Django's AUTOINCREMENT tables never reuse a key at or below sqlite_sequence.seq, so raising it
    reserves the range. A failed apply leaves a gap in the keys, nothing else.
    """
    if count <= 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return [r[0] for r in cursor.fetchall()]
        if connection.vendor != "sqlite":  # settings refuse any other engine (base.database_from_env)
            raise ImproperlyConfigured(f"shequ runs on SQLite or PostgreSQL, not {connection.vendor}")
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")  # noqa: S608 - model names
        top = max(found[0] if found else 0, cursor.fetchone()[0])
        if found:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [top + count, table])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top + count])
    return list(range(top + 1, top + count + 1))


@dataclass
class ApplyPlan:
    """Every statement the apply transaction runs, in order, prepared before it opens."""

    households: Statement
    residents: Statement
    resident_updates: list[Statement]
    close_residences: list[int]  # resident ids whose current stay ends today (moved by the import)
    residences: Statement
    retag: list[int]  # resident ids whose tag hashes are replaced
    tags: Statement
    events: Statement
    heads: Statement  # existing households whose head changes
    changed_rows: Statement  # staged rows whose outcome changed at the re-check
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    households_created: int = 0


def _payloads(batch: ImportBatch, beat: Callable[[], None]) -> Iterator[tuple[ImportRow, dict[str, Any]]]:
    """The chosen staged rows in file order, decrypted (a light ImportRow with the fields the re-check needs)."""
    qs = (
        ImportRow.objects.filter(batch=batch, outcome__in=APPLICABLE)
        .order_by("row_number")
        .values_list("id", "row_number", "outcome", "target_id", "payload_encrypted")
    )
    for pk, row_number, outcome, target_id, ciphertext in qs.iterator(chunk_size=LOOKUP_CHUNK):
        if not ciphertext:
            raise ApplyRefused(_("暂存数据已清除，请重新上传文件"))
        row = ImportRow(id=pk, row_number=row_number, outcome=outcome, target_id=target_id)
        beat()
        yield row, json.loads(crypto.decrypt(ciphertext, purpose=ROW_PURPOSE))


def _registered_now(numbers: list[str]) -> dict[str, tuple[int, int, str]]:
    """Document number -> (resident id, community id, status) for the documents registered right now."""
    lookups = {h: n for n in numbers for h in encryption.document_lookup_hashes(n)}
    found: dict[str, tuple[int, int, str]] = {}
    for part in _chunked(list(lookups), LOOKUP_CHUNK):
        for h, pk, community_id, status in Resident.objects.filter(id_number_hash__in=part).values_list(
            "id_number_hash", "id", "community_id", "status"
        ):
            found[lookups[h]] = (pk, community_id, status)
    return found


def _current_tags(r: Resident) -> list[str]:
    plain = [c for c in r.plain_tags.split(",") if c]
    return sorted(plain + encryption.decrypt_sensitive_tags(r.sensitive_tags_encrypted))


def _changes(r: Resident, p: dict[str, Any], household: Household | None, earliest_fact: date | None) -> dict[str, Any]:
    """The resident columns a staged row changes; columns left empty in the file change nothing.

    `earliest_fact` is the resident's earliest dated fact in clear, for the birth decade (clear_birth_decade).
    """
    given = set(p["given"])
    out: dict[str, Any] = {}
    if p["name"] and p["name"] != r.name:
        out.update(name=p["name"], pinyin_index=encryption.pinyin_index(p["name"]))
    if p["gender"] and p["gender"] != r.gender:
        out["gender"] = p["gender"]
    birth = date.fromisoformat(p["birth_date"]) if p["birth_date"] else None
    if birth and birth != encryption.decrypt_birth_date(r.birth_date_encrypted):
        out.update(encryption.birth_fields(birth, earliest_fact))
    if p["id_number"] and p["id_type"] != r.id_type:
        out["id_type"] = p["id_type"]
    if p["mobile"] and r.mobile_hash not in encryption.mobile_lookup_hashes(p["mobile"]):
        out.update(encryption.mobile_fields(p["mobile"]))
    if household is not None and household.pk != r.household_id:
        out["household"] = household
    if p["relation"] and p["relation"] != r.relation:
        out["relation"] = p["relation"]
    if p["dwelling_id"] and p["dwelling_id"] != r.dwelling_id:
        out["dwelling_id"] = p["dwelling_id"]
    if "residence_type" in given and p["residence_type"] != r.residence_type:
        out["residence_type"] = p["residence_type"]
    if "legal_basis" in given and p["legal_basis"] != r.legal_basis:
        out["legal_basis"] = p["legal_basis"]
        if p["legal_basis"] == LegalBasis.CONSENT and r.consent_at is None:
            out["consent_at"] = timezone.now()
    if "care_tags" in given and sorted(p["care_tags"]) != _current_tags(r):
        out.update(encryption.tag_fields(p["care_tags"]))
    if "notes" in given and p["notes"] != encryption.decrypt_notes(r.notes_encrypted):
        out.update(encryption.notes_fields(p["notes"]))
    return out


def _decide(
    batch: ImportBatch, plan: ApplyPlan, beat: Callable[[], None]
) -> list[tuple[int, dict[str, Any], int | None] | None]:
    """Re-check each chosen row against the register as it is now: (row number, payload, resident to update)."""
    community_id = batch.community_id
    staged = list(_payloads(batch, beat))
    registered = _registered_now([p["id_number"] for _row, p in staged if p["id_number"]])
    decided: list[tuple[int, dict[str, Any], int | None] | None] = []
    for row, p in staged:
        current = registered.get(p["id_number"]) if p["id_number"] else None
        target_id: int | None = None
        if current is not None:
            pk, cid, status = current
            if cid != community_id or status == ResidentStatus.WITHDRAWN:
                row.outcome, row.target_id = "elsewhere" if cid != community_id else "invalid", None
                message = msg_elsewhere() if cid != community_id else _("该居民已撤回同意，不能通过导入恢复其信息")
                row.errors = [_error(_("证件号码"), mask_document(p["id_number"]), message, "id_number")]
                _add_update(plan.changed_rows, row)
                plan.skipped += 1
                continue
            target_id = pk
        if (row.outcome == "update") != (target_id is not None) or row.target_id != target_id:
            row.outcome, row.target_id = ("update", target_id) if target_id else ("create", None)
            _add_update(plan.changed_rows, row)
        decided.append((row.row_number, p, target_id))
    return decided


def prepare_apply(batch: ImportBatch, *, actor: Any, beat: Callable[[], None] = _no_beat) -> ApplyPlan:
    """Decrypt the chosen rows, re-check their documents and compile every statement to run (no transaction).

    A `create` whose document was registered meanwhile becomes an update (same community) or is skipped as
    registered elsewhere; an `update` whose resident left the community is skipped likewise (counted in
    `skipped`: in all_or_nothing mode the caller then refuses the whole apply). Keys of the new households
    and residents are reserved first (reserve_ids), so every foreign key is known here. `beat` is called
    for every row (the worker's Lease.beat: a throttled heartbeat that raises Superseded when taken over).
    """
    plan = ApplyPlan(
        households=_insert_statement(Household, with_pk=True),
        residents=_insert_statement(Resident, with_pk=True),
        resident_updates=[],
        close_residences=[],
        residences=_insert_statement(Residence, with_pk=False),
        retag=[],
        tags=_insert_statement(ResidentTag, with_pk=False),
        events=_insert_statement(ResidentEvent, with_pk=False),
        heads=_update_statement(Household, ("head",)),
        changed_rows=_update_statement(ImportRow, ("outcome", "errors", "target")),
    )
    today, now = timezone.localdate(), timezone.now()
    user_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    community_id = batch.community_id
    decided = _decide(batch, plan, beat)
    # Households: reuse the community's; the missing ones are created at their head's (else first) dwelling.
    households: dict[str, Household] = {}
    numbers = sorted({p["household_number"] for _r, p, _t in decided if p["household_number"]})
    for part in _chunked(numbers, LOOKUP_CHUNK):
        households.update((h.number, h) for h in Household.objects.filter(community_id=community_id, number__in=part))
    placed: dict[str, int | None] = {}
    for _r, p, _t in sorted(decided, key=lambda d: d[1]["relation"] != "head"):
        number = p["household_number"]
        if number and number not in households and number not in placed:
            placed[number] = p["dwelling_id"]
    new_households: dict[str, Household] = {}
    for number, pk in zip(placed, reserve_ids(Household, len(placed)), strict=True):
        new_households[number] = households[number] = Household(
            id=pk, community_id=community_id, number=number, dwelling_id=placed[number]
        )
    resident_ids = iter(reserve_ids(Resident, sum(1 for _r, _p, t in decided if t is None)))
    targets: dict[int, Resident] = {}
    facts: dict[int, date] = {}  # earliest dated fact of each target given a birth date (clear_birth_decade)
    for part in _chunked([t for _r, _p, t in decided if t], LOOKUP_CHUNK):
        targets.update(Resident.objects.in_bulk(part))
    for part in _chunked([t for _r, p, t in decided if t and p["birth_date"]], LOOKUP_CHUNK):
        facts.update(selectors.earliest_facts(part))
    heads: dict[str, int] = {}
    update_groups: dict[tuple[str, ...], Statement] = {}
    batch_ref = str(batch.public_id)
    for index, item in enumerate(decided):
        assert item is not None
        beat()
        row_number, p, target_id = item
        decided[index] = None  # let each payload go once its statements are compiled
        number = p["household_number"]
        household = households.get(number) if number else None
        if target_id is None:
            r = _new_resident(p, community_id, household, today, now)
            r.pk = next(resident_ids)
            _add_insert(plan.residents, r)
            valid_from = r.moved_in_on or today
            _add_insert(plan.residences, _stay(r, community_id, household, valid_from))
            for h in encryption.tag_hashes(p["care_tags"]):
                _add_insert(plan.tags, ResidentTag(resident_id=r.pk, tag_hash=h))
            _add_insert(
                plan.events,
                ResidentEvent(
                    resident_id=r.pk,
                    kind="imported",
                    effective_date=valid_from,
                    recorded_by_id=user_id,
                    details={"batch": batch_ref, "row": row_number, "action": "create"},
                ),
            )
            plan.created += 1
            if household is not None and p["relation"] == "head":
                heads[number] = r.pk
            continue
        r = targets[target_id]
        if household is not None and p["relation"] == "head" and household.head_id != r.pk:
            heads[number] = r.pk
        changes = _changes(r, p, household, facts.get(r.pk))
        if not changes:
            plan.unchanged += 1
            continue
        for k, v in changes.items():
            setattr(r, k, v)
        r.updated_at = now
        names = tuple(sorted({*changes, "updated_at"}))
        if names not in update_groups:
            update_groups[names] = _update_statement(Resident, names)
        _add_update(update_groups[names], r)
        if "plain_tags" in changes:
            plan.retag.append(r.pk)
            for h in encryption.tag_hashes(p["care_tags"]):
                _add_insert(plan.tags, ResidentTag(resident_id=r.pk, tag_hash=h))
        if "dwelling_id" in changes or "household" in changes:
            plan.close_residences.append(r.pk)
            _add_insert(plan.residences, _stay(r, community_id, household, today))
        _add_insert(
            plan.events,
            ResidentEvent(
                resident_id=r.pk,
                kind="imported",
                effective_date=today,
                recorded_by_id=user_id,
                details={
                    "batch": batch_ref,
                    "row": row_number,
                    "action": "update",
                    "fields": sorted(_public_names(changes)),
                },
            ),
        )
        plan.updated += 1
    plan.resident_updates = list(update_groups.values())
    # New households are inserted with their head already set: foreign keys are checked at commit.
    for number, h in new_households.items():
        h.head_id = heads.pop(number, None)
        _add_insert(plan.households, h)
    for number, resident_id in heads.items():
        h = households[number]
        h.head_id = resident_id
        _add_update(plan.heads, h)
    plan.households_created = len(new_households)
    return plan


def _public_names(changes: dict[str, Any]) -> set[str]:
    """Which particulars changed, named without exposing values (for the event's details)."""
    names = set()
    for k in changes:
        if k.startswith("mobile_"):
            names.add("mobile")
        elif k in ("plain_tags", "sensitive_tags_encrypted", "has_sensitive_tags"):
            names.add("care_tags")
        elif k == "notes_encrypted":
            names.add("notes")
        elif k in ("birth_date_encrypted", "birth_decade"):
            names.add("birth_date")
        elif k == "pinyin_index":
            continue
        elif k == "dwelling_id":
            names.add("dwelling")
        else:
            names.add(k)
    return names


def _new_resident(p: dict[str, Any], community_id: int, household: Household | None, today: date, now: Any) -> Resident:
    r = Resident(
        community_id=community_id,
        name=p["name"],
        pinyin_index=encryption.pinyin_index(p["name"]),
        gender=p["gender"] or "U",
        id_type=p["id_type"] or IdType.NONE,
        household=household,
        relation=p["relation"],
        dwelling_id=p["dwelling_id"],
        residence_type=p["residence_type"],
        legal_basis=p["legal_basis"],
        consent_at=now if p["legal_basis"] == LegalBasis.CONSENT else None,
        moved_in_on=date.fromisoformat(p["moved_in_on"]) if p.get("moved_in_on") else today,
        created_at=now,
        status=ResidentStatus.ACTIVE,
    )
    birth = date.fromisoformat(p["birth_date"]) if p["birth_date"] else None
    for k, v in {
        **encryption.birth_fields(birth, min(r.moved_in_on, today)),
        **encryption.document_fields(p["id_number"]),
        **encryption.mobile_fields(p["mobile"]),
        **encryption.tag_fields(p["care_tags"]),
        **encryption.notes_fields(p["notes"]),
    }.items():
        setattr(r, k, v)
    return r


def _write_plan(batch: ImportBatch, plan: ApplyPlan, *, actor: Any, lease: Lease) -> ImportBatch:
    """The apply's single transaction: the prepared statements only, then the batch and one audit record.

    Opens by locking the batch and checking the worker's lease (Superseded: nothing written); the status
    becomes applied in the same transaction as the writes, so they commit together or not at all.
    """
    today = timezone.localdate()
    with transaction.atomic():
        locked = lease.lock()
        with connection.cursor() as cursor:
            _execute(cursor, plan.households)
            _execute(cursor, plan.residents)
            for statement in plan.resident_updates:
                _execute(cursor, statement)
        for part in _chunked(plan.close_residences, LOOKUP_CHUNK):
            Residence.objects.filter(resident_id__in=part, valid_to__isnull=True).update(valid_to=today)
        for part in _chunked(plan.retag, LOOKUP_CHUNK):
            ResidentTag.objects.filter(resident_id__in=part).delete()
        with connection.cursor() as cursor:
            for statement in (plan.residences, plan.tags, plan.events, plan.heads, plan.changed_rows):
                _execute(cursor, statement)
        locked.status = next_status(locked.status, "finish_apply")
        locked.created_count, locked.updated_count = plan.created, plan.updated
        locked.applied_at = timezone.now()
        locked.message = _apply_message(plan)
        locked.save()
        audit.record(
            actor=actor or "system",
            action="registry.import_applied",
            obj=locked,
            after={
                "batch": str(locked.public_id),
                "mode": locked.mode,
                "created": plan.created,
                "updated": plan.updated,
                "unchanged": plan.unchanged,
                "skipped": plan.skipped,
                "households_created": plan.households_created,
            },
        )
    return locked


def _apply_message(plan: ApplyPlan) -> str:
    parts = []
    if plan.unchanged:
        parts.append(_("%(n)s 行与登记信息一致，未作修改") % {"n": plan.unchanged})
    if plan.skipped:
        parts.append(_("%(n)s 行在校验后已在其他社区登记或不能导入，已跳过") % {"n": plan.skipped})
    return "；".join(parts)


def wipe_payloads(batch_id: int) -> None:
    """Clear the staged values of an applied batch, a chunk per transaction."""
    while True:
        ids = list(
            ImportRow.objects.filter(batch_id=batch_id)
            .exclude(payload_encrypted="")
            .values_list("id", flat=True)[:5000]
        )
        if not ids:
            return
        with transaction.atomic():
            ImportRow.objects.filter(id__in=ids).update(payload_encrypted="")


def apply_batch(batch_id: int, *, actor_id: int | None = None, attempt: int | None = None) -> ImportBatch | None:
    """Apply a confirmed batch: prepare outside any transaction, then write everything in one transaction.

    Runs in the background (import_tasks.apply_import_batch) with the `attempt` its confirmation started
    (None: the batch's current one); does nothing when the batch has moved on since. Heartbeats while it
    prepares; stops without writing once taken over (Superseded). On any error nothing is applied, the
    batch becomes failed with a Chinese message and its staged rows stay, so the user can confirm again.
    One audit record covers the whole apply. The staged payloads are wiped after commit.
    """
    batch = ImportBatch.objects.select_related("community").filter(pk=batch_id).first()
    if batch is None or batch.status != "applying":
        return None
    lease = Lease(batch.pk, batch.attempt if attempt is None else attempt, "applying")
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        lease.beat(force=True)
        plan = prepare_apply(batch, actor=actor, beat=lease.beat)
        if plan.skipped and batch.mode == "all_or_nothing":
            with transaction.atomic():
                lease.lock()
                with connection.cursor() as cursor:
                    _execute(cursor, plan.changed_rows)  # the report then shows why those rows cannot be imported
            message = _("有 %(n)s 行的居民在校验后已在其他社区登记或不能导入，“全部有效才导入”未执行，未导入任何数据")
            return _fail_apply(batch, lease, message % {"n": plan.skipped}, actor)
        lease.beat(force=True)  # the write transaction holds the row lock; recovery skips or waits for it
        done = _write_plan(batch, plan, actor=actor, lease=lease)
    except Superseded:
        return None
    except ApplyRefused as exc:
        return _fail_apply(batch, lease, str(exc), actor)
    except Exception as exc:  # noqa: BLE001 - whatever broke, the transaction rolled back: report it
        _log_failure("apply", batch.pk, exc)
        return _fail_apply(batch, lease, _("导入过程中出错，未导入任何数据；可稍后重新确认导入"), actor)
    wipe_payloads(batch.pk)
    return done


def _fail_apply(batch: ImportBatch, lease: Lease, message: str, actor: Any) -> ImportBatch | None:
    failed = _transition(batch.pk, "fail", lease=lease, message=message)
    if failed is not None:
        with transaction.atomic():
            audit.record(
                actor=actor or "system",
                action="registry.import_failed",
                obj=failed,
                after={"stage": "apply", "message": message},
            )
    return failed


# --- report ---------------------------------------------------------------------------------------------


def problem_rows(batch: ImportBatch) -> QuerySet[ImportRow]:
    """Rows that will not be imported, with their (masked) errors, in file order."""
    return (
        ImportRow.objects.filter(batch=batch, outcome__in=BLOCKING)
        .order_by("row_number")
        .only("row_number", "outcome", "errors")
    )


def update_rows(batch: ImportBatch) -> QuerySet[ImportRow]:
    """Rows that update a resident already registered in the batch's community (masked identifiers)."""
    return (
        ImportRow.objects.filter(batch=batch, outcome="update")
        .order_by("row_number")
        .select_related("target")
        .only("row_number", "target__name", "target__id_number_masked", "target__public_id")
    )


def error_lines(rows: Iterable[ImportRow]) -> list[dict[str, Any]]:
    """One line per cell error: row number, column, masked value, message."""
    return [
        {
            "row": r.row_number,
            "column": e.get("column", ""),
            "value": e.get("value", ""),
            "message": e.get("message", ""),
        }
        for r in rows
        for e in (r.errors or [])
    ]


def errors_xlsx(batch: ImportBatch, fileobj: IO[bytes]) -> None:
    """Write the batch's problems as an .xlsx (masked values only; strings are never formulas)."""

    def lines() -> Iterator[list[Any]]:
        qs = ImportRow.objects.filter(batch=batch, outcome__in=BLOCKING).order_by("row_number")
        for row_number, errors in qs.values_list("row_number", "errors").iterator(chunk_size=LOOKUP_CHUNK):
            for e in errors or []:
                yield [row_number, e.get("column", ""), e.get("value", ""), e.get("message", "")]

    spreadsheets.write_xlsx(
        fileobj,
        [_("行号"), _("列"), _("内容（已脱敏）"), _("问题")],
        lines(),
        sheet_title=_("导入问题"),
        column_widths=[8, 16, 30, 60],
    )
