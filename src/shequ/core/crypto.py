"""Encryption at rest and keyed-hash lookup of personal information (PIPL §51, DESIGN R11, GB/T 39786-2021).

The keyring lives outside the database: a JSON file (`SHEQU_PII_KEY_FILE`, default `var/keys/pii-keyring.json`,
mode 0600) or the environment (`SHEQU_PII_KEYRING`, the same JSON). Each key id holds an encryption key and an
HMAC key of one cipher suite, recorded per key: AES-256-GCM with HMAC-SHA256 (`aes256gcm-hmacsha256`, the
default, also for keys written before suites existed) or SM4-GCM with HMAC-SM3 (`sm4gcm-hmacsm3`, for
deployments assessed against GB/T 39786-2021; its encryption key is 16 bytes). New keys take the suite of
`SHEQU_PII_SUITE` unless the operator names one.

Ciphertexts are `<key id>$<base64(nonce + ciphertext + tag)>`, so the key id, and with it the suite, decides how
a value is opened; they are bound to their column by the GCM associated data, so a value cannot be moved to
another column unnoticed. Lookup hashes are HMAC(purpose:value) under the active key; lookups try every key in
the ring, so they keep working during a rotation, also from one suite to the other.

Each process caches the keyring. It re-reads it when a ciphertext names a key id it does not hold, and when the
key file changes (a stat at most every `SHEQU_PII_KEY_RELOAD_SECONDS`, default 2), so a rotation run by
`shequ pii-key rotate` reaches every running process without a restart.

The database holds a canary per key (`KeyCanary`). If canaries exist but the keyring is missing, or the
active key cannot open its canary, the application refuses to start: it never makes a new key silently.
"""

import base64
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from .filemodes import create_private_dir, write_private_file

CANARY_PLAINTEXT = "shequ-keyring-canary"
AES_SUITE = "aes256gcm-hmacsha256"
SM4_SUITE = "sm4gcm-hmacsm3"
NONCE_BYTES = 12
TAG_BYTES = 16


class KeyringError(Exception):
    """The keyring is missing, unreadable or does not match the encrypted data."""


# --- cipher suites ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suite:
    """An AEAD cipher and a MAC: `seal`/`open` return and take ciphertext + 16-byte tag, like AESGCM."""

    name: str
    enc_bytes: int
    mac_bytes: int
    seal: Callable[[bytes, bytes, bytes, bytes], bytes]  # (key, nonce, plaintext, associated data)
    open: Callable[[bytes, bytes, bytes, bytes], bytes]  # (key, nonce, ciphertext + tag, associated data)
    mac_hash: Callable[[], hashes.HashAlgorithm]

    def mac(self, key: bytes, data: bytes) -> str:
        h = crypto_hmac.HMAC(key, self.mac_hash())
        h.update(data)
        return h.finalize().hex()


def _aes_seal(key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    return AESGCM(key).encrypt(nonce, data, aad)


def _aes_open(key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    return AESGCM(key).decrypt(nonce, data, aad)


def _sm4_seal(key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _sm4_open(key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    if len(data) < TAG_BYTES:
        raise InvalidTag
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, data[-TAG_BYTES:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(data[:-TAG_BYTES]) + decryptor.finalize()


SUITES: dict[str, Suite] = {
    AES_SUITE: Suite(AES_SUITE, 32, 32, _aes_seal, _aes_open, hashes.SHA256),
    SM4_SUITE: Suite(SM4_SUITE, 16, 32, _sm4_seal, _sm4_open, hashes.SM3),
}
SUITE_ALIASES = {"aes": AES_SUITE, "sm4": SM4_SUITE, AES_SUITE: AES_SUITE, SM4_SUITE: SM4_SUITE}


def suite_named(name: str | None) -> str:
    """The canonical suite name for `name` ("aes", "sm4" or a full name); None means SHEQU_PII_SUITE."""
    chosen = name or getattr(settings, "SHEQU_PII_SUITE", "") or AES_SUITE
    try:
        return SUITE_ALIASES[chosen.lower()]
    except KeyError:
        raise KeyringError(f"unknown cipher suite {chosen!r}; choose one of {', '.join(SUITES)}") from None


# --- keys and the keyring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    key_id: str
    enc: bytes
    mac: bytes
    suite: str = AES_SUITE

    @property
    def cipher(self) -> Suite:
        return SUITES[self.suite]


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
                "version": 2,
                "active": self.active,
                "keys": {
                    k.key_id: {
                        "suite": k.suite,
                        "enc": base64.b64encode(k.enc).decode(),
                        "mac": base64.b64encode(k.mac).decode(),
                    }
                    for k in self.keys.values()
                },
            },
            indent=2,
        )


def new_key(key_id: str, suite: str | None = None) -> Key:
    """A fresh random key of `suite` (default: SHEQU_PII_SUITE, else AES-256-GCM with HMAC-SHA256)."""
    name = suite_named(suite)
    spec = SUITES[name]
    return Key(key_id, secrets.token_bytes(spec.enc_bytes), secrets.token_bytes(spec.mac_bytes), name)


def parse_keyring(text: str) -> Keyring:
    """Read the keyring JSON (version 1 has no suites: its keys are AES-256-GCM with HMAC-SHA256)."""
    try:
        data = json.loads(text)
        if data.get("version", 1) not in (1, 2):
            raise ValueError(f"unknown keyring version {data.get('version')!r}")
        keys = {
            kid: Key(kid, base64.b64decode(v["enc"]), base64.b64decode(v["mac"]), v.get("suite", AES_SUITE))
            for kid, v in data["keys"].items()
        }
        ring = Keyring(active=data["active"], keys=keys)
        if ring.active not in keys:
            raise ValueError("the active key is not in the ring")
        for k in keys.values():
            spec = SUITES.get(k.suite)
            if spec is None:
                raise ValueError(f"key {k.key_id!r} has an unknown suite {k.suite!r}")
            if len(k.enc) != spec.enc_bytes or len(k.mac) != spec.mac_bytes:
                raise ValueError(f"bad key sizes for key {k.key_id!r} ({k.suite})")
        return ring
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyringError(f"the personal-information keyring is unreadable: {exc}") from exc


def key_file() -> Path:
    return Path(getattr(settings, "SHEQU_PII_KEY_FILE", "") or Path(settings.DATA_DIR) / "keys" / "pii-keyring.json")


def reload_interval() -> float:
    """Seconds between two checks of the key file by one process (SHEQU_PII_KEY_RELOAD_SECONDS, default 2)."""
    return float(getattr(settings, "SHEQU_PII_KEY_RELOAD_SECONDS", 2.0))


@dataclass
class _Cached:
    source: str  # "inline:<json>" or "file:<path>"
    ring: Keyring
    stamp: tuple[int, int, int] | None = None  # the key file's (inode, size, mtime ns) when read
    checked_at: float = field(default_factory=time.monotonic)


_cache: dict[str, _Cached] = {}


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def load_keyring(*, required: bool = True, refresh: bool = False) -> Keyring | None:
    """Return the keyring from settings, the environment or the key file (cached per process).

    A cached key file is checked again (one stat) once `reload_interval()` has passed and re-read when it
    changed; `refresh` re-reads it now (a ciphertext named an unknown key id). The cache is also cleared when
    the relevant settings change (see CoreConfig.ready).
    """
    inline = getattr(settings, "SHEQU_PII_KEYRING", None) or os.environ.get("SHEQU_PII_KEYRING")
    if inline and not isinstance(inline, str):
        inline = json.dumps(inline)
    path = None if inline else key_file()
    source = f"inline:{inline}" if inline else f"file:{path}"
    cached = _cache.get("ring")
    if cached is not None and cached.source == source and not refresh:
        if path is None:
            return cached.ring
        now = time.monotonic()
        if now - cached.checked_at < reload_interval():
            return cached.ring
        if _stamp(path) == cached.stamp:
            cached.checked_at = now
            return cached.ring
    if inline:
        entry = _Cached(source, parse_keyring(inline))
    else:
        assert path is not None
        stamp = _stamp(path)
        if stamp is None:
            _cache.clear()
            if required:
                raise KeyringError(f"personal-information keyring not found at {path}")
            return None
        entry = _Cached(source, parse_keyring(path.read_text()), stamp)
    _cache["ring"] = entry
    return entry.ring


def forget_cached_keyring(**kwargs: Any) -> None:
    """Drop the cached keyring (also a `setting_changed` receiver)."""
    if kwargs.get("setting") not in (None, "SHEQU_PII_KEYRING", "SHEQU_PII_KEY_FILE", "DATA_DIR"):
        return
    _cache.clear()


def write_keyring_file(ring: Keyring, path: Path | None = None) -> Path:
    """Write the keyring to its file (0600; a missing directory is created 0700), replacing it atomically."""
    path = path or key_file()
    create_private_dir(path.parent)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    write_private_file(tmp, ring.to_json())
    tmp.replace(path)
    forget_cached_keyring()
    return path


def _key_for(key_id: str, ring: Keyring | None) -> Key:
    """The key `key_id` from `ring`, or from this process's keyring, re-read once if it lacks that id."""
    if ring is not None:
        key = ring.keys.get(key_id)
    else:
        current = load_keyring()
        assert current is not None
        key = current.keys.get(key_id)
        if key is None:  # another process may have rotated: read the key file again before giving up
            current = load_keyring(refresh=True)
            assert current is not None
            key = current.keys.get(key_id)
    if key is None:
        raise KeyringError(f"no key {key_id!r} in the keyring")
    return key


def seal_bytes(key: Key, data: bytes, purpose: str) -> bytes:
    """nonce + ciphertext + tag of `data` under `key`, bound to `purpose` (associated data)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + key.cipher.seal(key.enc, nonce, data, purpose.encode())


def open_bytes(key: Key, raw: bytes, purpose: str) -> bytes:
    """Inverse of seal_bytes; KeyringError when the key is wrong or the data was tampered with."""
    try:
        return key.cipher.open(key.enc, raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode())
    except (InvalidTag, ValueError) as exc:
        raise KeyringError(f"ciphertext does not open with key {key.key_id!r} (wrong key or tampered)") from exc


def seal_blob(data: bytes, *, purpose: str) -> bytes:
    """Encrypt a file's bytes under the active key: b"<key id>$" + nonce + ciphertext + tag."""
    ring = load_keyring()
    assert ring is not None
    key = ring.active_key
    return key.key_id.encode() + b"$" + seal_bytes(key, data, purpose)


def open_blob(blob: bytes, *, purpose: str) -> bytes:
    """Decrypt what seal_blob produced, with whichever key of the ring sealed it."""
    key_id, _sep, body = blob.partition(b"$")
    return open_bytes(_key_for(key_id.decode(errors="replace"), None), body, purpose)


def blob_key_id(blob_head: bytes) -> str:
    """The key id a sealed blob names (its first bytes suffice)."""
    return blob_head.partition(b"$")[0].decode(errors="replace")


def encrypt_with(key: Key, plaintext: str, purpose: str) -> str:
    """`<key id>$<base64>` of `plaintext` under `key` (rotation names the key; services use `encrypt`)."""
    return f"{key.key_id}${base64.b64encode(seal_bytes(key, plaintext.encode(), purpose)).decode()}"


def encrypt(plaintext: str | None, *, purpose: str) -> str:
    """Encrypt under the active key; empty values stay empty (nothing to protect, nothing to leak)."""
    if plaintext in (None, ""):
        return ""
    ring = load_keyring()
    assert ring is not None
    return encrypt_with(ring.active_key, plaintext, purpose)


def is_keyring_ciphertext(value: str) -> bool:
    """Whether `value` has the `<key id>$...` form (values encrypted otherwise never contain "$")."""
    return "$" in value


def key_id_of(ciphertext: str) -> str:
    return ciphertext.partition("$")[0]


def decrypt(ciphertext: str, *, purpose: str, ring: Keyring | None = None) -> str:
    if not ciphertext:
        return ""
    key_id, _, body = ciphertext.partition("$")
    key = _key_for(key_id, ring)
    try:
        raw = base64.b64decode(body, validate=True)
    except ValueError as exc:
        raise KeyringError(f"ciphertext under key {key_id!r} is not valid base64") from exc
    return open_bytes(key, raw, purpose).decode()


def mac_with(key: Key, value: str, purpose: str) -> str:
    """HMAC(purpose:value) under `key`, hex (SHA-256 or SM3 after the key's suite)."""
    return key.cipher.mac(key.mac, f"{purpose}:{value}".encode())


def keyed_hash(value: str | None, *, purpose: str) -> str:
    """The lookup hash of a normalised value under the active key ('' for empty)."""
    if value in (None, ""):
        return ""
    ring = load_keyring()
    assert ring is not None
    return mac_with(ring.active_key, value, purpose)


def lookup_hashes(value: str, *, purpose: str) -> list[str]:
    """Hashes of `value` under every key in the ring: an exact search matches whatever key a row used."""
    ring = load_keyring()
    assert ring is not None
    return [mac_with(k, value, purpose) for k in ring.keys.values()]


# --- encrypted columns registry (for rotation) -------------------------------------------------------


@dataclass(frozen=True)
class EncryptedColumn:
    model_label: str  # "registry.Resident"
    field: str  # column holding the ciphertext
    purpose: str  # associated data, also the hash purpose
    hash_field: str | None = None  # column holding the keyed hash of the plaintext, if any
    normalise: Callable[[str], str] | None = None  # how to normalise before hashing
    # Opens values written before the column came under the keyring (no `<key id>$` prefix); rotation
    # re-encrypts them under the active key like any value under an old key.
    legacy_decrypt: Callable[[str], str] | None = None


@dataclass(frozen=True)
class SealedFiles:
    """Files sealed with `seal_blob` (e.g. stored uploads), listed for the keyring's old-key check."""

    label: str
    purpose: str
    paths: Callable[[], Iterable[Path]]
    # Files kept for good (a vote's ballot scans) are re-sealed under the active key by a rotation; temporary
    # ones (an import's upload, a held photo) are left to expire and only block `drop-old` until they do.
    reseal: bool = False


@dataclass(frozen=True)
class HashedValues:
    """A column holding only keyed hashes of values from a small known set (e.g. care tag codes): rotation
    re-hashes them by recomputing the hash of each value under the old keys and the new one."""

    model_label: str
    field: str
    purpose: str
    values: Callable[[], Iterable[str]]


_COLUMNS: list[EncryptedColumn] = []
_FILES: list[SealedFiles] = []
_HASHES: list[HashedValues] = []


def register_column(column: EncryptedColumn) -> None:
    if all((c.model_label, c.field) != (column.model_label, column.field) for c in _COLUMNS):
        _COLUMNS.append(column)


def encrypted_columns() -> list[EncryptedColumn]:
    return list(_COLUMNS)


def register_hashed_values(column: HashedValues) -> None:
    if all((c.model_label, c.field) != (column.model_label, column.field) for c in _HASHES):
        _HASHES.append(column)


def hashed_value_columns() -> list[HashedValues]:
    return list(_HASHES)


def register_sealed_files(files: SealedFiles) -> None:
    if all(f.label != files.label for f in _FILES):
        _FILES.append(files)


def sealed_files() -> list[SealedFiles]:
    return list(_FILES)


def canary_for(key: Key) -> tuple[str, str]:
    return encrypt_with(key, CANARY_PLAINTEXT, "core.canary"), mac_with(key, CANARY_PLAINTEXT, "core.canary")


def check_canary(key: Key, ciphertext: str, mac: str) -> bool:
    ring = Keyring(active=key.key_id, keys={key.key_id: key})
    try:
        ok = decrypt(ciphertext, purpose="core.canary", ring=ring) == CANARY_PLAINTEXT
    except KeyringError:
        return False
    return ok and hmac.compare_digest(mac_with(key, CANARY_PLAINTEXT, "core.canary"), mac)


def now_utc() -> datetime:
    return datetime.now(UTC)
