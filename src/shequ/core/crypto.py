"""Encryption at rest and keyed-hash lookup of personal information (PIPL §51, DESIGN R11).

The keyring lives outside the database: a JSON file (`SHEQU_PII_KEY_FILE`, default `var/keys/pii-keyring.json`,
mode 0600) or the environment (`SHEQU_PII_KEYRING`, the same JSON). Each key id holds an AES-256-GCM key and
an HMAC-SHA256 key. Ciphertexts are `<key id>$<base64(nonce + ciphertext)>`, bound to their column by the
GCM associated data, so a value cannot be moved to another column unnoticed. Lookup hashes are
HMAC(purpose:value) under the active key; lookups try every key in the ring, so they keep working during a
rotation.

The database holds a canary per key (`KeyCanary`). If canaries exist but the keyring is missing, or the
active key cannot open its canary, the application refuses to start: it never makes a new key silently.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from .filemodes import create_private_dir, write_private_file

CANARY_PLAINTEXT = "shequ-keyring-canary"


class KeyringError(Exception):
    """The keyring is missing, unreadable or does not match the encrypted data."""


@dataclass(frozen=True)
class Key:
    key_id: str
    enc: bytes
    mac: bytes


@dataclass(frozen=True)
class Keyring:
    active: str
    keys: dict[str, Key]

    @property
    def active_key(self) -> Key:
        return self.keys[self.active]

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "active": self.active,
                "keys": {
                    k.key_id: {"enc": base64.b64encode(k.enc).decode(), "mac": base64.b64encode(k.mac).decode()}
                    for k in self.keys.values()
                },
            },
            indent=2,
        )


def new_key(key_id: str) -> Key:
    return Key(key_id, secrets.token_bytes(32), secrets.token_bytes(32))


def parse_keyring(text: str) -> Keyring:
    try:
        data = json.loads(text)
        keys = {
            kid: Key(kid, base64.b64decode(v["enc"]), base64.b64decode(v["mac"])) for kid, v in data["keys"].items()
        }
        ring = Keyring(active=data["active"], keys=keys)
        if ring.active not in keys or any(len(k.enc) != 32 or len(k.mac) != 32 for k in keys.values()):
            raise ValueError("bad key sizes or active id")
        return ring
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyringError(f"the personal-information keyring is unreadable: {exc}") from exc


def key_file() -> Path:
    return Path(getattr(settings, "SHEQU_PII_KEY_FILE", "") or Path(settings.DATA_DIR) / "keys" / "pii-keyring.json")


_cache: dict[str, Any] = {}


def load_keyring(*, required: bool = True) -> Keyring | None:
    """Return the keyring from settings, the environment or the key file (cached per process).

    The cache is cleared when the relevant settings change (see CoreConfig.ready) or by rotation.
    """
    if _cache:
        return next(iter(_cache.values()))
    source = getattr(settings, "SHEQU_PII_KEYRING", None) or os.environ.get("SHEQU_PII_KEYRING")
    cache_key = f"inline:{source}" if source else f"file:{key_file()}"
    if cache_key in _cache:
        return _cache[cache_key]
    if source:
        ring = parse_keyring(source if isinstance(source, str) else json.dumps(source))
    else:
        path = key_file()
        if not path.exists():
            if required:
                raise KeyringError(f"personal-information keyring not found at {path}")
            return None
        ring = parse_keyring(path.read_text())
    _cache.clear()
    _cache[cache_key] = ring
    return ring


def forget_cached_keyring(**kwargs: Any) -> None:
    """Drop the cached keyring (also a `setting_changed` receiver)."""
    if kwargs.get("setting") not in (None, "SHEQU_PII_KEYRING", "SHEQU_PII_KEY_FILE", "DATA_DIR"):
        return
    _cache.clear()


def write_keyring_file(ring: Keyring, path: Path | None = None) -> Path:
    """Write the keyring to its file (0600; a missing directory is created 0700), replacing it atomically."""
    path = path or key_file()
    create_private_dir(path.parent)
    tmp = path.with_suffix(".tmp")
    write_private_file(tmp, ring.to_json())
    tmp.replace(path)
    forget_cached_keyring()
    return path


def _encrypt_with(key: Key, plaintext: str, purpose: str) -> str:
    nonce = secrets.token_bytes(12)
    ct = AESGCM(key.enc).encrypt(nonce, plaintext.encode(), purpose.encode())
    return f"{key.key_id}${base64.b64encode(nonce + ct).decode()}"


def encrypt(plaintext: str | None, *, purpose: str) -> str:
    """Encrypt under the active key; empty values stay empty (nothing to protect, nothing to leak)."""
    if plaintext in (None, ""):
        return ""
    ring = load_keyring()
    assert ring is not None
    return _encrypt_with(ring.active_key, plaintext, purpose)


def decrypt(ciphertext: str, *, purpose: str, ring: Keyring | None = None) -> str:
    if not ciphertext:
        return ""
    ring = ring or load_keyring()
    assert ring is not None
    key_id, _, body = ciphertext.partition("$")
    key = ring.keys.get(key_id)
    if key is None:
        raise KeyringError(f"no key {key_id!r} in the keyring")
    raw = base64.b64decode(body)
    try:
        return AESGCM(key.enc).decrypt(raw[:12], raw[12:], purpose.encode()).decode()
    except InvalidTag as exc:
        raise KeyringError(f"ciphertext does not open with key {key_id!r} (wrong key or tampered)") from exc


def _mac_with(key: Key, value: str, purpose: str) -> str:
    return hmac.new(key.mac, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def keyed_hash(value: str | None, *, purpose: str) -> str:
    """The lookup hash of a normalised value under the active key ('' for empty)."""
    if value in (None, ""):
        return ""
    ring = load_keyring()
    assert ring is not None
    return _mac_with(ring.active_key, value, purpose)


def lookup_hashes(value: str, *, purpose: str) -> list[str]:
    """Hashes of `value` under every key in the ring: an exact search matches whatever key a row used."""
    ring = load_keyring()
    assert ring is not None
    return [_mac_with(k, value, purpose) for k in ring.keys.values()]


# --- encrypted columns registry (for rotation) -------------------------------------------------------


@dataclass(frozen=True)
class EncryptedColumn:
    model_label: str  # "registry.Resident"
    field: str  # column holding the ciphertext
    purpose: str  # associated data, also the hash purpose
    hash_field: str | None = None  # column holding the keyed hash of the plaintext, if any
    normalise: Callable[[str], str] | None = None  # how to normalise before hashing


_COLUMNS: list[EncryptedColumn] = []


def register_column(column: EncryptedColumn) -> None:
    if column not in _COLUMNS:
        _COLUMNS.append(column)


def encrypted_columns() -> list[EncryptedColumn]:
    return list(_COLUMNS)


def canary_for(key: Key) -> tuple[str, str]:
    return _encrypt_with(key, CANARY_PLAINTEXT, "core.canary"), _mac_with(key, CANARY_PLAINTEXT, "core.canary")


def check_canary(key: Key, ciphertext: str, mac: str) -> bool:
    ring = Keyring(active=key.key_id, keys={key.key_id: key})
    try:
        ok = decrypt(ciphertext, purpose="core.canary", ring=ring) == CANARY_PLAINTEXT
    except KeyringError:
        return False
    return ok and hmac.compare_digest(_mac_with(key, CANARY_PLAINTEXT, "core.canary"), mac)


def now_utc() -> datetime:
    return datetime.now(UTC)
