"""Recovery of import batches whose worker died: heartbeat, takeover under lock, nothing applied twice.

The task queue runs without a worker here (`queue`): tasks wait until `queue.work()` runs them, as the worker
would. A worker that "dies" in-process simply stops calling the pipeline after its last real write; the last
tests kill a real worker process with SIGKILL (fork) in the middle of a validation and of an apply. Moving the
clock six minutes passes the default threshold of five.
"""

import io
import itertools
import multiprocessing
import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.core.errors import InvalidTransition
from shequ.core.models import AuditRecord
from shequ.notifications.models import Notification
from shequ.registry import columns, import_matching, import_recovery, import_writers, imports
from shequ.registry.domain import import_can_confirm, next_import_status
from shequ.registry.models import ImportBatch, ImportRow, Resident, ResidentEvent
from shequ.registry.tests.test_imports import csv_bytes, rid, row
from shequ.territory.tests.factories import make_tree


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def queue(monkeypatch):
    """The task queue with no worker running: `work()` runs what is queued, as a worker picking it up would.

    `names()` and `work()` name the import tasks only (audit sealing is queued too).
    """
    from huey.contrib import djhuey
    from huey.contrib.djhuey import HUEY

    monkeypatch.setattr(HUEY, "immediate", False)
    # A worker closes its connection around each task; inside a test's transaction it must stay open.
    monkeypatch.setattr(djhuey, "close_old_connections", lambda: None)
    HUEY.flush()

    def ours(name: str) -> bool:
        return name.endswith("_import_batch")

    class Queue:
        @staticmethod
        def names() -> list[str]:
            return [t.name for t in HUEY.pending() if ours(t.name)]

        @staticmethod
        def lose() -> None:
            """The worker that had taken the queued tasks died: they are gone."""
            HUEY.flush()

        @staticmethod
        def work() -> list[str]:
            done = []
            while (task := HUEY.dequeue()) is not None:
                HUEY.execute(task)
                done.extend([task.name] if ours(task.name) else [])
            return done

    yield Queue()
    HUEY.flush()


@pytest.fixture
def t(db):
    return make_tree()


@pytest.fixture
def worker(t):
    return staff("community_worker", t["c1"])


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def people(n: int) -> list[list[str]]:
    """`n` valid rows without address, each with its own resident ID."""
    return [row(f"居民{i}", rid(f"51010719800101{i:03d}")) for i in range(n)]


def upload(worker, t, rows, name="居民名单.csv") -> ImportBatch:
    """Store an upload; its validation task is queued (not run: no worker)."""
    return imports.import_upload(actor=worker, community=t["c1"], fileobj=io.BytesIO(csv_bytes(rows)), file_name=name)


def die_while_validating(batch: ImportBatch, rows: int) -> imports.Lease:
    """Do what the worker does for the first `rows` rows, then stop as a killed worker would: no clean-up."""
    batch = imports._transition(batch.pk, "start_validation", claim=True, processed_rows=0, message="")
    lease = imports.Lease(batch.pk, batch.attempt, "validating")
    imports.delete_staged_rows(batch.pk, lease=lease)
    _header, raw = columns.read_rows(io.BytesIO(imports._read_file(batch)), batch.file_name)
    stager = import_matching.Stager(batch)
    imports._stage_chunk(lease, stager.classify(list(itertools.islice(raw, rows))), stager.processed)
    raw.close()
    return lease


def staged_rows(batch) -> list[int]:
    return list(ImportRow.objects.filter(batch=batch).order_by("row_number").values_list("row_number", flat=True))


def validated(worker, t, run, queue, rows) -> ImportBatch:
    with run():
        batch = upload(worker, t, rows)
    queue.work()
    batch.refresh_from_db()
    assert batch.status == "validated"
    return batch


# --- status table ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "after"),
    [("validating", "uploaded"), ("applying", "validated")]
    + [(s, None) for s in ("uploaded", "validated", "applied", "failed", "cancelled")],
)
def test_recovery_steps_back_only_from_a_running_step(status, after):
    """Validating goes back to uploaded, applying to validated; no other status can be recovered."""
    if after is None:
        with pytest.raises(InvalidTransition):
            next_import_status(status, "recover")
    else:
        assert next_import_status(status, "recover") == after


# --- validating ---------------------------------------------------------------------------------------------


def test_stale_validating_batch_is_validated_again_and_every_row_staged_once(worker, t, run, queue, clock, media):
    """A worker died after staging 2 of 5 rows: after the threshold the batch goes back to uploaded, the
    validation is queued again, and the next worker stages each row exactly once; the owner is told, audited."""
    with run():
        batch = upload(worker, t, people(5), name="名单13812345678.csv")
    assert queue.names() == ["validate_import_batch"]
    queue.lose()
    die_while_validating(batch, rows=2)
    batch.refresh_from_db()
    assert (batch.status, batch.processed_rows, batch.attempt, staged_rows(batch)) == ("validating", 2, 1, [2, 3])

    clock.advance(minutes=4, seconds=59)
    assert import_recovery.recover_stale_batches() == 0
    clock.advance(seconds=2)
    with run():
        assert import_recovery.recover_stale_batches() == 1
    batch.refresh_from_db()
    assert (batch.status, batch.attempt, batch.recoveries, batch.recovered_at, batch.heartbeat_at) == (
        "uploaded",
        2,
        1,
        clock.now,
        clock.now,
    )
    assert queue.work() == ["validate_import_batch"]
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows, batch.valid_rows, batch.attempt) == ("validated", 5, 5, 3)
    assert staged_rows(batch) == [2, 3, 4, 5, 6]
    assert not (media / "imports" / f"{batch.public_id}.bin").exists()

    note = Notification.objects.get()
    assert (note.recipient_id, note.kind, note.title, note.url) == (
        worker.pk,
        "registry.import_recovered",
        "导入批次《名单138****5678.csv》因后台进程中断已重新开始校验",
        reverse("registry:import_detail", args=[batch.public_id]),
    )
    record = AuditRecord.objects.get(action="registry.import_recovered")
    assert (record.actor_id, record.actor_kind, record.actor_ref, record.object_id) == (
        None,
        "system",
        "registry.import_recovery",
        str(batch.public_id),
    )
    assert record.before == {
        "status": "validating",
        "attempt": 1,
        "heartbeat_at": (clock.now - timedelta(minutes=5, seconds=1)).isoformat(),
        "processed_rows": 2,
    }
    assert record.after == {"status": "uploaded", "attempt": 2, "recoveries": 1}


def test_recovery_runs_again_only_after_a_new_stale_period(worker, t, run, queue, clock):
    """A recovered batch has a fresh heartbeat: the next runs leave it alone until it is stale again."""
    batch = upload(worker, t, people(3))
    die_while_validating(batch, rows=1)
    clock.advance(minutes=6)
    with run():
        assert import_recovery.recover_stale_batches() == 1
    with run():
        assert import_recovery.recover_stale_batches() == 0
    batch.refresh_from_db()
    assert (batch.status, batch.recoveries) == ("uploaded", 1)


def test_fresh_heartbeat_is_never_touched(worker, t, queue, clock):
    """A worker that stages a chunk every few minutes keeps its batch: no recovery however long the whole run."""
    batch = upload(worker, t, people(3))
    batch = imports._transition(batch.pk, "start_validation", claim=True, processed_rows=0, message="")
    lease = imports.Lease(batch.pk, batch.attempt, "validating")
    _header, raw = columns.read_rows(io.BytesIO(imports._read_file(batch)), batch.file_name)
    stager = import_matching.Stager(batch)
    for one in raw:
        clock.advance(minutes=4)
        assert import_recovery.recover_stale_batches() == 0
        imports._stage_chunk(lease, stager.classify([one]), stager.processed)
    clock.advance(minutes=4)
    assert import_recovery.recover_stale_batches() == 0
    batch.refresh_from_db()
    assert (batch.status, batch.attempt, batch.recoveries, batch.processed_rows) == ("validating", 1, 0, 3)
    assert not Notification.objects.exists()
    assert not AuditRecord.objects.filter(action__in=["registry.import_recovered", "registry.import_failed"]).exists()


def test_superseded_validation_worker_writes_nothing(worker, t, run, queue, clock, media):
    """The old worker was slow, not dead: after the takeover none of its writes goes through, and it leaves the
    uploaded file to the worker that took over."""
    batch = upload(worker, t, people(4))
    old = die_while_validating(batch, rows=1)
    clock.advance(minutes=6)
    with run():
        import_recovery.recover_stale_batches()
    queue.work()
    batch.refresh_from_db()
    assert (batch.status, staged_rows(batch)) == ("validated", [2, 3, 4, 5])
    before = list(ImportRow.objects.values_list("id", "row_number", "outcome"))

    with pytest.raises(imports.Superseded):
        imports._stage_chunk(old, [import_matching.StagedRow(9, "invalid")], 9)
    with pytest.raises(imports.Superseded):
        old.beat(force=True)
    with pytest.raises(imports.Superseded):
        imports.delete_staged_rows(batch.pk, lease=old)
    assert imports._transition(batch.pk, "finish_validation", lease=old, total_rows=1) is None
    assert imports._fail_validation(batch, old, "旧进程的错误") is None
    assert old.taken_over()
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows, batch.message) == ("validated", 4, "")
    assert list(ImportRow.objects.values_list("id", "row_number", "outcome")) == before


def test_old_worker_keeps_the_file_the_new_one_needs(worker, t, run, queue, clock, media):
    """A taken-over worker that ends (error or not) does not delete the upload: the restarted validation reads it."""
    batch = upload(worker, t, people(2))
    old = die_while_validating(batch, rows=1)
    clock.advance(minutes=6)
    with run():
        import_recovery.recover_stale_batches()
    stored = media / "imports" / f"{batch.public_id}.bin"
    imports._delete_file_unless_taken_over(batch, old)
    assert stored.exists()
    queue.work()
    batch.refresh_from_db()
    assert (batch.status, staged_rows(batch)) == ("validated", [2, 3])
    assert not stored.exists()


def test_lost_validation_task_is_queued_again(worker, t, run, queue, clock):
    """An upload whose task vanished with the worker (still `uploaded` past the threshold) is queued again;
    the duplicate task of a slow queue does nothing."""
    batch = upload(worker, t, people(2))
    queue.lose()
    clock.advance(minutes=6)
    with run():
        assert import_recovery.recover_stale_batches() == 1
    assert queue.names() == ["validate_import_batch"]
    imports.validate_batch(batch.pk)  # the old task, run late after all
    queue.work()
    batch.refresh_from_db()
    assert (batch.status, batch.attempt, batch.recoveries, staged_rows(batch)) == ("validated", 1, 0, [2, 3])
    assert not Notification.objects.exists()


# --- applying -----------------------------------------------------------------------------------------------


def test_stale_applying_batch_goes_back_to_validated_and_is_applied_once(worker, t, run, queue, clock):
    """The worker died while applying: nothing was applied (one transaction), the batch waits for a new
    confirmation with an honest message; confirming again imports each resident once, and the old worker's
    prepared writes are refused."""
    batch = validated(worker, t, run, queue, people(3))
    with run():
        imports.import_confirm(actor=worker, batch=batch, mode="valid_only")
    assert queue.names() == ["apply_import_batch"]
    queue.lose()
    batch.refresh_from_db()
    old = imports.Lease(batch.pk, batch.attempt, "applying")
    old.beat(force=True)
    plan = import_writers.prepare_apply(batch, actor=worker, beat=old.beat)  # ...and died before its transaction

    clock.advance(minutes=6)
    with run():
        assert import_recovery.recover_stale_batches() == 1
    batch.refresh_from_db()
    assert (batch.status, batch.mode, batch.recoveries, batch.message) == (
        "validated",
        "",
        1,
        "后台导入中断，未导入任何数据；已恢复为待确认，请重新确认导入",
    )
    assert Resident.objects.count() == 0 and queue.names() == []
    assert Notification.objects.get().title == (
        "导入批次《居民名单.csv》因后台进程中断未导入任何数据，已恢复为待确认，请重新确认导入"
    )
    assert AuditRecord.objects.get(action="registry.import_recovered").after == {
        "status": "validated",
        "attempt": batch.attempt,
        "recoveries": 1,
    }

    with run():
        imports.import_confirm(actor=worker, batch=batch, mode="valid_only")
    queue.work()
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.message) == ("applied", 3, "")
    with pytest.raises(imports.Superseded):
        imports._write_plan(batch, plan, actor=worker, lease=old)
    assert Resident.objects.count() == 3 and ResidentEvent.objects.count() == 3
    assert sorted(Resident.objects.values_list("name", flat=True)) == ["居民0", "居民1", "居民2"]

    clock.advance(minutes=60)
    assert import_recovery.recover_stale_batches() == 0
    batch.refresh_from_db()
    assert batch.status == "applied"


def test_apply_task_of_an_earlier_confirmation_does_nothing(worker, t, run, queue, clock):
    """A task left in a slow queue from before a recovery runs late: the batch has moved on, it applies nothing."""
    batch = validated(worker, t, run, queue, people(3))
    with run():
        imports.import_confirm(actor=worker, batch=batch, mode="valid_only")
    batch.refresh_from_db()
    first_attempt = batch.attempt
    queue.lose()
    clock.advance(minutes=6)
    with run():
        import_recovery.recover_stale_batches()
    with run():
        imports.import_confirm(actor=worker, batch=batch, mode="valid_only")
    assert imports.apply_batch(batch.pk, actor_id=worker.pk, attempt=first_attempt) is None
    assert Resident.objects.count() == 0
    queue.work()
    batch.refresh_from_db()
    assert (batch.status, Resident.objects.count()) == ("applied", 3)


def test_batch_recovered_too_often_is_failed(worker, t, run, queue, clock, media, settings):
    """After SHEQU_IMPORT_MAX_RECOVERIES recoveries the next stale validation fails the batch with a message;
    its staged rows and upload are deleted and the owner is told."""
    settings.SHEQU_IMPORT_MAX_RECOVERIES = 1
    batch = upload(worker, t, people(3))
    die_while_validating(batch, rows=1)
    clock.advance(minutes=6)
    with run():
        import_recovery.recover_stale_batches()
    queue.lose()  # the next worker dies too
    die_while_validating(batch, rows=2)
    clock.advance(minutes=6)
    with run():
        assert import_recovery.recover_stale_batches() == 1
    batch.refresh_from_db()
    assert (batch.status, batch.mode, batch.recoveries, batch.message) == (
        "failed",
        "",
        1,
        "后台处理多次中断，已停止校验；请重新上传文件",
    )
    assert staged_rows(batch) == [] and queue.names() == []
    assert not (media / "imports" / f"{batch.public_id}.bin").exists()
    assert [n.title for n in Notification.objects.order_by("id")] == [
        "导入批次《居民名单.csv》因后台进程中断已重新开始校验",
        "导入批次《居民名单.csv》的后台处理多次中断，已停止，请重新上传",
    ]
    failed = AuditRecord.objects.get(action="registry.import_failed")
    assert failed.after == {"stage": "validation", "message": batch.message, "recoveries": 1}


def test_apply_recovered_too_often_is_failed_but_can_be_confirmed_again(worker, t, run, queue, clock, settings):
    """An apply given up keeps its staged rows: the owner may confirm again."""
    settings.SHEQU_IMPORT_MAX_RECOVERIES = 0
    batch = validated(worker, t, run, queue, people(3))
    with run():
        imports.import_confirm(actor=worker, batch=batch, mode="all_or_nothing")
    queue.lose()
    clock.advance(minutes=6)
    with run():
        import_recovery.recover_stale_batches()
    batch.refresh_from_db()
    assert (batch.status, batch.mode, batch.message) == (
        "failed",
        "all_or_nothing",
        "后台导入多次中断，未导入任何数据；可稍后重新确认导入",
    )
    assert import_can_confirm(batch.status, batch.mode)
    with run():
        imports.import_confirm(actor=worker, batch=batch, mode="all_or_nothing")
    queue.work()
    batch.refresh_from_db()
    assert (batch.status, Resident.objects.count()) == ("applied", 3)


# --- page and task ------------------------------------------------------------------------------------------


def test_page_says_when_processing_stalled_and_when_it_was_recovered(client, worker, t, run, queue, clock):
    """Stale: the page says the background processing stopped; after recovery it says when it was recovered."""
    batch = upload(worker, t, people(2))
    die_while_validating(batch, rows=1)
    client.force_login(worker)
    detail = reverse("registry:import_detail", args=[batch.public_id])
    progress = reverse("registry:import_progress", args=[batch.public_id])
    assert "后台处理已中断" not in client.get(detail).content.decode()
    clock.advance(minutes=6)
    stalled = "后台处理已中断（最近一次进展：2026-03-16 17:30）；后台进程运行后会自动恢复，无需重新上传。"
    assert stalled in client.get(detail).content.decode()
    assert stalled in client.get(progress).content.decode()
    with run():
        import_recovery.recover_stale_batches()
    queue.work()
    page = client.get(detail).content.decode()
    assert "后台处理中断，已于 2026-03-16 17:36 自动恢复（共 1 次）" in page
    assert "后台处理已中断" not in page


def test_periodic_task_is_registered_every_minute_and_recovers(worker, t, run, queue, clock):
    from huey.contrib.djhuey import HUEY

    from shequ.registry import tasks

    for minute in (0, 7, 59):
        due = {task.name for task in HUEY.read_periodic(clock.now.replace(minute=minute))}
        assert "recover_import_batches" in due
    batch = upload(worker, t, people(1))
    die_while_validating(batch, rows=1)
    clock.advance(minutes=6)
    with run():
        assert tasks.recover_import_batches.call_local() == 1
    batch.refresh_from_db()
    assert batch.status == "uploaded"


# --- a real worker process, killed -------------------------------------------------------------------------

fork = multiprocessing.get_context("fork")


def _slow_validation(batch_id: int, started, result) -> None:
    """Child: validate with a pause after each chunk of two rows (a slow worker); report how it ended."""
    original = imports._stage_chunk

    def staged_then_pause(lease, staged, processed):
        original(lease, staged, processed)
        started.set()
        time.sleep(0.3)

    imports.STAGE_CHUNK = 2
    imports._stage_chunk = staged_then_pause
    done = imports.validate_batch(batch_id)
    result.put(done.status if done else "stopped")


def _apply_then_hang(batch_id: int, actor_id: int, attempt: int, inside) -> None:
    """Child: apply, and stop for good inside the transaction after the first residents were written."""
    original = import_writers._execute_chunk

    def execute_then_hang(cursor, statement, rows):
        original(cursor, statement, rows)
        if statement.table == Resident._meta.db_table:
            inside.set()
            time.sleep(120)

    import_writers.APPLY_CHUNK = 2
    import_writers._execute_chunk = execute_then_hang
    imports.apply_batch(batch_id, actor_id=actor_id, attempt=attempt)


def _start(target, *args):
    connection.close()  # the child opens its own connection
    child = fork.Process(target=target, args=args, daemon=True)
    child.start()
    return child


def _wait(event, child) -> None:
    if not event.wait(30):
        child.kill()
        pytest.fail("the worker process did not get going")


def _kill(child) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    assert child.exitcode == -signal.SIGKILL


def _recover_once_released() -> int:
    """Run the recovery until it gets the batch: PostgreSQL notices the dead client's connection a moment later."""
    for _ in range(100):
        if handled := import_recovery.recover_stale_batches():
            return handled
        time.sleep(0.1)
    return 0


@pytest.mark.django_db(transaction=True)
def test_killed_validation_worker_is_recovered_and_stages_each_row_once(flushable_audit, queue, clock):
    """SIGKILL in the middle of a validation in a real process: the recovery restarts it, 20 rows staged once."""
    t = make_tree()
    worker = staff("community_worker", t["c1"])
    batch = upload(worker, t, people(20))
    assert queue.names() == ["validate_import_batch"]
    queue.lose()
    started = fork.Event()
    child = _start(_slow_validation, batch.pk, started, fork.Queue())
    try:
        _wait(started, child)
        _kill(child)
    finally:
        child.kill()
    batch.refresh_from_db()
    assert batch.status == "validating" and 2 <= batch.processed_rows < 20
    assert len(staged_rows(batch)) == batch.processed_rows

    clock.advance(minutes=6)
    assert _recover_once_released() == 1
    assert queue.work() == ["validate_import_batch"]
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows, batch.valid_rows, batch.recoveries) == ("validated", 20, 20, 1)
    assert staged_rows(batch) == list(range(2, 22))


@pytest.mark.django_db(transaction=True)
def test_slow_validation_worker_taken_over_stops_without_writing(flushable_audit, queue, clock):
    """A real worker process that is slow, not dead, is taken over: it stops at its next chunk, writes nothing
    more and keeps the file; the new run stages every row once."""
    t = make_tree()
    worker = staff("community_worker", t["c1"])
    batch = upload(worker, t, people(20))
    queue.lose()
    started, result = fork.Event(), fork.Queue()
    child = _start(_slow_validation, batch.pk, started, result)
    try:
        _wait(started, child)
        clock.advance(minutes=6)  # the child's clock stands still: its heartbeats look old to this process
        assert _recover_once_released() == 1
        queue.work()
        assert result.get(timeout=30) == "stopped"
        child.join(10)
        assert child.exitcode == 0
    finally:
        child.kill()
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows, batch.attempt) == ("validated", 20, 3)
    assert staged_rows(batch) == list(range(2, 22))


@pytest.mark.django_db(transaction=True)
def test_killed_apply_worker_applied_nothing_and_the_new_confirmation_applies_once(flushable_audit, queue, clock):
    """SIGKILL inside the apply transaction of a real process: while it runs the recovery cannot touch the batch
    (PostgreSQL skips the locked row; SQLite's writer lock holds it off); after the kill nothing was applied,
    the batch goes back to validated, and confirming again imports each resident exactly once."""
    t = make_tree()
    worker = staff("community_worker", t["c1"])
    batch = upload(worker, t, people(6))
    queue.work()
    imports.import_confirm(actor=worker, batch=ImportBatch.objects.get(pk=batch.pk), mode="all_or_nothing")
    queue.lose()
    batch.refresh_from_db()
    inside = fork.Event()
    child = _start(_apply_then_hang, batch.pk, worker.pk, batch.attempt, inside)
    try:
        _wait(inside, child)
        clock.advance(minutes=6)
        if connection.vendor == "postgresql":
            assert import_recovery.recover_stale_batches() == 0
        else:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 300")
            with pytest.raises(OperationalError):
                import_recovery.recover_stale_batches()
            connection.close()
        batch.refresh_from_db()
        assert (batch.status, batch.recoveries) == ("applying", 0)
        _kill(child)
    finally:
        child.kill()
    assert Resident.objects.count() == 0
    assert _recover_once_released() == 1
    batch.refresh_from_db()
    assert (batch.status, batch.recoveries) == ("validated", 1)
    imports.import_confirm(actor=worker, batch=batch, mode="all_or_nothing")
    queue.work()
    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == ("applied", 6)
    assert Resident.objects.count() == 6 and ResidentEvent.objects.count() == 6
