"""Personal-information keyring: encryption, keyed hashes, refusing to start without the right key, rotation."""

import json

import pytest
from django.test import override_settings

from shequ.core import crypto
from shequ.core.crypto import Keyring, KeyringError, new_key
from shequ.core.keyring import ensure_keyring_usable, keyring_init
from shequ.core.models import KeyCanary

pytestmark = pytest.mark.django_db


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
        assert "already present" in keyring_init()
        path.unlink()
        crypto.forget_cached_keyring()
        with pytest.raises(KeyringError, match="restore the keyring"):
            keyring_init()
