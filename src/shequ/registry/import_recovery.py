"""Recovery of import batches whose background worker died (issue 10).

Rules encoded here (the worker's side, heartbeat and fencing token, is in `imports`: Lease):

- A batch in `validating` or `applying` whose heartbeat is older than SHEQU_IMPORT_STALE_AFTER (default five
  minutes) was left by a worker that is gone. A live worker refreshes the heartbeat every few seconds, and an
  apply inside its single transaction holds the batch's row lock, so a batch being processed is never touched.
- Each stale batch is handled in its own short transaction: locked (PostgreSQL: FOR UPDATE SKIP LOCKED, so a
  batch whose apply transaction is open is skipped; SQLite: one IMMEDIATE writer at a time), re-checked under
  the lock, and given a new attempt, so its old worker, were it only slow, stops at its next write. Then:
  - validating → uploaded, and the validation is enqueued again: it restarts from the first row and replaces
    whatever the dead worker had staged, so every row is staged exactly once;
  - applying → validated (the step before): the apply writes and marks the batch applied in one transaction,
    so an interrupted apply left nothing behind (had it committed, the batch would be `applied`, not stale).
    The owner reviews the report and confirms again; nothing is applied twice;
  - once a batch has been recovered SHEQU_IMPORT_MAX_RECOVERIES times (default 3), the next time it is marked
    failed instead (validation: staged rows and upload deleted; apply: staged rows kept for a new confirmation).
  Every recovery is audited (actor: the RECOVERY job, "导入恢复"); the owner (uploaded_by) gets a notification.
- A batch still `uploaded` (queued) for longer than the threshold lost its task with the worker: it is enqueued
  again. A duplicate task does nothing, because a validation starts only from `uploaded`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core import audit
from shequ.core.actors import system_job
from shequ.core.masking import mask_text
from shequ.core.permissions import require, write_service

from . import imports
from .domain import IMPORT_RUNNING, next_import_status
from .models import ImportBatch

logger = logging.getLogger(__name__)

SWEEP_LIMIT = 100  # batches looked at per run; the rest wait for the next minute
NOTIFY_KIND = "registry.import_recovered"
RECOVERY = system_job("registry.import_recovery", gettext_lazy("导入恢复"))


def stale_after() -> timedelta:
    return getattr(settings, "SHEQU_IMPORT_STALE_AFTER", timedelta(minutes=5))


def max_recoveries() -> int:
    return getattr(settings, "SHEQU_IMPORT_MAX_RECOVERIES", 3)


def _stale(cutoff: datetime) -> Q:
    # Batches from before heartbeats existed have none: their last change stands in for it.
    return Q(status__in=IMPORT_RUNNING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, updated_at__lt=cutoff)
    )


def is_stale(batch: ImportBatch, *, now: datetime | None = None) -> bool:
    """True when a running batch has shown no sign of life for longer than the threshold (its worker is gone)."""
    if batch.status not in IMPORT_RUNNING:
        return False
    last = batch.heartbeat_at or batch.updated_at
    return last < (now or timezone.now()) - stale_after()


@write_service("registry.recover_imports")
def recover_stale_batches(*, actor: object = RECOVERY, now: datetime | None = None) -> int:
    """Recover or re-queue every batch left behind by a dead worker; return how many were handled.

    At most SWEEP_LIMIT per run, each in its own transaction (see the module docstring for locks and what
    happens to each status). Idempotent and safe to run concurrently: a handled batch has a fresh heartbeat,
    and a batch another run (or a worker) holds is skipped or re-read under the lock. Side effects after
    commit: validations enqueued, the staged rows and upload of a batch given up deleted.
    """
    require(actor, "registry.recover_imports")
    now = now or timezone.now()
    cutoff = now - stale_after()
    ids = list(ImportBatch.objects.filter(_stale(cutoff)).order_by("pk").values_list("pk", flat=True)[:SWEEP_LIMIT])
    return sum(_recover(pk, now=now, cutoff=cutoff) for pk in ids)


def _recover(batch_id: int, *, now: datetime, cutoff: datetime) -> bool:
    with transaction.atomic():
        qs = ImportBatch.objects.filter(_stale(cutoff), pk=batch_id).select_related("uploaded_by")
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        batch = qs.first()  # re-read under the lock: a worker may have beaten or finished meanwhile
        if batch is None:
            return False
        if batch.status == "uploaded":
            batch.heartbeat_at = now
            batch.save(update_fields=["heartbeat_at", "updated_at"])
            logger.info("import batch %s: queued since before %s, validation enqueued again", batch.pk, cutoff)
            transaction.on_commit(partial(_enqueue_validation, batch.pk))
            return True
        before = {
            "status": batch.status,
            "attempt": batch.attempt,
            "heartbeat_at": batch.heartbeat_at.isoformat() if batch.heartbeat_at else None,
            "processed_rows": batch.processed_rows,
        }
        stage = "validation" if batch.status == "validating" else "apply"
        batch.attempt += 1  # the old worker, if alive after all, stops at its next write
        if batch.recoveries >= max_recoveries():
            _give_up(batch, stage)
            audit.record(
                actor=RECOVERY,
                action="registry.import_failed",
                obj=batch,
                before=before,
                after={"stage": stage, "message": batch.message, "recoveries": batch.recoveries},
            )
            title = (
                _("导入批次《%(name)s》的后台处理多次中断，已停止，请重新上传")
                if stage == "validation"
                else _("导入批次《%(name)s》的后台导入多次中断，未导入任何数据，可稍后重新确认导入")
            )
        else:
            _reset(batch, stage, now)
            audit.record(
                actor=RECOVERY,
                action="registry.import_recovered",
                obj=batch,
                before=before,
                after={"status": batch.status, "attempt": batch.attempt, "recoveries": batch.recoveries},
            )
            title = (
                _("导入批次《%(name)s》因后台进程中断已重新开始校验")
                if stage == "validation"
                else _("导入批次《%(name)s》因后台进程中断未导入任何数据，已恢复为待确认，请重新确认导入")
            )
        _notify_owner(batch, title % {"name": mask_text(batch.file_name)[:60]})
        logger.warning("import batch %s: worker gone during %s; now %s", batch.pk, stage, batch.status)
    return True


def _reset(batch: ImportBatch, stage: str, now: datetime) -> None:
    batch.status = next_import_status(batch.status, "recover")
    batch.recoveries += 1
    batch.recovered_at = batch.heartbeat_at = now
    if stage == "validation":
        batch.processed_rows, batch.message = 0, ""
        transaction.on_commit(partial(_enqueue_validation, batch.pk))
    else:
        batch.mode = ""
        batch.message = _("后台导入中断，未导入任何数据；已恢复为待确认，请重新确认导入")
    batch.save()


def _give_up(batch: ImportBatch, stage: str) -> None:
    batch.status = next_import_status(batch.status, "fail")
    if stage == "validation":
        batch.mode = ""
        batch.message = _("后台处理多次中断，已停止校验；请重新上传文件")
        transaction.on_commit(partial(_discard, batch))
    else:  # the staged rows stay: a failed batch with a mode can be confirmed again (domain.import_can_confirm)
        batch.message = _("后台导入多次中断，未导入任何数据；可稍后重新确认导入")
    batch.save()


def _enqueue_validation(batch_id: int) -> None:
    imports._enqueue_validation(batch_id)  # looked up at call time: the bench replaces it


def _discard(batch: ImportBatch) -> None:
    imports.delete_staged_rows(batch.pk)
    imports.delete_upload(batch)


def _notify_owner(batch: ImportBatch, title: str) -> None:
    from shequ.notifications.services import notify_users

    url = reverse("registry:import_detail", args=[batch.public_id])
    notify_users(users=[batch.uploaded_by], kind=NOTIFY_KIND, title=title, url=url)
