"""Personal information at rest: no clear ID, mobile or birth date in the database files; key rotation keeps data
usable."""

import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.db import connection

from shequ.core import crypto
from shequ.core.keyring import keyring_rotate
from shequ.registry import encryption, selectors
from shequ.registry.models import Resident
from shequ.registry.tests.factories import make_resident, registrar_of, valid_id
from shequ.territory.tests.factories import make_tree

ID_NUMBER = valid_id("19761203", 357)
MOBILE = "13987654321"


@pytest.mark.django_db(transaction=True)
def test_database_files_hold_no_clear_id_or_mobile(flushable_audit):
    """After a committed registration, neither the SQLite file (and its WAL) nor a pg_dump contains the numbers or
    the birth date."""
    t = make_tree()
    make_resident(t["c1"], name="王小明", id_number=ID_NUMBER, mobile=MOBILE, notes=f"电话{MOBILE}")
    if connection.vendor == "sqlite":
        path = connection.settings_dict["NAME"]
        connection.close()
        blobs = b""
        for suffix in ("", "-wal", "-shm"):
            try:
                with open(f"{path}{suffix}", "rb") as fh:
                    blobs += fh.read()
            except FileNotFoundError:
                pass
        assert len(blobs) > 10_000
    else:
        pg_dump = shutil.which("pg_dump")
        assert pg_dump, "pg_dump is needed to check the PostgreSQL dump"
        db = connection.settings_dict
        blobs = subprocess.run(  # noqa: S603 - fixed argv
            [
                pg_dump,
                "--data-only",
                "-h",
                db["HOST"] or "127.0.0.1",
                "-p",
                str(db["PORT"] or 5432),
                "-U",
                db["USER"] or "postgres",
                db["NAME"],
            ],
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout
        assert "王小明".encode() in blobs  # the dump is real and holds the row
    for secret in (ID_NUMBER, MOBILE, ID_NUMBER[6:14] + ID_NUMBER[14:], "1976-12-03", "19761203"):
        assert secret.encode() not in blobs
        assert secret.encode("utf-16-le") not in blobs


@pytest.mark.django_db
def test_rotation_reencrypts_and_search_still_works(tmp_path, settings):
    """Rotating the keyring re-encrypts every value under the new key; exact search and reveal still work."""
    ring_file = tmp_path / "ring.json"
    crypto.write_keyring_file(crypto.load_keyring(), ring_file)
    settings.SHEQU_PII_KEYRING = ""
    settings.SHEQU_PII_KEY_FILE = str(ring_file)
    crypto.forget_cached_keyring()
    try:
        t = make_tree()
        worker = registrar_of(t["c1"])
        r = make_resident(
            t["c1"], name="李四", id_number=ID_NUMBER, mobile=MOBILE, care_tags=["disabled"], actor=worker
        )
        before = Resident.objects.get(pk=r.pk)
        out = io.StringIO()
        call_command("pii_key", "rotate", stdout=out)  # the documented command: `shequ pii-key rotate`
        assert "registry.Resident.id_number_encrypted: 1 value(s) re-encrypted" in out.getvalue()
        assert "registry.Resident.birth_date_encrypted: 1 value(s) re-encrypted" in out.getvalue()
        assert "active key is now k2" in out.getvalue()
        after = Resident.objects.get(pk=r.pk)
        assert after.id_number_encrypted.startswith("k2$") and after.mobile_encrypted.startswith("k2$")
        assert after.birth_date_encrypted.startswith("k2$") and after.birth_decade == 1970
        assert after.id_number_hash != before.id_number_hash
        assert list(selectors.find_by_document(worker, ID_NUMBER)) == [after]
        assert list(selectors.find_by_mobile(worker, MOBILE)) == [after]
        assert encryption.decrypt_document(after.id_number_encrypted) == ID_NUMBER
        keyring_rotate(drop_old=True)
        crypto.forget_cached_keyring()
        ring = crypto.load_keyring()
        assert sorted(ring.keys) == ["k3"]
        final = Resident.objects.get(pk=r.pk)
        assert encryption.decrypt_document(final.id_number_encrypted) == ID_NUMBER
        assert encryption.decrypt_sensitive_tags(final.sensitive_tags_encrypted) == ["disabled"]
        assert encryption.decrypt_birth_date(final.birth_date_encrypted).isoformat() == "1976-12-03"
        assert list(selectors.find_by_document(worker, ID_NUMBER)) == [final]
    finally:
        crypto.forget_cached_keyring()
        assert settings.SHEQU_PII_KEY_FILE == str(ring_file)
