"""Concurrent writers never wait on the chain head, and concurrent sealers never number a row twice."""

import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from shequ.core import audit
from shequ.core.actors import system_job
from shequ.core.models import AuditRecord

WRITER = system_job("test.writer", "test.writer")

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS, PER_WRITER = 4, 25


def _run_threads(targets):
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                close_old_connections()
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_writers_and_sealers_in_parallel_keep_one_intact_chain(flushable_audit):
    """4 writers × 25 records in their own transactions while 2 sealers run: 100 rows, seq 1..100, chain ok."""

    def writer(n):
        def run():
            for i in range(PER_WRITER):
                with transaction.atomic():
                    audit.record(actor=WRITER, action="test.concurrent", object_id=f"{n}-{i}")

        return run

    stop = threading.Event()

    def sealer():
        while not stop.is_set():
            audit.seal_pending(batch_size=7)
            time.sleep(0.005)
        connection.close()

    sealers = [threading.Thread(target=sealer) for _ in range(2)]
    for s in sealers:
        s.start()
    errors = _run_threads([writer(n) for n in range(WRITERS)])
    stop.set()
    for s in sealers:
        s.join(timeout=60)
    assert errors == []
    audit.seal_pending()
    seqs = list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, WRITERS * PER_WRITER + 1))
    result = audit.verify_chain()
    assert (result.ok, result.checked, result.unsealed) == (True, WRITERS * PER_WRITER, 0)
