"""Keyed seals and anchors: the audit log cannot be emptied, cut short or rewritten unnoticed.

Each tamper test plays an attacker who holds the database (and may drop the triggers, as a DBA could) but
not the audit key, which lives outside the database.
"""

import hashlib
import json
import os
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from shequ.core import audit
from shequ.core.actors import system_job
from shequ.core.audit_anchor import anchor_file, append_anchor, check_anchors, integrity_check, read_anchors
from shequ.core.audit_keys import (
    AuditKeyError,
    AuditKeyring,
    audit_key_init,
    ensure_audit_keyring_usable,
    load_audit_keyring,
    parse_audit_keyring,
)
from shequ.core.models import AuditRecord
from shequ.core.tests.audit_guards import drop_guards, install_guards

TESTER = system_job("test.tester", "test.tester")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _guards_installed(db):
    install_guards()


def _write(n, prefix="a"):
    return [
        audit.record(actor=TESTER, action=f"test.{prefix}{i}", object_type="x", object_id=str(i), after={"i": i})
        for i in range(n)
    ]


def _reseal_without_key(from_seq: int, *, downgrade: bool) -> None:
    """What an attacker without the key can do after editing: recompute every seal from `from_seq` on, with
    plain SHA-256 (either claiming the rows are old unkeyed ones, or keeping their version)."""
    rows = list(AuditRecord.objects.filter(seq__gte=from_seq).order_by("seq"))
    prev = AuditRecord.objects.get(seq=from_seq - 1).hash if from_seq > 1 else audit.GENESIS_HASH
    for row in rows:
        if downgrade:
            row.canon_version, row.key_id = 1, ""
        row.prev_hash = prev
        row.hash = hashlib.sha256(audit._canonical(row)).hexdigest()
        prev = row.hash
        AuditRecord.objects.filter(pk=row.pk).update(
            canon_version=row.canon_version, key_id=row.key_id, prev_hash=row.prev_hash, hash=row.hash
        )


def test_new_rows_are_sealed_with_an_hmac_under_the_named_key():
    """A new row records key id a1 and version 2; its seal is the HMAC, not a plain SHA-256."""
    _write(3)
    audit.seal_pending()
    row = AuditRecord.objects.get(seq=2)
    assert (row.key_id, row.canon_version) == ("a1", 3)
    assert row.hash != hashlib.sha256(audit._canonical(row)).hexdigest()
    assert row.hash == audit.compute_hash(row, load_audit_keyring())
    result = audit.verify_chain()
    assert (result.ok, result.checked, result.legacy) == (True, 3, 0)


def test_rows_sealed_before_keyed_sealing_keep_sha256_and_verify():
    """Rows from before the change (version 1, no key) keep SHA-256; the chain continues with HMAC seals."""
    old = [
        AuditRecord.objects.create(actor_label="old", action=f"old.{i}", canon_version=1, key_id="") for i in range(3)
    ]
    ring = AuditKeyring(active="a1", keys=load_audit_keyring().keys, legacy_max_id=old[-1].id)
    with override_settings(SHEQU_AUDIT_KEYRING=ring.to_json()):
        audit.seal_pending()
        _write(2)
        audit.seal_pending()
        first = AuditRecord.objects.get(seq=1)
        assert first.hash == hashlib.sha256(audit._canonical(first)).hexdigest()
        result = audit.verify_chain()
        assert (result.ok, result.checked, result.legacy) == (True, 5, 3)


def test_rewriting_and_resealing_without_the_key_is_detected():
    """Edit a row, then recompute every later seal with SHA-256: the first edited row fails its seal."""
    _write(5)
    audit.seal_pending()
    drop_guards()
    AuditRecord.objects.filter(seq=3).update(after={"i": "forged"})
    _reseal_without_key(3, downgrade=False)
    result = audit.verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "seal" in result.problem


def test_passing_rewritten_rows_off_as_old_unkeyed_rows_is_detected():
    """Re-sealing rows as version 1 (plain SHA-256) is refused for rows newer than keyed sealing."""
    _write(5)
    audit.seal_pending()
    drop_guards()
    AuditRecord.objects.filter(seq=4).update(action="forged")
    _reseal_without_key(1, downgrade=True)  # the whole chain rebuilt as "old" rows
    result = audit.verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, 1)
    assert "unkeyed seal" in result.problem


def test_a_row_naming_an_unknown_key_fails():
    _write(2)
    audit.seal_pending()
    drop_guards()
    AuditRecord.objects.filter(seq=2).update(key_id="zz")
    result = audit.verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, 2)
    assert "'zz' is not in the audit keyring" in result.problem


def test_deleting_the_newest_rows_is_detected_by_the_anchors():
    """The chain alone still verifies after the tail is cut; the anchor outside the database does not."""
    _write(5)
    append_anchor()
    drop_guards()
    AuditRecord.objects.filter(seq__gte=4).delete()
    assert audit.verify_chain().ok  # why anchors exist
    check = check_anchors(full=False)
    assert not check.ok
    assert check.problem.startswith("rows missing at the end: anchors reach seq 5, the table ends at seq 3")
    assert not integrity_check(full=True).ok


def test_deleting_the_tail_and_writing_new_rows_is_detected():
    """New rows sealed into the freed sequence numbers do not carry the anchored seal."""
    _write(5)
    append_anchor()
    drop_guards()
    AuditRecord.objects.filter(seq__gte=4).delete()
    install_guards()
    _write(4, prefix="b")
    audit.seal_pending()
    check = check_anchors(full=False)
    assert not check.ok
    assert "seq 5 does not match its anchor" in check.problem


def test_emptying_the_table_is_refused_and_detected():
    """TRUNCATE is refused by a statement trigger (PostgreSQL), DELETE by a row trigger; without them the
    anchors still show the table was emptied."""
    _write(3)
    append_anchor()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="truncate refused"), transaction.atomic(), connection.cursor() as cur:
            cur.execute("TRUNCATE core_auditrecord")
    with pytest.raises(DatabaseError, match="delete refused"), transaction.atomic():
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.count() == 3
    drop_guards()
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE core_auditrecord" if connection.vendor == "postgresql" else "DELETE FROM core_auditrecord"
        )
    assert audit.verify_chain().ok  # an empty chain is a valid chain
    check = check_anchors(full=True)
    assert not check.ok
    assert "the table was emptied" in check.problem
    with pytest.raises(CommandError, match="does not match its anchors"):
        call_command("audit_verify")


def test_rewritten_history_is_caught_by_an_older_anchor():
    """A full check compares every anchored head, not only the newest."""
    _write(3)
    append_anchor()
    _write(3, prefix="b")
    append_anchor()
    drop_guards()
    AuditRecord.objects.filter(seq=2).update(action="forged")
    _reseal_without_key(2, downgrade=False)
    assert check_anchors(full=False).ok is False  # the newest head changed too
    check = check_anchors(full=True)
    assert "seq 3 does not match its anchor" in check.problem


def test_forged_anchor_lines_are_reported():
    """An anchor line without the right HMAC is not trusted."""
    _write(2)
    append_anchor()
    with anchor_file().open("a") as fh:
        fh.write(
            json.dumps(
                {
                    "v": 1,
                    "at": "2026-01-01T00:00:00+00:00",
                    "event": "head",
                    "seq": 1,
                    "hash": "0" * 64,
                    "kid": "a1",
                    "mac": "f" * 64,
                }
            )
            + "\n"
        )
    check = check_anchors()
    assert not check.ok
    assert check.problem == "anchor line 2: its HMAC does not match (forged or altered)"


def test_anchor_file_is_append_only_and_private():
    """Anchors are appended, never rewritten; the file is 0600 in a 0700 directory."""
    _write(1)
    first = append_anchor()
    _write(2, prefix="b")
    second = append_anchor()
    path = anchor_file()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    anchors = read_anchors(load_audit_keyring()).anchors
    assert (
        [(a.seq, a.hash) for a in anchors]
        == [(first.seq, first.hash), (second.seq, second.hash)]
        == [
            (1, AuditRecord.objects.get(seq=1).hash),
            (3, AuditRecord.objects.get(seq=3).hash),
        ]
    )


def test_a_reset_after_restoring_a_backup_is_recorded_and_accepted(capsys):
    """After a restore the anchors run ahead; `audit-anchor --reset` records the restored head with a reason."""
    _write(5)
    append_anchor()
    drop_guards()
    AuditRecord.objects.filter(seq__gte=3).delete()  # the "restored backup" ends at seq 2
    install_guards()
    assert not check_anchors().ok
    call_command("audit_anchor", "--reset", "restored the backup of 2026-12-01")
    assert "(reset)" in capsys.readouterr().out
    assert check_anchors().ok
    assert AuditRecord.objects.filter(action="core.audit_anchor_reset").count() == 1


def test_rotation_keeps_old_rows_verifiable(tmp_path):
    """A rotated keyring seals new rows with the new key; rows under the old key still verify."""
    key_file = tmp_path / "keys" / "audit-keyring.json"
    with override_settings(SHEQU_AUDIT_KEYRING=None, SHEQU_AUDIT_KEY_FILE=str(key_file)):
        assert "created audit keyring" in audit_key_init()
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        _write(2)
        call_command("audit_key", "rotate")
        _write(2, prefix="b")
        audit.seal_pending()
        ring = load_audit_keyring()
        assert (ring.active, sorted(ring.keys)) == ("a2", ["a1", "a2"])
        assert list(AuditRecord.objects.order_by("seq").values_list("key_id", flat=True)) == [
            "a1",
            "a1",
            "a2",
            "a2",
            "a2",
        ]
        assert audit.verify_chain().ok
        assert ensure_audit_keyring_usable().active == "a2"
        # A keyring holding the wrong key for a2 does not open the newest seal: refuse to start.
        wrong = AuditKeyring(active="a2", keys={**ring.keys, "a2": b"x" * 32}, legacy_max_id=ring.legacy_max_id)
        key_file.write_text(wrong.to_json())
        with override_settings(SHEQU_AUDIT_KEY_FILE=str(key_file) + ""):
            from shequ.core.audit_keys import forget_cached_audit_keyring

            forget_cached_audit_keyring()
            with pytest.raises(AuditKeyError, match="does not open the newest seal"):
                ensure_audit_keyring_usable()


def test_init_refuses_when_keyed_rows_exist_but_the_keyring_is_missing(tmp_path):
    _write(1)
    with override_settings(SHEQU_AUDIT_KEYRING=None, SHEQU_AUDIT_KEY_FILE=str(tmp_path / "none.json")):
        with pytest.raises(AuditKeyError, match="restore the keyring"):
            audit_key_init()
        with pytest.raises(AuditKeyError, match="audit-key init"):
            ensure_audit_keyring_usable()


def test_init_on_an_existing_log_allows_its_old_rows_only(tmp_path):
    """`audit-key init` on a database with unkeyed rows records the newest one; later unkeyed rows fail."""
    old = AuditRecord.objects.create(actor_label="old", action="old.0", canon_version=1, key_id="")
    with override_settings(SHEQU_AUDIT_KEYRING=None, SHEQU_AUDIT_KEY_FILE=str(tmp_path / "k.json")):
        audit_key_init()
        assert load_audit_keyring().legacy_max_id == old.id
        late = AuditRecord.objects.create(actor_label="late", action="old.1", canon_version=1, key_id="")
        audit.seal_pending()
        result = audit.verify_chain()
        assert (result.ok, result.first_bad_id) == (False, late.id)


def test_keyring_parse_errors_are_clear():
    with pytest.raises(AuditKeyError, match="unreadable"):
        parse_audit_keyring('{"active": "a1", "keys": {"a1": "c2hvcnQ="}}')


def test_audit_verify_command_reports_both_kinds_and_anchors(capsys):
    _write(2)
    call_command("audit_anchor")
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert (
        "audit chain intact: 2 record(s) verified (0 with the older SHA-256 seal), 0 pending; matches 1 anchor(s)"
        in out
    )
    assert "warning" not in out


def test_audit_verify_command_warns_or_fails_when_anchoring_stopped(capsys):
    _write(1)
    call_command("audit_verify")
    assert "warning: anchoring has stopped or not started: newest anchor never" in capsys.readouterr().out
    with pytest.raises(CommandError, match="anchoring has stopped"):
        call_command("audit_verify", "--require-fresh-anchor")


def test_documented_application_role_can_write_and_seal_but_not_rewrite_or_empty():
    """With `shequ db-grants`, the application role inserts and seals; it cannot update content, delete or
    truncate, and cannot disable the triggers. (SQLite has no roles: the command says so.)"""
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="for PostgreSQL deployments"):
            call_command("db_grants", "shequ_app_test")
        return
    with connection.cursor() as cur:
        cur.execute("DROP ROLE IF EXISTS shequ_app_test")
        cur.execute("CREATE ROLE shequ_app_test")
    call_command("db_grants", "shequ_app_test", "--apply")
    rec = _write(1)[0]
    with connection.cursor() as cur:
        cur.execute("SET ROLE shequ_app_test")
        try:
            cur.execute(
                "INSERT INTO core_auditrecord (created_at, actor_label, actor_kind, actor_ref, action, object_type, "
                "object_id, object_label, ip, prev_hash, hash, key_id, canon_version) "
                "VALUES (now(), 'app', '', '', 'x', '', '', '', '', '', '', 'a1', 3)"
            )
            cur.execute(
                "UPDATE core_auditrecord SET seq = 1, prev_hash = %s, hash = 'h' WHERE id = %s",
                [audit.GENESIS_HASH, rec.id],
            )
            for stmt, message in [
                ("UPDATE core_auditrecord SET action = 'forged'", "permission denied"),
                ("DELETE FROM core_auditrecord", "permission denied"),
                ("TRUNCATE core_auditrecord", "permission denied"),
                ("ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_no_truncate", "must be owner"),
            ]:
                with pytest.raises(DatabaseError, match=message), transaction.atomic():
                    cur.execute(stmt)
        finally:
            cur.execute("RESET ROLE")
