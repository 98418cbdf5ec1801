"""Keyring life cycle against the database: start-up check, first key, rotation (documented in README)."""

from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from . import audit
from .crypto import (
    Keyring,
    KeyringError,
    canary_for,
    check_canary,
    decrypt,
    encrypted_columns,
    forget_cached_keyring,
    key_file,
    load_keyring,
    new_key,
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


def keyring_init() -> str:
    """Create the key file for a database without encrypted data; refuses when data exists."""
    if load_keyring(required=False) is not None:
        return f"keyring already present at {key_file()}"
    if KeyCanary.objects.exists():
        raise KeyringError(
            "the database holds encrypted data but no keyring was found; restore the keyring instead of creating one"
        )
    ring = Keyring(active="k1", keys={"k1": new_key("k1")})
    path = write_keyring_file(ring)
    ensure_keyring_usable()
    return f"created keyring {path} (back it up: without it the personal information cannot be read)"


@dataclass(frozen=True)
class RotationReport:
    new_key_id: str
    rewritten: dict[str, int]


def keyring_rotate(*, drop_old: bool = False, batch_size: int = 2000) -> RotationReport:
    """Add a new active key, re-encrypt and re-hash every registered column, then (optionally) drop old keys.

    The new keyring is written to the key file before any row changes (a crash midway leaves rows under
    either key, both in the ring; rerunning completes the job). Each batch is its own transaction.
    """
    ring = ensure_keyring_usable()
    if ring is None:
        raise KeyringError("no keyring to rotate; run `shequ pii-key init` first")
    numbers = [int(k[1:]) for k in ring.keys if k[1:].isdigit()]
    kid = f"k{max(numbers, default=0) + 1}"
    key = new_key(kid)
    new_ring = Keyring(active=kid, keys={**ring.keys, kid: key})
    write_keyring_file(new_ring)
    ct, mac = canary_for(key)
    KeyCanary.objects.create(key_id=kid, ciphertext=ct, mac=mac)
    rewritten: dict[str, int] = {}
    from .crypto import _encrypt_with, _mac_with  # the low-level helpers, to use the new key explicitly

    for col in encrypted_columns():
        model = apps.get_model(col.model_label)
        label = f"{col.model_label}.{col.field}"
        rewritten[label] = 0
        last = 0
        while True:
            with transaction.atomic():
                rows = list(model.objects.filter(pk__gt=last).exclude(**{col.field: ""}).order_by("pk")[:batch_size])
                if not rows:
                    break
                fields = [col.field] + ([col.hash_field] if col.hash_field else [])
                for row in rows:
                    value = decrypt(getattr(row, col.field), purpose=col.purpose, ring=new_ring)
                    setattr(row, col.field, _encrypt_with(key, value, col.purpose))
                    if col.hash_field:
                        normalised = col.normalise(value) if col.normalise else value
                        setattr(row, col.hash_field, _mac_with(key, normalised, col.purpose))
                model.objects.bulk_update(rows, fields, batch_size=500)
                rewritten[label] += len(rows)
                last = rows[-1].pk
    if drop_old:
        final = Keyring(active=kid, keys={kid: key})
        write_keyring_file(final)
        KeyCanary.objects.exclude(key_id=kid).update(retired_at=timezone.now())
        KeyCanary.objects.exclude(key_id=kid).delete()
    forget_cached_keyring()
    with transaction.atomic():
        audit.record(
            actor="cli",
            action="core.keyring_rotated",
            object_type="core.keycanary",
            object_id=kid,
            object_label=kid,
            after={"rewritten": rewritten, "dropped_old": drop_old},
        )
    return RotationReport(kid, rewritten)
