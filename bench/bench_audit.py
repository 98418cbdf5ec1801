"""Benchmark: the audit write path against a bare insert, and writers running while the sealer seals.

Run: `python bench/bench_audit.py` (SQLite in a temporary directory), or with
`SHEQU_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_bench` for PostgreSQL (the database is
created if missing and its tables are replaced). Prints ratios against the baseline measured in the same run.
"""

import multiprocessing
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402,F401  (sets up Django on a throw-away database)
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402

from shequ.core import audit  # noqa: E402
from shequ.core.actors import system_job
from shequ.core.audit_anchor import append_anchor, check_anchors  # noqa: E402
from shequ.core.models import AuditRecord  # noqa: E402

BENCH = system_job("bench.audit", "bench.audit")

N = 2000
THREADS = 4


def bare_insert(n: int) -> float:
    """Baseline: the same row inserted directly (no masking, no seal scheduling), one transaction each."""
    start = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            AuditRecord.objects.create(
                actor_label="bench",
                action="bench.bare",
                object_id=str(i),
                after={"mobile": "13812345678", "i": i},
                key_id="a1",
            )
    return time.perf_counter() - start


def audited_insert(n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            audit.record(actor=BENCH, action="bench.audit", object_id=str(i), after={"mobile": "13812345678", "i": i})
    return time.perf_counter() - start


def inline_chained_record(i: int) -> None:
    """The design avoided: each writer locks the chain head, reads it and appends the next link."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(42)")
        last = AuditRecord.objects.filter(seq__isnull=False).order_by("-seq").only("seq", "hash").first()
        row = AuditRecord(
            actor_label="bench",
            action="bench.inline",
            object_id=str(i),
            after={"i": i},
            seq=(last.seq or 0) + 1 if last else 1,
            prev_hash=last.hash if last else audit.GENESIS_HASH,
            key_id="a1",
        )
        row.hash = audit.compute_hash(row)
        row.save()


def parallel_inline(n_per_thread: int) -> float:
    def writer():
        for i in range(n_per_thread):
            inline_chained_record(i)
        connection.close()

    threads = [threading.Thread(target=writer) for _ in range(THREADS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def parallel_writers(n_per_thread: int, with_sealer: bool) -> float:
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()

    def writer():
        for i in range(n_per_thread):
            with transaction.atomic():
                audit.record(actor=BENCH, action="bench.parallel", object_id=str(i), after={"i": i})
        connection.close()

    def sealer_process(stop_event):
        # The sealer runs in the worker process in production, so here too: no GIL shared with the writers.
        connection.close()
        while not stop_event.is_set():
            audit.seal_pending()
            time.sleep(0.05)
        connection.close()

    threads = [threading.Thread(target=writer) for _ in range(THREADS)]
    connection.close()
    seal_thread = ctx.Process(target=sealer_process, args=(stop,)) if with_sealer else None
    start = time.perf_counter()
    if seal_thread:
        seal_thread.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    stop.set()
    if seal_thread:
        seal_thread.join()
    close_old_connections()
    return elapsed


def main() -> None:
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    bare_insert(200)  # warm-up
    audited_insert(200)
    base = bare_insert(N)
    aud = audited_insert(N)
    seal_start = time.perf_counter()
    sealed = audit.seal_pending()
    seal = time.perf_counter() - seal_start
    per = N // THREADS
    no_sealer = parallel_writers(per, with_sealer=False)
    audit.seal_pending()
    with_sealer = parallel_writers(per, with_sealer=True)
    audit.seal_pending()
    inline = parallel_inline(per)
    verify_start = time.perf_counter()
    result = audit.verify_chain()
    verify = time.perf_counter() - verify_start
    anchor_start = time.perf_counter()
    append_anchor()
    anchors = check_anchors(full=True)
    anchor = time.perf_counter() - anchor_start
    print(f"database: {vendor}; {N} writes per scenario, one transaction each")
    if not result.ok:
        sys.exit(f"chain broken: {result}")
    rows = [
        ("bare insert of the same row (baseline)", base / N, 1.0),
        ("audit.record (masking + seal scheduling)", aud / N, aud / base),
        ("sealing (HMAC chain), per record", seal / max(sealed, 1), seal / max(sealed, 1) / (base / N)),
        ("verifying the whole chain, per record", verify / result.checked, verify / result.checked / (base / N)),
        (f"{THREADS} writer threads, no sealer (baseline)", no_sealer / N, 1.0),
        (f"{THREADS} writer threads while a sealer process runs", with_sealer / N, with_sealer / no_sealer),
        (f"{THREADS} writer threads chaining inline (design avoided)", inline / N, inline / no_sealer),
    ]
    print(f"{'scenario':56} {'per write':>10} {'ratio':>8}")
    print("-" * 76)
    for label, per_write, ratio in rows:
        print(f"{label:56} {per_write * 1e6:8.0f}us {ratio:8.2f}")
    print(f"chain verified: ok={result.ok}, {result.checked} records, {result.unsealed} unsealed")
    print(f"anchoring the head and checking it against the table: {anchor * 1e3:.1f} ms, ok={anchors.ok}")
    if not (result.ok and anchors.ok):
        sys.exit(1)


if __name__ == "__main__":
    main()
