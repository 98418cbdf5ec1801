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
- The work is split by responsibility: the batch's statuses and their transitions are pure rules in
  registry.domain (IMPORT_TRANSITIONS); rows are classified against addresses and the register in
  import_matching; the apply's bulk writes are compiled and run by import_writers; the problem report is
  import_report. This module orchestrates them.
- Large files: all work runs in background tasks; staging commits per chunk of STAGE_CHUNK rows (short
  write transactions, visible progress). The apply prepares everything before opening its single
  transaction: decryption, the re-check, encryption, hashes and pinyin of the resident columns, and the
  SQL parameter rows of every INSERT/UPDATE, with the primary keys of new households and residents
  reserved beforehand (reserve_ids) so that every foreign key is known. The transaction then only runs
  `executemany` (measured in bench/bench_import.py: a fraction of a bare bulk_create of the same rows).
- Missing dwellings (issue 13): rows that wait only for a dwelling absent from a known building are listed
  for confirmation (import_report.missing_dwellings); a worker with registry.create_dwellings creates them
  in one transaction with the re-check of those rows (import_matching.recheck_waiting) and the batch's
  counts, audited once. The uploaded file is gone by then: only the waiting rows, which kept their
  encrypted values, are classified again.
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
import time
import traceback
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core import audit, crypto
from shequ.core.actors import system_job
from shequ.core.errors import InvalidTransition, ValidationError
from shequ.core.masking import mask_text
from shequ.core.permissions import require, write_service
from shequ.core.scoping import scope_of
from shequ.core.spreadsheets import SpreadsheetError, sniff_format
from shequ.territory.models import Area, Dwelling

from . import columns, import_report
from .domain import (
    IMPORT_APPLICABLE,
    IMPORT_BLOCKING,
    IMPORT_MODES,
    import_can_confirm,
    next_import_status,
)
from .import_matching import ROW_PURPOSE, StagedRow, Stager, chunked, recheck_waiting
from .import_writers import ApplyPlan, ApplyRefused, execute, prepare_apply
from .models import ImportBatch, ImportRow, Residence, ResidentTag
from .permissions import IMPORT_ROLES

# The background worker that validates and applies uploaded batches (audit: "导入后台任务").
IMPORT_WORKER = system_job("registry.import_worker", gettext_lazy("居民导入后台任务"))

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = columns.MAX_ROWS
STAGE_CHUNK = 2000  # rows classified and written per validation transaction
LOOKUP_CHUNK = 2000  # ids per IN (...) query
FILE_PURPOSE = "registry.import.file"


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


@write_service("registry.import")
def import_upload(*, actor: Any, community: Area, fileobj: IO[bytes], file_name: str) -> ImportBatch:
    """Store an uploaded spreadsheet (encrypted) as a new batch and schedule its validation.

    Checks registry.import on the community, the size (MAX_UPLOAD_BYTES) and the type by content
    (core.spreadsheets.sniff_format); a refused file leaves nothing behind. Audited with file name, size and
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
        file_format = sniff_format(io.BytesIO(data), file_name)
    except SpreadsheetError as exc:
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
            batch.status = next_import_status(batch.status, event)
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


@write_service("registry.process_imports")
def validate_batch(batch_id: int, *, actor: Any = IMPORT_WORKER) -> ImportBatch | None:
    """Stage every row of an uploaded batch: classify, encrypt and write it, a chunk per transaction.

    Runs in the background (import_tasks.validate_import_batch). Starting takes a new attempt (Lease) and
    removes rows a dead worker staged before, so a restarted validation stages every row exactly once. Each
    chunk refreshes the heartbeat. Whole-file problems (not a spreadsheet, a missing required column, too
    many rows) fail the batch with the reader's Chinese message. The uploaded file is deleted at the end,
    whatever happened, unless a recovery handed the batch to another worker. Stops quietly if the batch was
    cancelled or taken over.
    """
    require(actor, "registry.process_imports")
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
        header, rows = columns.read_rows(io.BytesIO(data), batch.file_name, max_rows=MAX_ROWS)
        del data
        stager = Stager(batch)
        try:
            for chunk in chunked(rows, STAGE_CHUNK):
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
            audit.record(actor=IMPORT_WORKER, action="registry.import_validated", obj=done, after={"counts": c})
        return done
    except Superseded:
        if not lease.taken_over():
            delete_staged_rows(batch.pk)  # cancelled: the rows written meanwhile go too
        return None
    except SpreadsheetError as exc:
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
                actor=IMPORT_WORKER,
                action="registry.import_failed",
                obj=failed,
                after={"stage": "validation", "message": message},
            )
    return failed


# --- dwellings missing from the register ---------------------------------------------------------------

MAX_FLOOR_AREA = Decimal("9999999.99")  # Dwelling.floor_area: 9 digits, 2 decimals


def _floor_area(given: Any, suggested: Decimal | None) -> Decimal | None:
    if given in (None, ""):
        return suggested
    try:
        area = Decimal(str(given).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None
    return area if 0 < area <= MAX_FLOOR_AREA else None


def _recount(batch: ImportBatch) -> None:
    counts = dict(ImportRow.objects.filter(batch=batch).values_list("outcome").annotate(n=Count("id")).order_by())
    batch.valid_rows = counts.get("create", 0) + counts.get("update", 0)
    batch.invalid_rows = counts.get("invalid", 0) + counts.get("duplicate_in_file", 0)
    batch.update_rows = counts.get("update", 0)
    batch.elsewhere_rows = counts.get("elsewhere", 0)


@write_service("registry.create_dwellings")
def import_create_dwellings(
    *, actor: Any, batch: ImportBatch, floor_areas: Mapping[str, Any] | None = None
) -> list[Dwelling]:
    """Create the dwellings that rows of a validated batch wait for, then classify those rows again.

    Checks registry.create_dwellings on the batch's community. Locks the batch, which must be validated (no
    confirmation can start meanwhile). The dwellings are those import_report.missing_dwellings lists now;
    each takes the floor area given for its key in `floor_areas`, else its suggested one, and a missing or
    non-positive area refuses the whole request, changing nothing. The dwellings, the re-checked rows and
    the batch's counts are written in one transaction with one audit record.
    """
    require(actor, "registry.create_dwellings", batch.community)
    given = floor_areas or {}
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().select_related("community").get(pk=batch.pk)
        if locked.status != "validated":
            raise ValidationError(
                {"status": _("该批次当前状态（%(status)s）不能新增房屋") % {"status": locked.get_status_display()}}
            )
        missing = import_report.missing_dwellings(locked)
        if not missing:
            raise ValidationError({"dwellings": _("没有需要新增的房屋")})
        areas = {m.key: _floor_area(given.get(m.key), m.suggested_area) for m in missing}
        unset = [m.label for m in missing if areas[m.key] is None]
        if unset:
            raise ValidationError(
                {"floor_area": [_("请填写大于 0 的面积：%(dwelling)s") % {"dwelling": label} for label in unset]}
            )
        created = Dwelling.objects.bulk_create(
            [
                Dwelling(
                    building_id=m.proposal.building,
                    unit_id=m.proposal.unit,
                    floor=m.proposal.floor,
                    number=m.proposal.number,
                    floor_area=areas[m.key],
                )
                for m in missing
            ]
        )
        rechecked = recheck_waiting(locked)
        for pk, row in rechecked:
            ImportRow.objects.filter(pk=pk).update(
                outcome=row.outcome,
                errors=row.errors,
                target_id=row.target_id,
                id_number_hash=row.id_hash,
                payload_encrypted=crypto.encrypt(json.dumps(row.payload, ensure_ascii=False), purpose=ROW_PURPOSE)
                if row.payload is not None
                else "",
            )
        _recount(locked)
        locked.save(update_fields=["valid_rows", "invalid_rows", "update_rows", "elsewhere_rows", "updated_at"])
        audit.record(
            actor=actor,
            action="registry.import_dwellings_created",
            obj=locked,
            after={
                "dwellings": [
                    {"dwelling": str(d.public_id), "place": m.label, "floor_area": str(d.floor_area)}
                    for d, m in zip(created, missing, strict=True)
                ],
                "rows_rechecked": len(rechecked),
                "valid_rows": locked.valid_rows,
            },
        )
    return created


# --- confirm and cancel ---------------------------------------------------------------------------------


@write_service("registry.import")
def import_confirm(*, actor: Any, batch: ImportBatch, mode: str) -> ImportBatch:
    """Confirm a validated batch in `mode` and schedule its apply.

    all_or_nothing is refused while any row is invalid, duplicated in the file or registered elsewhere.
    Locks the batch row so two confirmations cannot both schedule an apply. Starts a new attempt with a
    fresh heartbeat; the apply task carries that attempt, so a task of an earlier confirmation does nothing.
    Audited.
    """
    require(actor, "registry.import", batch.community)
    if mode not in IMPORT_MODES:
        raise ValidationError({"mode": _("请选择导入方式")})
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().select_related("community").get(pk=batch.pk)
        if not import_can_confirm(locked.status, locked.mode):
            raise ValidationError(
                {"status": _("该批次当前状态（%(status)s）不能导入") % {"status": locked.get_status_display()}}
            )
        counts = dict(ImportRow.objects.filter(batch=locked).values_list("outcome").annotate(n=Count("id")).order_by())
        blocking = sum(counts.get(o, 0) for o in IMPORT_BLOCKING)
        if mode == "all_or_nothing" and blocking:
            raise ValidationError(
                {
                    "mode": _(
                        "有 %(n)s 行有误或不能导入，“全部有效才导入”未执行；请修改文件后重新上传，或选择“只导入有效行”"
                    )
                    % {"n": blocking}
                }
            )
        if not sum(counts.get(o, 0) for o in IMPORT_APPLICABLE):
            raise ValidationError({"mode": _("没有可导入的行")})
        locked.status = next_import_status(locked.status, "confirm")
        locked.mode, locked.message = mode, ""
        locked.attempt += 1
        locked.heartbeat_at = timezone.now()
        locked.save(update_fields=["status", "mode", "message", "attempt", "heartbeat_at", "updated_at"])
        audit.record(actor=actor, action="registry.import_confirmed", obj=locked, after={"mode": mode})
        transaction.on_commit(partial(_enqueue_apply, locked.pk, getattr(actor, "pk", None), locked.attempt))
    return locked


@write_service("registry.import")
def import_cancel(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Cancel a batch that is not applied: its staged rows and file are deleted. Audited."""
    require(actor, "registry.import", batch.community)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        try:
            locked.status = next_import_status(locked.status, "cancel")
        except InvalidTransition:
            raise ValidationError(
                {"status": _("该批次当前状态（%(status)s）不能取消") % {"status": locked.get_status_display()}}
            ) from None
        locked.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="registry.import_cancelled", obj=locked)
    delete_staged_rows(locked.pk)
    _delete_file(locked)
    return locked


def _write_plan(batch: ImportBatch, plan: ApplyPlan, *, actor: Any, lease: Lease) -> ImportBatch:
    """The apply's single transaction: the prepared statements only, then the batch and one audit record.

    Opens by locking the batch and checking the worker's lease (Superseded: nothing written); the status
    becomes applied in the same transaction as the writes, so they commit together or not at all.
    """
    today = timezone.localdate()
    with transaction.atomic():
        locked = lease.lock()
        with connection.cursor() as cursor:
            execute(cursor, plan.households)
            execute(cursor, plan.residents)
            for statement in plan.resident_updates:
                execute(cursor, statement)
        for part in chunked(plan.close_residences, LOOKUP_CHUNK):
            Residence.objects.filter(resident_id__in=part, valid_to__isnull=True).update(valid_to=today)
        for part in chunked(plan.retag, LOOKUP_CHUNK):
            ResidentTag.objects.filter(resident_id__in=part).delete()
        with connection.cursor() as cursor:
            for statement in (plan.residences, plan.tags, plan.events, plan.heads, plan.changed_rows):
                execute(cursor, statement)
        locked.status = next_import_status(locked.status, "finish_apply")
        locked.created_count, locked.updated_count = plan.created, plan.updated
        locked.applied_at = timezone.now()
        locked.message = _apply_message(plan)
        locked.save()
        audit.record(
            actor=actor or IMPORT_WORKER,
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


@write_service("registry.process_imports")
def apply_batch(
    batch_id: int, *, actor_id: int | None = None, attempt: int | None = None, worker: Any = IMPORT_WORKER
) -> ImportBatch | None:
    """Apply a confirmed batch: prepare outside any transaction, then write everything in one transaction.

    Runs in the background (import_tasks.apply_import_batch) with the `attempt` its confirmation started
    (None: the batch's current one); does nothing when the batch has moved on since. Heartbeats while it
    prepares; stops without writing once taken over (Superseded). On any error nothing is applied, the
    batch becomes failed with a Chinese message and its staged rows stay, so the user can confirm again.
    One audit record covers the whole apply. The staged payloads are wiped after commit.
    """
    require(worker, "registry.process_imports")
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
                    execute(cursor, plan.changed_rows)  # the report then shows why those rows cannot be imported
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
                actor=actor or IMPORT_WORKER,
                action="registry.import_failed",
                obj=failed,
                after={"stage": "apply", "message": message},
            )
    return failed
