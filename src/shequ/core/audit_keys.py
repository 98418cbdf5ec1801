"""The audit key: the HMAC key that seals the audit chain, kept outside the database (DESIGN R12).

Like the personal-information keyring it lives in a file (`SHEQU_AUDIT_KEY_FILE`, default
`var/keys/audit-keyring.json`, mode 0600 in a 0700 directory) or in the environment (`SHEQU_AUDIT_KEYRING`, the
same JSON). Each key id holds a 256-bit HMAC key. Rows record the id of the key that sealed them, so rotation
adds a key and makes it active while old rows keep verifying under theirs; keys are never dropped.

`legacy_max_id` is the largest audit row id that existed when the first audit key was made: rows up to it
may carry the old unkeyed SHA-256 seal (canonical version 1); any later row must be keyed. An attacker with
the database cannot pass off re-sealed rows as "old" ones, because this number is not in the database.
"""

import base64
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings


class AuditKeyError(Exception):
    """The audit keyring is missing, unreadable or lacks a key a row names."""


@dataclass(frozen=True)
class AuditKeyring:
    active: str
    keys: dict[str, bytes] = field(default_factory=dict)
    legacy_max_id: int = 0

    @property
    def active_key(self) -> bytes:
        return self.keys[self.active]

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "active": self.active,
                "legacy_max_id": self.legacy_max_id,
                "keys": {kid: base64.b64encode(k).decode() for kid, k in self.keys.items()},
            },
            indent=2,
        )


def parse_audit_keyring(text: str) -> AuditKeyring:
    try:
        data = json.loads(text)
        keys = {kid: base64.b64decode(v) for kid, v in data["keys"].items()}
        ring = AuditKeyring(active=data["active"], keys=keys, legacy_max_id=int(data.get("legacy_max_id", 0)))
        if ring.active not in keys or any(len(k) != 32 for k in keys.values()):
            raise ValueError("bad key sizes or active id")
        return ring
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AuditKeyError(f"the audit keyring is unreadable: {exc}") from exc


def audit_key_file() -> Path:
    configured = getattr(settings, "SHEQU_AUDIT_KEY_FILE", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "keys" / "audit-keyring.json"


_cache: dict[str, AuditKeyring] = {}


def load_audit_keyring(*, required: bool = True) -> AuditKeyring | None:
    """Return the audit keyring from settings, the environment or the key file (cached per process)."""
    source: Any = getattr(settings, "SHEQU_AUDIT_KEYRING", None) or os.environ.get("SHEQU_AUDIT_KEYRING")
    cache_key = f"inline:{source}" if source else f"file:{audit_key_file()}"
    if cache_key in _cache:
        return _cache[cache_key]
    if source:
        ring = parse_audit_keyring(source if isinstance(source, str) else json.dumps(source))
    else:
        path = audit_key_file()
        if not path.exists():
            if required:
                raise AuditKeyError(f"audit keyring not found at {path}")
            return None
        ring = parse_audit_keyring(path.read_text())
    _cache.clear()
    _cache[cache_key] = ring
    return ring


def forget_cached_audit_keyring(**kwargs: Any) -> None:
    """Drop the cached keyring (also a `setting_changed` receiver)."""
    if kwargs.get("setting") not in (None, "SHEQU_AUDIT_KEYRING", "SHEQU_AUDIT_KEY_FILE", "DATA_DIR"):
        return
    _cache.clear()


def write_audit_keyring_file(ring: AuditKeyring, path: Path | None = None) -> Path:
    """Write the keyring atomically, readable by its owner only."""
    path = path or audit_key_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(ring.to_json())
    tmp.chmod(0o600)
    tmp.replace(path)
    forget_cached_audit_keyring()
    return path


def new_audit_key() -> bytes:
    return secrets.token_bytes(32)


def next_key_id(ring: AuditKeyring) -> str:
    numbers = [int(k[1:]) for k in ring.keys if k[1:].isdigit()]
    return f"a{max(numbers, default=0) + 1}"


def audit_key_init() -> str:
    """Create the audit keyring file for this database, once; rows that exist now keep their SHA-256 seals.

    Refuses when a keyring is already configured. `legacy_max_id` is the newest audit row at this moment.
    """
    from .models import AuditRecord

    if load_audit_keyring(required=False) is not None:
        return f"audit keyring already present ({audit_key_file()})"
    newest = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if AuditRecord.objects.filter(id__lte=newest, canon_version__gte=2).exists():
        raise AuditKeyError(
            "the audit log already holds rows sealed with an audit key, but no audit keyring was found: restore the "
            "keyring from its backup instead of creating one (see docs/security.md)"
        )
    ring = AuditKeyring(active="a1", keys={"a1": new_audit_key()}, legacy_max_id=newest)
    path = write_audit_keyring_file(ring)
    return f"created audit keyring {path} (back it up apart from the database; see docs/security.md)"


def audit_key_rotate() -> str:
    """Add a new audit key and make it active; old keys stay, because old rows must keep verifying."""
    if getattr(settings, "SHEQU_AUDIT_KEYRING", None) or os.environ.get("SHEQU_AUDIT_KEYRING"):
        raise AuditKeyError("the audit keyring comes from SHEQU_AUDIT_KEYRING: rotate it in the secret store")
    ring = load_audit_keyring(required=True)
    assert ring is not None
    kid = next_key_id(ring)
    new_ring = AuditKeyring(active=kid, keys={**ring.keys, kid: new_audit_key()}, legacy_max_id=ring.legacy_max_id)
    write_audit_keyring_file(new_ring)
    return kid


def ensure_audit_keyring_usable() -> AuditKeyring:
    """Refuse to run without the audit keyring, or with one that does not open the newest keyed seal."""
    from . import audit
    from .models import AuditRecord

    try:
        ring = load_audit_keyring(required=True)
    except AuditKeyError as exc:
        raise AuditKeyError(
            f"{exc}. Audit records cannot be sealed without it: create it once with `shequ audit-key init`, or "
            f"restore it from its backup (docs/security.md); refusing to start."
        ) from exc
    assert ring is not None
    newest = AuditRecord.objects.filter(seq__isnull=False, canon_version__gte=2).order_by("-seq").first()
    if newest is not None:
        try:
            matches = audit.compute_hash(newest, ring) == newest.hash
        except AuditKeyError as exc:
            raise AuditKeyError(f"{exc}; refusing to start") from exc
        if not matches:
            raise AuditKeyError(
                f"the audit keyring does not open the newest seal (row seq {newest.seq}): wrong key, or the row was "
                f"tampered with; run `shequ audit-verify`; refusing to start"
            )
    return ring
