"""Keyring life cycle against the database: start-up check, first key, rotation (documented in README).

Rotation may change the cipher suite (AES-256-GCM/HMAC-SHA256 <-> SM4-GCM/HMAC-SM3) while the service runs:
the new ring is written first, every process picks it up (crypto.load_keyring re-reads a changed key file),
and the sweep repeats until no registered column holds a value under another key than the active one.
Old keys are dropped only when nothing is left under them.
"""

import os
import time
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import audit
from .actors import COMMAND_LINE
from .crypto import (
    EncryptedColumn,
    Keyring,
    KeyringError,
    blob_key_id,
    canary_for,
    check_canary,
    decrypt,
    encrypt_with,
    encrypted_columns,
    forget_cached_keyring,
    hashed_value_columns,
    is_keyring_ciphertext,
    key_file,
    load_keyring,
    mac_with,
    new_key,
    open_bytes,
    reload_interval,
    seal_bytes,
    sealed_files,
    write_keyring_file,
)
from .models import KeyCanary


def ensure_keyring_usable() -> Keyring | None:
    """Refuse to run when encrypted data exists but its key is missing or wrong; never invent a key.

    Returns the keyring (None when there is neither a keyring nor any encrypted data yet).
    """
    has_data = KeyCanary.objects.exists()
    try:
        ring = load_keyring(required=has_data)
    except KeyringError as exc:
        raise KeyringError(
            f"{exc}. The database holds encrypted personal information: restore the keyring from its backup "
            f"(see README, 'Personal-information keys'); refusing to start."
        ) from exc
    if ring is None:
        return None
    canaries = {c.key_id: c for c in KeyCanary.objects.all()}
    active = canaries.get(ring.active)
    if active is None:
        if has_data and not any(kid in canaries for kid in ring.keys):
            raise KeyringError(
                "the keyring does not belong to this database (none of its keys has a canary here); refusing to start"
            )
        ct, mac = canary_for(ring.active_key)
        KeyCanary.objects.get_or_create(key_id=ring.active, defaults={"ciphertext": ct, "mac": mac})
        return ring
    if not check_canary(ring.active_key, active.ciphertext, active.mac):
        raise KeyringError(f"key {ring.active!r} does not open this database's canary (wrong key); refusing to start")
    return ring


def keyring_init(*, suite: str | None = None) -> str:
    """Create the key file (of `suite`, default SHEQU_PII_SUITE) for a database without encrypted data.

    Refuses when encrypted data exists: a lost key is restored from backup, never replaced.
    """
    if load_keyring(required=False) is not None:
        return f"keyring already present at {key_file()}"
    if KeyCanary.objects.exists():
        raise KeyringError(
            "the database holds encrypted data but no keyring was found; restore the keyring instead of creating one"
        )
    ring = Keyring(active="k1", keys={"k1": new_key("k1", suite)})
    path = write_keyring_file(ring)
    ensure_keyring_usable()
    return (
        f"created keyring {path} with key k1 ({ring.active_key.suite}) "
        "(back it up: without it the personal information cannot be read)"
    )


@dataclass(frozen=True)
class RotationReport:
    new_key_id: str
    suite: str
    rewritten: dict[str, int]
    dropped_old: bool


MAX_SWEEP_PASSES = 10


def _open_value(col: EncryptedColumn, value: str, ring: Keyring) -> str:
    if is_keyring_ciphertext(value):
        return decrypt(value, purpose=col.purpose, ring=ring)
    if col.legacy_decrypt is not None:
        return col.legacy_decrypt(value)
    raise KeyringError(f"{col.model_label}.{col.field} holds a value that is not keyring ciphertext")


def _stale(col: EncryptedColumn, active_id: str) -> QuerySet[Any]:
    model = apps.get_model(col.model_label)
    return model.objects.exclude(**{col.field: ""}).exclude(**{f"{col.field}__startswith": f"{active_id}$"})


def _sweep_column(col: EncryptedColumn, ring: Keyring, batch_size: int) -> int:
    """Re-encrypt (and re-hash) the column's values not under the active key; returns how many.

    One transaction per batch; the batch's rows are locked (SELECT ... FOR UPDATE) so a concurrent write to
    the same value waits instead of being overwritten with the value read before it.
    """
    key = ring.active_key
    fields = [col.field] + ([col.hash_field] if col.hash_field else [])
    done, last = 0, None
    while True:
        with transaction.atomic():
            stale = _stale(col, key.key_id)
            if last is not None:
                stale = stale.filter(pk__gt=last)
            rows = list(stale.select_for_update().order_by("pk")[:batch_size])
            if not rows:
                return done
            for row in rows:
                value = _open_value(col, getattr(row, col.field), ring)
                setattr(row, col.field, encrypt_with(key, value, col.purpose))
                if col.hash_field:
                    normalised = col.normalise(value) if col.normalise else value
                    setattr(row, col.hash_field, mac_with(key, normalised, col.purpose))
            type(rows[0]).objects.bulk_update(rows, fields, batch_size=500)
            done += len(rows)
            last = rows[-1].pk


def _rehash_values(ring: Keyring) -> dict[str, int]:
    """Move hash-only columns of known values (HashedValues) from any old key's hash to the active key's."""
    done: dict[str, int] = {}
    for hv in hashed_value_columns():
        model = apps.get_model(hv.model_label)
        n = 0
        with transaction.atomic():
            for value in hv.values():
                old = [mac_with(k, value, hv.purpose) for kid, k in ring.keys.items() if kid != ring.active]
                new = mac_with(ring.active_key, value, hv.purpose)
                n += model.objects.filter(**{f"{hv.field}__in": old}).update(**{hv.field: new})
        done[f"{hv.model_label}.{hv.field}"] = n
    return done


def _reseal_files(ring: Keyring) -> dict[str, int]:
    """Re-seal under the active key every kept file (SealedFiles.reseal) that an old key of the ring sealed.

    Each file is written to a temporary name beside it and moved over it (os.replace), so a reader sees the old
    or the new file, never half of one; a file deleted meanwhile is skipped."""
    done: dict[str, int] = {}
    key = ring.active_key
    for files in sealed_files():
        if not files.reseal:
            continue
        n = 0
        for path in files.paths():
            try:
                blob = path.read_bytes()
            except FileNotFoundError:
                continue
            key_id, _sep, body = blob.partition(b"$")
            old_id = key_id.decode(errors="replace")
            if old_id == ring.active:
                continue
            if old_id not in ring.keys:
                raise KeyringError(f"{files.label}: {path.name} is sealed with key {old_id!r}, not in the keyring")
            data = open_bytes(ring.keys[old_id], body, files.purpose)
            tmp = path.with_name(path.name + ".rotating")
            tmp.write_bytes(key.key_id.encode() + b"$" + seal_bytes(key, data, files.purpose))
            os.replace(tmp, path)
            n += 1
        done[files.label] = n
    return done


def sweep(ring: Keyring, *, batch_size: int = 2000, settle_since: float | None = None) -> dict[str, int]:
    """Bring every registered column under the active key, pass after pass until a pass rewrites nothing.

    A process that had not yet re-read the key file may still write under an old key during a pass, so one
    clean pass is not enough: with `settle_since` (when the new ring was written, time.monotonic()), the sweep
    also waits until every process has had time to reload (twice the reload interval) and checks once more.
    """
    rewritten = {f"{c.model_label}.{c.field}": 0 for c in encrypted_columns()}
    for _ in range(MAX_SWEEP_PASSES):
        changed = 0
        for label, n in (*_rehash_values(ring).items(), *_reseal_files(ring).items()):
            rewritten[label] = rewritten.get(label, 0) + n
            changed += n
        for col in encrypted_columns():
            n = _sweep_column(col, ring, batch_size)
            rewritten[f"{col.model_label}.{col.field}"] += n
            changed += n
        if changed:
            continue
        if settle_since is None:
            break
        wait = settle_since + 2 * reload_interval() - time.monotonic()
        settle_since = None
        if wait > 0:
            time.sleep(wait)
    return rewritten


def old_key_residue(ring: Keyring) -> dict[str, int]:
    """Per registered column or sealed-file set: how many values are not under the active key (canaries aside)."""
    residue: dict[str, int] = {}
    for col in encrypted_columns():
        n = _stale(col, ring.active).count()
        if n:
            residue[f"{col.model_label}.{col.field}"] = n
    for hv in hashed_value_columns():
        current = [mac_with(ring.active_key, value, hv.purpose) for value in hv.values()]
        n = apps.get_model(hv.model_label).objects.exclude(**{f"{hv.field}__in": current}).count()
        if n:
            residue[f"{hv.model_label}.{hv.field}"] = n
    for files in sealed_files():
        n = 0
        for path in files.paths():
            try:
                with path.open("rb") as fh:
                    head = fh.read(64)
            except FileNotFoundError:  # deleted meanwhile (a finished import)
                continue
            n += blob_key_id(head) != ring.active
        if n:
            residue[files.label] = n
    return residue


def _drop_old(ring: Keyring) -> None:
    residue = old_key_residue(ring)
    if residue:
        detail = ", ".join(f"{label}: {n}" for label, n in sorted(residue.items()))
        raise KeyringError(
            f"refusing to drop the old keys: values are still under an old key ({detail}). Stored import files "
            "go when their import is validated or cancelled; then run `shequ pii-key drop-old` again"
        )
    write_keyring_file(Keyring(active=ring.active, keys={ring.active: ring.active_key}))
    KeyCanary.objects.exclude(key_id=ring.active).update(retired_at=timezone.now())
    KeyCanary.objects.exclude(key_id=ring.active).delete()


def keyring_rotate(*, suite: str | None = None, drop_old: bool = False, batch_size: int = 2000) -> RotationReport:
    """Add a new active key (of `suite`, default SHEQU_PII_SUITE), move every registered column under it.

    The new keyring is written to the key file before any row changes (a crash midway leaves rows under
    either key, both in the ring; rerunning completes the job). Each batch is its own transaction. With
    `drop_old`, the old keys are then removed, or KeyringError says what is still under them (the rotation
    itself stays done).
    """
    ring = ensure_keyring_usable()
    if ring is None:
        raise KeyringError("no keyring to rotate; run `shequ pii-key init` first")
    if key_file_is_inline():
        raise KeyringError("the keyring comes from SHEQU_PII_KEYRING; rotation writes the key file, so use the file")
    numbers = [int(k[1:]) for k in ring.keys if k[1:].isdigit()]
    kid = f"k{max(numbers, default=0) + 1}"
    key = new_key(kid, suite)
    new_ring = Keyring(active=kid, keys={**ring.keys, kid: key})
    write_keyring_file(new_ring)
    written_at = time.monotonic()
    ct, mac = canary_for(key)
    KeyCanary.objects.create(key_id=kid, ciphertext=ct, mac=mac)
    rewritten = sweep(new_ring, batch_size=batch_size, settle_since=written_at)
    forget_cached_keyring()
    with transaction.atomic():
        audit.record(
            actor=COMMAND_LINE,
            action="core.keyring_rotated",
            object_type="core.keycanary",
            object_id=kid,
            object_label=kid,
            after={"rewritten": rewritten, "dropped_old": drop_old, "suite": key.suite},
        )
    if drop_old:
        _drop_old(new_ring)
    return RotationReport(kid, key.suite, rewritten, drop_old)


def keyring_drop_old(*, batch_size: int = 2000) -> dict[str, int]:
    """Sweep once more under the active key, then remove every other key; refuses while anything is under one.

    Returns what the sweep rewrote. Raises KeyringError (and changes no key) when a value or a stored file is
    still under an old key.
    """
    ring = ensure_keyring_usable()
    if ring is None:
        raise KeyringError("no keyring; run `shequ pii-key init` first")
    rewritten = sweep(ring, batch_size=batch_size)
    if len(ring.keys) > 1:
        _drop_old(ring)
        forget_cached_keyring()
        with transaction.atomic():
            audit.record(
                actor=COMMAND_LINE,
                action="core.keyring_old_keys_dropped",
                object_type="core.keycanary",
                object_id=ring.active,
                object_label=ring.active,
                after={"rewritten": rewritten, "dropped": sorted(k for k in ring.keys if k != ring.active)},
            )
    return rewritten


def key_file_is_inline() -> bool:
    """Whether the keyring is given inline (SHEQU_PII_KEYRING) rather than by the key file."""
    return bool(getattr(settings, "SHEQU_PII_KEYRING", None) or os.environ.get("SHEQU_PII_KEYRING"))
