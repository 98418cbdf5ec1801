"""Append-only, HMAC-chained audit log (DESIGN R12: tamper-evident, kept >= 6 months).

Writers call `record()`, a plain INSERT: no writer waits on the chain head. A sealer
(`seal_pending`, run by the background worker shortly after each commit and before every
verification) takes the unsealed rows in insertion order, numbers them and chains their seals in
one short locked step. `verify_chain` recomputes every seal and names the first row that was edited,
deleted or reordered.

Seals: a row of canonical version 2 is sealed with HMAC-SHA256 under the audit key named in its `key_id`
(the key lives outside the database, see `core.audit_keys`), so someone holding only the database cannot
rewrite rows and seal them again. Rows sealed before keyed sealing existed (version 1) keep their plain
SHA-256 seal; they may only form the start of the chain, up to the keyring's `legacy_max_id`. Deleting the
newest rows or emptying the table leaves a valid-looking chain: `core.audit_anchor` catches that by
comparing the chain with the heads anchored outside the database.
"""

import contextvars
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

from .actors import Kind, describe_labels, kind_of, label_of, parse_label, ref_of, user_of
from .audit_keys import AuditKeyError, AuditKeyring, load_audit_keyring
from .masking import mask_mapping, mask_text
from .models import AuditRecord

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
LEGACY_VERSION = 1  # plain SHA-256 over the v1 canonical form (rows from before keyed sealing)
KEYED_VERSION = 2  # HMAC-SHA256 under the row's audit key over the v2 canonical form
ACTOR_VERSION = 3  # as version 2, and the canonical form covers the actor's kind and reference
KEYED_VERSIONS = frozenset({KEYED_VERSION, ACTOR_VERSION})
_SEAL_LOCK_KEY = 0x5E0A_0D17  # PostgreSQL advisory lock id for the sealer
_request_ip: contextvars.ContextVar[str] = contextvars.ContextVar("audit_request_ip", default="")


def set_request_ip(ip: str) -> contextvars.Token:
    return _request_ip.set(ip or "")


def reset_request_ip(token: contextvars.Token) -> None:
    _request_ip.reset(token)


def _object_fields(obj: Any) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = getattr(obj, "_meta", None)
    object_type = meta.label_lower if meta else type(obj).__name__
    object_id = str(getattr(obj, "public_id", None) or getattr(obj, "pk", "") or "")
    return object_type, object_id, mask_text(str(obj))[:255]


def _actor_columns(actor: Any) -> dict[str, Any]:
    """The audit columns naming `actor` (a user, ResidentActor, ApiClientActor, SystemActor; None: a visitor)."""
    kind = kind_of(actor)
    user = user_of(actor)
    return {
        "actor_id": user.pk if user is not None else None,
        "actor_kind": kind.value,
        "actor_ref": ref_of(actor)[:64],
        "actor_label": label_of(actor)[:150],
    }


def actor_words(rows: list[AuditRecord]) -> list[str]:
    """How each row's actor reads on a page: a username, "居民 程*", "匿名居民", "自动升级"…"""
    return describe_labels([(r.actor_kind, r.actor_ref, r.actor_label) for r in rows])


def object_type_words(object_type: str) -> str:
    """The model's name in words for an object type such as "cases.case" ("诉求"); the code when unknown."""
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name) if object_type else ""
    except (LookupError, ValueError):
        return object_type


def annotate_words(rows: list[AuditRecord]) -> None:
    """Set `actor_words`, `action_words` and `object_type_words` on each row for a page; the codes stay.

    `actor_code` is the staff member's username where their name is shown; other actors' stored labels (a
    resident's or a job's reference) are never shown raw.
    """
    from .audit_words import action_words

    for row, words in zip(rows, actor_words(rows), strict=True):
        kind = Kind(row.actor_kind) if row.actor_kind else parse_label(row.actor_label)[0]
        staff_name = kind is Kind.STAFF and row.actor_label and row.actor_label != words
        row.actor_words = words  # type: ignore[attr-defined]
        row.actor_code = row.actor_label if staff_name else ""  # type: ignore[attr-defined]
        row.action_words = action_words(row.action)  # type: ignore[attr-defined]
        row.object_type_words = object_type_words(row.object_type)  # type: ignore[attr-defined]


def record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
) -> AuditRecord:
    """Append one audit record; personal information in before/after and labels is masked.

    Call inside the service's transaction so the record commits or rolls back with the change.
    Schedules a seal shortly after commit.
    """
    o_type, o_id, o_label = _object_fields(obj)
    key_id = _active_key_id()
    entry = AuditRecord.objects.create(
        key_id=key_id,
        canon_version=ACTOR_VERSION,
        **_actor_columns(actor),
        action=action,
        object_type=object_type or o_type,
        object_id=object_id or o_id,
        object_label=mask_text(object_label)[:255] if object_label else o_label,
        before=mask_mapping(before),
        after=mask_mapping(after),
        ip=_request_ip.get(),
    )
    transaction.on_commit(schedule_seal)
    return entry


@dataclass(frozen=True)
class Entry:
    """One audit record for `record_many` (the same fields as `record`, object given by type, id and label)."""

    actor: Any
    action: str
    object_type: str = ""
    object_id: str = ""
    object_label: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def record_many(entries: list[Entry]) -> int:
    """Append many audit records in one bulk insert (a background sweep); masked and sealed like `record`."""
    if not entries:
        return 0
    ip = _request_ip.get()
    key_id = _active_key_id()
    rows = []
    for e in entries:
        rows.append(
            AuditRecord(
                key_id=key_id,
                canon_version=ACTOR_VERSION,
                **_actor_columns(e.actor),
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                object_label=mask_text(e.object_label)[:255],
                before=mask_mapping(e.before),
                after=mask_mapping(e.after),
                ip=ip,
            )
        )
    AuditRecord.objects.bulk_create(rows, batch_size=1000)
    transaction.on_commit(schedule_seal)
    return len(rows)


def schedule_seal() -> None:
    """Ask the worker to seal soon; at most one request per process every few seconds."""
    if not cache.add("shequ:audit:seal-scheduled", 1, timeout=3):
        return
    try:
        from .tasks import seal_audit_log

        seal_audit_log.schedule(delay=1)
    except Exception:  # noqa: BLE001 - the periodic seal catches up; never fail the user's write
        logger.warning("could not schedule audit seal; the periodic seal will catch up")


def _active_key_id() -> str:
    """The id of the active audit key; a process without the audit keyring cannot write audit rows."""
    ring = load_audit_keyring(required=True)
    assert ring is not None
    return ring.active


def _canonical(row: AuditRecord) -> bytes:
    created = row.created_at
    payload: dict[str, Any] = {
        "seq": row.seq,
        "created_at": created.isoformat() if isinstance(created, datetime) else str(created),
        "actor_id": row.actor_id,
        "actor_label": row.actor_label,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "object_label": row.object_label,
        "before": row.before,
        "after": row.after,
        "ip": row.ip,
        "prev_hash": row.prev_hash,
    }
    if row.canon_version >= KEYED_VERSION:
        payload["key_id"] = row.key_id
        payload["canon_version"] = row.canon_version
    if row.canon_version >= ACTOR_VERSION:
        payload["actor_kind"] = row.actor_kind
        payload["actor_ref"] = row.actor_ref
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(row: AuditRecord, ring: AuditKeyring | None = None) -> str:
    """The seal of `row`: SHA-256 for a version-1 row, HMAC-SHA256 under its audit key for version 2.

    Raises AuditKeyError when the row names a key the keyring does not hold, or an unknown version.
    """
    if row.canon_version == LEGACY_VERSION:
        return hashlib.sha256(_canonical(row)).hexdigest()
    if row.canon_version not in KEYED_VERSIONS:
        raise AuditKeyError(f"unknown canonical-form version {row.canon_version}")
    ring = ring or load_audit_keyring(required=True)
    assert ring is not None
    key = ring.keys.get(row.key_id)
    if key is None:
        raise AuditKeyError(f"audit key {row.key_id!r} is not in the audit keyring")
    return hmac.new(key, _canonical(row), hashlib.sha256).hexdigest()


def _lock_sealer() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK_KEY])
    # SQLite: the IMMEDIATE transaction already holds the database write lock.


def seal_pending(batch_size: int = 5000) -> int:
    """Number and chain every unsealed record; return how many were sealed.

    Locks: a PostgreSQL advisory lock (transaction-scoped) so two sealers never interleave. Rows are
    sealed in insertion (id) order; a row committed late simply gets a later sequence number.
    """
    sealed = 0
    ring = load_audit_keyring(required=True)
    while True:
        # Cheap read first: an idle sealer must not take the write lock (SQLite) or the advisory lock.
        if not AuditRecord.objects.filter(seq__isnull=True).exists():
            return sealed
        with transaction.atomic():
            _lock_sealer()
            last = AuditRecord.objects.filter(seq__isnull=False).order_by("-seq").only("seq", "hash").first()
            seq: int = (last.seq or 0) if last else 0
            prev = last.hash if last else GENESIS_HASH
            rows = list(AuditRecord.objects.filter(seq__isnull=True).order_by("id")[:batch_size])
            if not rows:
                return sealed
            for row in rows:
                seq += 1
                row.seq = seq
                row.prev_hash = prev
                row.hash = compute_hash(row, ring)
                prev = row.hash
            table = connection.ops.quote_name(AuditRecord._meta.db_table)
            with connection.cursor() as cur:
                cur.executemany(
                    f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608 - fixed name
                    [(r.seq, r.prev_hash, r.hash, r.id) for r in rows],
                )
            sealed += len(rows)
            if len(rows) < batch_size:
                return sealed


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    unsealed: int
    first_bad_id: int | None = None
    first_bad_seq: int | None = None
    problem: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    legacy: int = 0  # rows carrying the old unkeyed SHA-256 seal


def verify_chain(ring: AuditKeyring | None = None) -> VerifyResult:
    """Walk the sealed chain in sequence order and report the first broken link.

    Checks each row's sequence number, its link to the previous seal and its own seal (HMAC under the key
    it names, or SHA-256 for rows from before keyed sealing). An unkeyed row is accepted only at the start
    of the chain and only up to the keyring's `legacy_max_id`: anything else is a forgery by someone
    without the key. Rows missing at the end are invisible here; `core.audit_anchor` checks those.
    """
    ring = ring or load_audit_keyring(required=True)
    assert ring is not None
    expected_seq = 1
    prev = GENESIS_HASH
    checked = legacy = 0
    keyed_seen = False

    def broken(row: AuditRecord, problem: str) -> VerifyResult:
        return VerifyResult(False, checked, _unsealed(), row.id, row.seq, problem, expected_seq - 1, prev, legacy)

    qs = AuditRecord.objects.filter(seq__isnull=False).order_by("seq")
    for row in qs.iterator(chunk_size=2000):
        if row.seq != expected_seq:
            return broken(row, f"sequence gap: expected {expected_seq}, found {row.seq} (a row was deleted)")
        if row.prev_hash != prev:
            return broken(row, "previous-hash link broken (a row before it was edited, deleted or reordered)")
        if row.canon_version == LEGACY_VERSION:
            if keyed_seen or row.id > ring.legacy_max_id:
                return broken(
                    row,
                    "unkeyed seal on a row written after keyed sealing began (rows re-sealed without the audit key)",
                )
            legacy += 1
        else:
            keyed_seen = True
        try:
            sealed_as = compute_hash(row, ring)
        except AuditKeyError as exc:
            return broken(row, str(exc))
        if not hmac.compare_digest(sealed_as, row.hash):
            return broken(row, "content does not match its seal (row edited, or re-sealed without the audit key)")
        prev = row.hash
        expected_seq += 1
        checked += 1
    return VerifyResult(True, checked, _unsealed(), head_seq=expected_seq - 1, head_hash=prev, legacy=legacy)


def chain_head() -> tuple[int, str]:
    """The sequence number and seal of the newest sealed row ((0, GENESIS_HASH) for an empty chain)."""
    last = AuditRecord.objects.filter(seq__isnull=False).order_by("-seq").only("seq", "hash").first()
    return (last.seq or 0, last.hash) if last else (0, GENESIS_HASH)


def _unsealed() -> int:
    return AuditRecord.objects.filter(seq__isnull=True).count()
