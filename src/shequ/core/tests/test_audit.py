"""Audit log: append-only, sealed into a hash chain, verification names the first tampered row."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from shequ.core import audit
from shequ.core.actors import system_job
from shequ.core.models import AuditRecord
from shequ.core.tests.audit_guards import drop_guards, install_guards

TESTER = system_job("test.tester", "test.tester")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _guards_installed(db):
    """Browser tests drop the SQLite guards before their flush; make sure they are in place here."""
    install_guards()


def _write(n):
    return [
        audit.record(
            actor=TESTER,
            action=f"test.action{i}",
            object_type="x",
            object_id=str(i),
            after={"mobile": "13812345678", "note": f"n{i}"},
        )
        for i in range(n)
    ]


def test_record_masks_personal_information():
    """Mobile numbers in before/after and labels are stored masked."""
    rec = audit.record(
        actor=TESTER,
        action="t",
        object_label="张三 13812345678",
        after={"mobile": "13812345678", "text": "身份证 510107199001011234"},
    )
    rec.refresh_from_db()
    assert rec.after["mobile"] == "138****5678"
    assert rec.after["text"] == "身份证 5101**********1234"
    assert rec.object_label == "张三 138****5678"


def test_seal_assigns_consecutive_sequence_and_chain():
    """Sealing numbers rows 1..n in insertion order and links each hash to the previous one."""
    _write(5)
    assert audit.seal_pending() == 5
    rows = list(AuditRecord.objects.order_by("seq"))
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == audit.GENESIS_HASH
    for prev, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == prev.hash
    assert audit.seal_pending() == 0
    assert audit.verify_chain().ok
    assert audit.verify_chain().checked == 5


def test_sealing_is_incremental():
    """Rows written after a seal continue the same chain."""
    _write(2)
    audit.seal_pending()
    _write(3)
    audit.seal_pending()
    result = audit.verify_chain()
    assert (result.ok, result.checked, result.unsealed) == (True, 5, 0)


def test_database_refuses_update_of_sealed_row_and_any_delete():
    """The triggers make the table append-only."""
    _write(1)
    audit.seal_pending()
    row = AuditRecord.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=row.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=row.pk).delete()
    row.refresh_from_db()
    assert row.action == "test.action0"


def test_database_refuses_content_change_of_unsealed_row():
    """Even before sealing, only the chain columns may be filled in."""
    rec = _write(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=rec.pk).update(actor_label="someone-else")


def test_verify_names_edited_row():
    """Editing a sealed row's content breaks its own hash: that row is named."""
    _write(5)
    audit.seal_pending()
    drop_guards()
    target = AuditRecord.objects.get(seq=3)
    AuditRecord.objects.filter(pk=target.pk).update(after={"note": "forged"})
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_bad_seq == 3
    assert result.first_bad_id == target.pk
    assert "edited" in result.problem


def test_verify_names_row_after_deleted_one():
    """Deleting a row leaves a gap: the row after the gap is named."""
    _write(5)
    audit.seal_pending()
    drop_guards()
    AuditRecord.objects.filter(seq=2).delete()
    result = audit.verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "deleted" in result.problem


def test_verify_detects_reordering():
    """Swapping two rows' sequence numbers is detected at the first swapped position."""
    _write(4)
    audit.seal_pending()
    drop_guards()
    a, b = AuditRecord.objects.get(seq=2), AuditRecord.objects.get(seq=3)
    AuditRecord.objects.filter(pk=a.pk).update(seq=-1)
    AuditRecord.objects.filter(pk=b.pk).update(seq=2)
    AuditRecord.objects.filter(pk=a.pk).update(seq=3)
    result = audit.verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, 2)


def test_audit_verify_command(capsys):
    """`shequ audit-verify` seals, reports success, and fails naming the tampered row."""
    _write(3)
    call_command("audit_verify")
    assert "audit chain intact: 3 record(s) verified" in capsys.readouterr().out
    drop_guards()
    AuditRecord.objects.filter(seq=2).update(action="forged")
    with pytest.raises(CommandError, match="broken at seq 2"):
        call_command("audit_verify")
