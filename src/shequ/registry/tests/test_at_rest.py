"""Personal information at rest: no clear ID, mobile or birth date in the database files; key rotation keeps data
usable. Every test runs under both cipher suites (`pii_suite`)."""

import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.db import connection

from shequ.core import crypto
from shequ.core.keyring import keyring_rotate
from shequ.core.tests.suites import suite_fixture
from shequ.registry import encryption, imports, selectors
from shequ.registry.models import Resident
from shequ.registry.tests.factories import make_resident, registrar_of, valid_id
from shequ.territory.tests.factories import make_tree

ID_NUMBER = valid_id("19761203", 357)
MOBILE = "13987654321"
pii_suite = suite_fixture()


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
def test_rotation_reencrypts_and_search_still_works(tmp_path, settings, pii_suite):
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
        assert f"active key is now k2 ({pii_suite})" in out.getvalue()
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
        # The care-tag hashes (no ciphertext behind them) were re-hashed: the tag filter still finds the resident.
        assert list(final.tag_hashes.values_list("tag_hash", flat=True)) == encryption.tag_lookup_hashes("disabled")
    finally:
        crypto.forget_cached_keyring()
        assert settings.SHEQU_PII_KEY_FILE == str(ring_file)


@pytest.mark.django_db
def test_values_and_uploads_use_the_active_keys_suite(pii_suite):
    """Register values and stored uploads are sealed with the active key's suite and open only with it."""
    t = make_tree()
    r = Resident.objects.get(pk=make_resident(t["c1"], name="赵六", id_number=ID_NUMBER, mobile=MOBILE).pk)
    ring = crypto.load_keyring()
    assert ring.active_key.suite == pii_suite
    other_suite = crypto.SM4_SUITE if pii_suite == crypto.AES_SUITE else crypto.AES_SUITE
    impostor = crypto.Keyring("k1", {"k1": crypto.new_key("k1", other_suite)})
    with pytest.raises(crypto.KeyringError):
        crypto.decrypt(r.id_number_encrypted, purpose=encryption.ID_PURPOSE, ring=impostor)
    key = ring.active_key
    assert r.mobile_hash == crypto.SUITES[pii_suite].mac(key.mac, f"{encryption.MOBILE_PURPOSE}:{MOBILE}".encode())
    blob = imports.seal_bytes(b"id,mobile\n" + MOBILE.encode())
    assert blob.startswith(b"k1$") and MOBILE.encode() not in blob
    body = blob.split(b"$", 1)[1]
    plain = crypto.SUITES[pii_suite].open(key.enc, body[:12], body[12:], imports.FILE_PURPOSE.encode())
    assert plain == imports.open_bytes(blob) == b"id,mobile\n" + MOBILE.encode()
