"""Personal-information keyring: encryption, keyed hashes, refusing to start without the right key, rotation,
cipher suites (AES-256-GCM/HMAC-SHA256 and SM4-GCM/HMAC-SM3) and reloading a rotated keyring. Every test runs
under both suites (`pii_suite`)."""

import base64
import io
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.management import CommandError, call_command
from django.test import override_settings

from shequ.accounts.tests.factories import staff
from shequ.core import crypto, secrets_box
from shequ.core.crypto import AES_SUITE, SM4_SUITE, Keyring, KeyringError, new_key
from shequ.core.keyring import ensure_keyring_usable, keyring_drop_old, keyring_init, keyring_rotate, old_key_residue
from shequ.core.models import KeyCanary
from shequ.core.tests.suites import suite_fixture
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db
pii_suite = suite_fixture()
OTHER = {AES_SUITE: SM4_SUITE, SM4_SUITE: AES_SUITE}
TOTP_PURPOSE = "accounts.totp"  # accounts.services.TOTP_PURPOSE (core tests do not import services above core)


@pytest.fixture(autouse=True)
def _fresh_cache():
    crypto.forget_cached_keyring()
    yield
    crypto.forget_cached_keyring()


def _ring_json(*keys, active=None):
    ring = Keyring(active=active or keys[-1].key_id, keys={k.key_id: k for k in keys})
    return ring.to_json()


def test_encrypt_roundtrip_and_column_binding():
    """A value decrypts under its own purpose only; ciphertexts differ each time (random nonce)."""
    a = crypto.encrypt("13812345678", purpose="x.mobile")
    b = crypto.encrypt("13812345678", purpose="x.mobile")
    assert a != b and a.startswith("k1$") and "13812345678" not in a
    assert crypto.decrypt(a, purpose="x.mobile") == "13812345678"
    with pytest.raises(KeyringError):
        crypto.decrypt(a, purpose="x.id_number")
    assert crypto.encrypt("", purpose="x") == ""


def test_keyed_hash_is_stable_and_keyed():
    """The same value hashes equally under one key and differently under another."""
    h1 = crypto.keyed_hash("510107199001011234", purpose="p")
    assert h1 == crypto.keyed_hash("510107199001011234", purpose="p")
    other = new_key("k9")
    with override_settings(SHEQU_PII_KEYRING=_ring_json(other)):
        crypto.forget_cached_keyring()
        assert crypto.keyed_hash("510107199001011234", purpose="p") != h1


def test_lookup_hashes_cover_every_key_in_the_ring():
    """During a rotation an exact search matches rows hashed under the old or the new key."""
    old, new = new_key("k1"), new_key("k2")
    with override_settings(SHEQU_PII_KEYRING=_ring_json(old, active="k1")):
        crypto.forget_cached_keyring()
        h_old = crypto.keyed_hash("v", purpose="p")
    with override_settings(SHEQU_PII_KEYRING=_ring_json(old, new, active="k2")):
        crypto.forget_cached_keyring()
        assert h_old in crypto.lookup_hashes("v", purpose="p")
        assert crypto.keyed_hash("v", purpose="p") in crypto.lookup_hashes("v", purpose="p")


def test_startup_creates_canary_then_refuses_missing_or_wrong_key(tmp_path):
    """First start records a canary; later, no keyring or another key makes start-up fail loudly."""
    ensure_keyring_usable()
    assert KeyCanary.objects.filter(key_id="k1").count() == 1
    with override_settings(SHEQU_PII_KEYRING="", SHEQU_PII_KEY_FILE=str(tmp_path / "missing.json")):
        crypto.forget_cached_keyring()
        with pytest.raises(KeyringError, match="refusing to start"):
            ensure_keyring_usable()
    with override_settings(SHEQU_PII_KEYRING=_ring_json(new_key("k1"))):
        crypto.forget_cached_keyring()
        with pytest.raises(KeyringError, match="wrong key"):
            ensure_keyring_usable()


def test_init_never_replaces_a_lost_key(tmp_path):
    """`pii-key init` creates a key file for an empty database, and refuses when encrypted data exists."""
    path = tmp_path / "keys" / "ring.json"
    with override_settings(SHEQU_PII_KEYRING="", SHEQU_PII_KEY_FILE=str(path)):
        crypto.forget_cached_keyring()
        assert "created keyring" in keyring_init()
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert json.loads(path.read_text())["active"] == "k1"
        assert json.loads(path.read_text())["keys"]["k1"]["suite"] == crypto.suite_named(None)
        assert "already present" in keyring_init()
        path.unlink()
        crypto.forget_cached_keyring()
        with pytest.raises(KeyringError, match="restore the keyring"):
            keyring_init()


# --- the suites ------------------------------------------------------------------------------------------------


def test_published_sm4_and_sm3_vectors():
    """The installed `cryptography` computes SM4 (GB/T 32907 example), SM3 (GB/T 32905 "abc") and SM4-GCM as
    published (RFC 8998 appendix A.1), the latter through the suite's own seal/open."""
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    ecb = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 - the standard's single-block example
    assert (ecb.update(key) + ecb.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    nonce, aad = bytes.fromhex("00001234567800000000abcd"), bytes.fromhex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
    plain = bytes.fromhex("".join(c * 16 for c in "abcdefea"))
    sealed = crypto.SUITES[SM4_SUITE].seal(key, nonce, plain, aad)
    assert sealed.hex() == (
        "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735d82710ca5c22f0ccfa7cbf93d496ac15"
        "a56834cbcf98c397b4024a2691233b8d" + "83de3541e4c2b58177e065a9bf7b62ec"
    )
    assert crypto.SUITES[SM4_SUITE].open(key, nonce, sealed, aad) == plain


def test_each_key_records_its_suite_and_size(pii_suite):
    """New keys take SHEQU_PII_SUITE (SM4 keys are 16 bytes); the JSON records the suite; a key of the wrong
    size for its suite, or of an unknown suite, makes the keyring unreadable; version 1 keys are AES."""
    key = new_key("k5")
    assert key.suite == pii_suite and len(key.enc) == (16 if pii_suite == SM4_SUITE else 32) and len(key.mac) == 32
    assert crypto.load_keyring().active_key.suite == pii_suite
    data = json.loads(Keyring("k5", {"k5": key}).to_json())
    assert data["version"] == 2 and data["keys"]["k5"]["suite"] == pii_suite
    assert crypto.parse_keyring(json.dumps(data)).active_key == key
    data["keys"]["k5"]["suite"] = OTHER[pii_suite]
    with pytest.raises(KeyringError, match="bad key sizes"):
        crypto.parse_keyring(json.dumps(data))
    data["keys"]["k5"]["suite"] = "des-md5"
    with pytest.raises(KeyringError, match="unknown suite"):
        crypto.parse_keyring(json.dumps(data))
    legacy = {"version": 1, "active": "k1", "keys": {"k1": {"enc": "A" * 43 + "=", "mac": "B" * 43 + "="}}}
    assert crypto.parse_keyring(json.dumps(legacy)).active_key.suite == AES_SUITE


def test_the_key_id_decides_the_suite_and_tampering_is_caught(pii_suite):
    """A ring mixing both suites opens each value with its own key's suite; hashes differ per suite; a changed
    byte is refused."""
    mine, other = new_key("k1", pii_suite), new_key("k2", OTHER[pii_suite])
    ring = Keyring("k1", {"k1": mine, "k2": other})
    a, b = crypto.encrypt_with(mine, "张三", "p"), crypto.encrypt_with(other, "张三", "p")
    assert crypto.decrypt(a, purpose="p", ring=ring) == crypto.decrypt(b, purpose="p", ring=ring) == "张三"
    assert len(crypto.mac_with(mine, "v", "p")) == len(crypto.mac_with(other, "v", "p")) == 64
    assert crypto.mac_with(mine, "v", "p") != crypto.mac_with(new_key("k1", pii_suite), "v", "p")
    raw = bytearray(base64.b64decode(a.split("$", 1)[1]))
    for index in (0, 12, len(raw) - 1):  # nonce, ciphertext, tag
        tampered = bytearray(raw)
        tampered[index] ^= 1
        with pytest.raises(KeyringError, match="wrong key or tampered"):
            crypto.decrypt(f"k1${base64.b64encode(tampered).decode()}", purpose="p", ring=ring)


def _file_ring(tmp_path, settings, ring: Keyring):
    path = tmp_path / "ring.json"
    crypto.write_keyring_file(ring, path)
    settings.SHEQU_PII_KEYRING = ""
    settings.SHEQU_PII_KEY_FILE = str(path)
    crypto.forget_cached_keyring()
    return path


def test_another_processs_rotation_is_picked_up(tmp_path, settings, pii_suite):
    """A process keeps its cached keyring between checks, but re-reads the key file when a ciphertext names a key it
    does not hold, and when the file changed once the reload interval has passed."""
    old = new_key("k1", pii_suite)
    path = _file_ring(tmp_path, settings, Keyring("k1", {"k1": old}))
    settings.SHEQU_PII_KEY_RELOAD_SECONDS = 3600
    assert crypto.encrypt("x", purpose="p").startswith("k1$")  # this process has cached k1
    new = new_key("k2", OTHER[pii_suite])
    # Another process rotates: it writes the file itself (this process's cache is not told).
    path.with_suffix(".other").write_text(Keyring("k2", {"k1": old, "k2": new}).to_json())
    path.with_suffix(".other").replace(path)
    assert crypto.encrypt("x", purpose="p").startswith("k1$")  # within the interval: no stat yet
    from_other = crypto.encrypt_with(new, "李四", "p")
    assert crypto.decrypt(from_other, purpose="p") == "李四"  # unknown key id: re-read
    assert crypto.encrypt("x", purpose="p").startswith("k2$")
    # A further change is seen by the periodic stat once the interval has passed.
    newer = new_key("k3", pii_suite)
    path.with_suffix(".other").write_text(Keyring("k3", {"k2": new, "k3": newer}).to_json())
    path.with_suffix(".other").replace(path)
    assert crypto.encrypt("x", purpose="p").startswith("k2$")
    crypto._cache["ring"].checked_at -= 3600  # the interval passes
    assert crypto.encrypt("x", purpose="p").startswith("k3$")
    with pytest.raises(KeyringError, match="no key 'k9'"):
        crypto.decrypt(crypto.encrypt_with(new_key("k9"), "x", "p"), purpose="p")


def test_rotation_moves_every_column_to_the_other_suite(tmp_path, settings, pii_suite):
    """`pii-key rotate --suite` re-encrypts the data (TOTP secrets included, also those still sealed under
    SECRET_KEY) under a key of the other suite; `drop-old` then leaves that key alone and everything opens."""
    _file_ring(tmp_path, settings, Keyring("k1", {"k1": new_key("k1", pii_suite)}))
    ensure_keyring_usable()
    user = staff("community_worker", make_tree()["c1"])
    user.totp_secret_encrypted = secrets_box.encrypt("JBSWY3DPEHPK3PXP", purpose=TOTP_PURPOSE)
    user.totp_pending_encrypted = secrets_box._legacy_fernet(TOTP_PURPOSE).encrypt(b"KRSXG5CTMVRXEZLU").decode()
    user.save()
    assert user.totp_secret_encrypted.startswith("k1$")
    other = "sm4" if pii_suite == AES_SUITE else "aes"
    out = io.StringIO()
    call_command("pii_key", "rotate", "--suite", other, stdout=out)
    assert "accounts.User.totp_secret_encrypted: 1 value(s) re-encrypted" in out.getvalue()
    assert "accounts.User.totp_pending_encrypted: 1 value(s) re-encrypted" in out.getvalue()
    assert f"active key is now k2 ({OTHER[pii_suite]})" in out.getvalue()
    ring = crypto.load_keyring()
    assert ring.active_key.suite == OTHER[pii_suite] and ring.keys["k1"].suite == pii_suite
    user.refresh_from_db()
    assert user.totp_secret_encrypted.startswith("k2$") and user.totp_pending_encrypted.startswith("k2$")
    assert old_key_residue(crypto.load_keyring()) == {}
    out = io.StringIO()
    call_command("pii_key", "drop-old", stdout=out)
    assert "holds k2 only" in out.getvalue()
    crypto.forget_cached_keyring()
    assert sorted(crypto.load_keyring().keys) == ["k2"]
    assert secrets_box.decrypt(user.totp_secret_encrypted, purpose=TOTP_PURPOSE) == "JBSWY3DPEHPK3PXP"
    assert secrets_box.decrypt(user.totp_pending_encrypted, purpose=TOTP_PURPOSE) == "KRSXG5CTMVRXEZLU"
    assert list(KeyCanary.objects.values_list("key_id", flat=True)) == ["k2"]


def test_drop_old_sweeps_late_writers_and_refuses_while_a_file_is_under_an_old_key(tmp_path, settings, pii_suite):
    """A value written under the old key after the rotation (a process that had not reloaded yet) is swept by
    `drop-old`; a stored upload still sealed under the old key makes `--drop-old` refuse, keeping every key."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    old = new_key("k1", pii_suite)
    _file_ring(tmp_path, settings, Keyring("k1", {"k1": old}))
    ensure_keyring_usable()
    upload = tmp_path / "media" / "imports" / "pending.bin"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(crypto.seal_blob(b"id,name", purpose="registry.import.file"))
    with pytest.raises(KeyringError, match=r"refusing to drop the old keys.*registry import uploads: 1"):
        keyring_rotate(suite=OTHER[pii_suite], drop_old=True)
    crypto.forget_cached_keyring()
    assert sorted(crypto.load_keyring().keys) == ["k1", "k2"]  # rotated, nothing dropped
    assert crypto.open_blob(upload.read_bytes(), purpose="registry.import.file") == b"id,name"
    with pytest.raises(CommandError, match="registry import uploads: 1"):
        call_command("pii_key", "drop-old", stdout=io.StringIO())
    upload.unlink()
    user = staff("community_worker", make_tree()["c1"])
    user.totp_secret_encrypted = crypto.encrypt_with(old, "JBSWY3DPEHPK3PXP", TOTP_PURPOSE)  # a late writer
    user.save()
    assert old_key_residue(crypto.load_keyring()) == {"accounts.User.totp_secret_encrypted": 1}
    assert keyring_drop_old()["accounts.User.totp_secret_encrypted"] == 1
    crypto.forget_cached_keyring()
    assert sorted(crypto.load_keyring().keys) == ["k2"]
    user.refresh_from_db()
    assert secrets_box.decrypt(user.totp_secret_encrypted, purpose=TOTP_PURPOSE) == "JBSWY3DPEHPK3PXP"


def test_rotation_refuses_an_inline_keyring():
    """With the keyring in SHEQU_PII_KEYRING there is no file to rotate: said plainly, nothing changes."""
    with pytest.raises(KeyringError, match="SHEQU_PII_KEYRING"):
        keyring_rotate()
    assert list(KeyCanary.objects.values_list("key_id", flat=True)) == ["k1"]
