"""Compile and run the bulk writes of a resident import's apply (issue 3; measured in bench/bench_import.py).

Rules encoded here:

- The apply prepares everything before opening its single transaction (prepare_apply): decryption of the
  staged rows, the re-check of every document against the register as it is now, encryption, hashes and
  pinyin of the resident columns, and the SQL parameter rows of every INSERT/UPDATE (Statement), with the
  primary keys of new households and residents reserved beforehand (reserve_ids) so every foreign key is
  known. The transaction then only runs `executemany` (COPY on PostgreSQL).
- A `create` whose document was registered meanwhile becomes an update (same community) or is skipped as
  registered elsewhere; an `update` whose resident left the community is skipped likewise.
- On update, empty cells never erase what the register holds: only the columns filled in are applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import crypto
from shequ.core.actors import user_of

from . import encryption, selectors
from .domain import IMPORT_APPLICABLE, IdType, LegalBasis, ResidentStatus, mask_document
from .import_matching import LOOKUP_CHUNK, ROW_PURPOSE, chunked, msg_elsewhere, row_error
from .models import Household, ImportBatch, ImportRow, Residence, Resident, ResidentEvent, ResidentTag

APPLY_CHUNK = 2000  # parameter rows per executemany call inside the apply transaction


def no_beat() -> None:
    return None


class ApplyRefused(Exception):
    """The apply cannot go ahead as confirmed (its message is for the user)."""


@dataclass
class Statement:
    """One INSERT or UPDATE, compiled with all its parameter rows before the apply transaction opens.

    The rows hold values already adapted for the database (Field.pre_save + get_db_prep_save, as Django's
    own insert compiler does), so inside the transaction only `executemany` runs: SQLite reuses one prepared
    statement, psycopg pipelines the rows (measured faster than multi-row VALUES through Django's
    client-side binding cursor).
    """

    table: str
    sql: str
    fields: list[Any]
    rows: list[list[Any]] = field(default_factory=list)
    copy_sql: str = ""  # PostgreSQL: the same insert as COPY ... FROM STDIN
    # The thread's database wrapper itself: `django.db.connection` is a proxy whose every attribute access
    # costs a context-local lookup, which adds up over millions of values.
    db: Any = field(default_factory=lambda: connections[DEFAULT_DB_ALIAS])


def _insert_statement(model: Any, *, with_pk: bool) -> Statement:
    opts = model._meta
    fields = [f for f in opts.concrete_fields if with_pk or not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({values})"  # noqa: S608 - model names
    return Statement(opts.db_table, sql, fields, copy_sql=f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN")


def _stay(r: Resident, community_id: int, household: Any, valid_from: date) -> Residence:
    """The Residence row that opens a resident's stay at their (new) address from `valid_from`."""
    return Residence(
        resident_id=r.pk,
        community_id=community_id,
        dwelling_id=r.dwelling_id,
        household=household,
        relation=r.relation,
        valid_from=valid_from,
    )


def _add_insert(statement: Statement, obj: Any) -> None:
    db = statement.db
    statement.rows.append([f.get_db_prep_save(f.pre_save(obj, True), db) for f in statement.fields])


def _update_statement(model: Any, names: Iterable[str]) -> Statement:
    """UPDATE of the named columns by primary key (Django's bulk_update writes a slow CASE WHEN per row)."""
    opts = model._meta
    fields = [opts.get_field(n) for n in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(opts.db_table)} SET {assignments} WHERE {quote(opts.pk.column)} = %s"  # noqa: S608 - model names
    return Statement(opts.db_table, sql, fields)


def _add_update(statement: Statement, obj: Any) -> None:
    values = []
    for f in statement.fields:
        if f.is_relation and f.is_cached(obj):  # a related object assigned after its key was reserved
            related = getattr(obj, f.name)
            setattr(obj, f.attname, related.pk if related is not None else None)
        values.append(f.get_db_prep_save(getattr(obj, f.attname), statement.db))
    statement.rows.append([*values, obj.pk])


def _execute_chunk(cursor: Any, statement: Statement, rows: list[list[Any]]) -> None:
    if statement.copy_sql and statement.db.vendor == "postgresql":
        with cursor.cursor.copy(statement.copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    cursor.executemany(statement.sql, rows)


def execute(cursor: Any, statement: Statement) -> None:
    for chunk in chunked(statement.rows, APPLY_CHUNK):
        _execute_chunk(cursor, statement, chunk)


def reserve_ids(model: Any, count: int) -> list[int]:
    """Take `count` primary keys of `model` that no other insert will ever use, in a transaction of their own.

    Rows and the foreign keys pointing at them can then be prepared before the apply transaction opens.
    PostgreSQL: values drawn from the identity sequence (never handed out twice, even on rollback).
    SQLite: Django's AUTOINCREMENT tables never reuse a key at or below sqlite_sequence.seq, so raising it
    reserves the range. A failed apply leaves a gap in the keys, nothing else.
    """
    if count <= 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return [r[0] for r in cursor.fetchall()]
        if connection.vendor != "sqlite":  # settings refuse any other engine (base.database_from_env)
            raise ImproperlyConfigured(f"shequ runs on SQLite or PostgreSQL, not {connection.vendor}")
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")  # noqa: S608 - model names
        top = max(found[0] if found else 0, cursor.fetchone()[0])
        if found:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [top + count, table])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top + count])
    return list(range(top + 1, top + count + 1))


@dataclass
class ApplyPlan:
    """Every statement the apply transaction runs, in order, prepared before it opens."""

    households: Statement
    residents: Statement
    resident_updates: list[Statement]
    close_residences: list[int]  # resident ids whose current stay ends today (moved by the import)
    residences: Statement
    retag: list[int]  # resident ids whose tag hashes are replaced
    tags: Statement
    events: Statement
    heads: Statement  # existing households whose head changes
    changed_rows: Statement  # staged rows whose outcome changed at the re-check
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    households_created: int = 0


def _payloads(batch: ImportBatch, beat: Callable[[], None]) -> Iterator[tuple[ImportRow, dict[str, Any]]]:
    """The chosen staged rows in file order, decrypted (a light ImportRow with the fields the re-check needs)."""
    qs = (
        ImportRow.objects.filter(batch=batch, outcome__in=IMPORT_APPLICABLE)
        .order_by("row_number")
        .values_list("id", "row_number", "outcome", "target_id", "payload_encrypted")
    )
    for pk, row_number, outcome, target_id, ciphertext in qs.iterator(chunk_size=LOOKUP_CHUNK):
        if not ciphertext:
            raise ApplyRefused(_("暂存数据已清除，请重新上传文件"))
        row = ImportRow(id=pk, row_number=row_number, outcome=outcome, target_id=target_id)
        beat()
        yield row, json.loads(crypto.decrypt(ciphertext, purpose=ROW_PURPOSE))


def _registered_now(numbers: list[str]) -> dict[str, tuple[int, int, str]]:
    """Document number -> (resident id, community id, status) for the documents registered right now."""
    lookups = {h: n for n in numbers for h in encryption.document_lookup_hashes(n)}
    found: dict[str, tuple[int, int, str]] = {}
    for part in chunked(list(lookups), LOOKUP_CHUNK):
        for h, pk, community_id, status in Resident.objects.filter(id_number_hash__in=part).values_list(
            "id_number_hash", "id", "community_id", "status"
        ):
            found[lookups[h]] = (pk, community_id, status)
    return found


def _current_tags(r: Resident) -> list[str]:
    plain = [c for c in r.plain_tags.split(",") if c]
    return sorted(plain + encryption.decrypt_sensitive_tags(r.sensitive_tags_encrypted))


def _changes(r: Resident, p: dict[str, Any], household: Household | None, earliest_fact: date | None) -> dict[str, Any]:
    """The resident columns a staged row changes; columns left empty in the file change nothing.

    `earliest_fact` is the resident's earliest dated fact in clear, for the birth decade (clear_birth_decade).
    """
    given = set(p["given"])
    out: dict[str, Any] = {}
    if p["name"] and p["name"] != r.name:
        out.update(name=p["name"], pinyin_index=encryption.pinyin_index(p["name"]))
    if p["gender"] and p["gender"] != r.gender:
        out["gender"] = p["gender"]
    birth = date.fromisoformat(p["birth_date"]) if p["birth_date"] else None
    if birth and birth != encryption.decrypt_birth_date(r.birth_date_encrypted):
        out.update(encryption.birth_fields(birth, earliest_fact))
    if p["id_number"] and p["id_type"] != r.id_type:
        out["id_type"] = p["id_type"]
    if p["mobile"] and r.mobile_hash not in encryption.mobile_lookup_hashes(p["mobile"]):
        out.update(encryption.mobile_fields(p["mobile"]))
    if household is not None and household.pk != r.household_id:
        out["household"] = household
    if p["relation"] and p["relation"] != r.relation:
        out["relation"] = p["relation"]
    if p["dwelling_id"] and p["dwelling_id"] != r.dwelling_id:
        out["dwelling_id"] = p["dwelling_id"]
    if "residence_type" in given and p["residence_type"] != r.residence_type:
        out["residence_type"] = p["residence_type"]
    if "legal_basis" in given and p["legal_basis"] != r.legal_basis:
        out["legal_basis"] = p["legal_basis"]
        if p["legal_basis"] == LegalBasis.CONSENT and r.consent_at is None:
            out["consent_at"] = timezone.now()
    if "care_tags" in given and sorted(p["care_tags"]) != _current_tags(r):
        out.update(encryption.tag_fields(p["care_tags"]))
    if "notes" in given and p["notes"] != encryption.decrypt_notes(r.notes_encrypted):
        out.update(encryption.notes_fields(p["notes"]))
    return out


Decision = tuple[int, dict[str, Any], int | None]  # row number, payload, resident to update (None: create)


def _decide(batch: ImportBatch, plan: ApplyPlan, beat: Callable[[], None]) -> list[Decision]:
    """Re-check each chosen row against the register as it is now: (row number, payload, resident to update)."""
    community_id = batch.community_id
    staged = list(_payloads(batch, beat))
    registered = _registered_now([p["id_number"] for _row, p in staged if p["id_number"]])
    decided: list[Decision] = []
    for row, p in staged:
        current = registered.get(p["id_number"]) if p["id_number"] else None
        target_id: int | None = None
        if current is not None:
            pk, cid, status = current
            if cid != community_id or status == ResidentStatus.WITHDRAWN:
                row.outcome, row.target_id = "elsewhere" if cid != community_id else "invalid", None
                message = msg_elsewhere() if cid != community_id else _("该居民已撤回同意，不能通过导入恢复其信息")
                row.errors = [row_error(_("证件号码"), mask_document(p["id_number"]), message, "id_number")]
                _add_update(plan.changed_rows, row)
                plan.skipped += 1
                continue
            target_id = pk
        if (row.outcome == "update") != (target_id is not None) or row.target_id != target_id:
            row.outcome, row.target_id = ("update", target_id) if target_id else ("create", None)
            _add_update(plan.changed_rows, row)
        decided.append((row.row_number, p, target_id))
    return decided


def prepare_apply(batch: ImportBatch, *, actor: Any, beat: Callable[[], None] = no_beat) -> ApplyPlan:
    """Decrypt the chosen rows, re-check their documents and compile every statement to run (no transaction).

    A `create` whose document was registered meanwhile becomes an update (same community) or is skipped as
    registered elsewhere; an `update` whose resident left the community is skipped likewise (counted in
    `skipped`: in all_or_nothing mode the caller then refuses the whole apply). Keys of the new households
    and residents are reserved first (reserve_ids), so every foreign key is known here. `beat` is called
    for every row (the worker's Lease.beat: a throttled heartbeat that raises Superseded when taken over).
    """
    plan = ApplyPlan(
        households=_insert_statement(Household, with_pk=True),
        residents=_insert_statement(Resident, with_pk=True),
        resident_updates=[],
        close_residences=[],
        residences=_insert_statement(Residence, with_pk=False),
        retag=[],
        tags=_insert_statement(ResidentTag, with_pk=False),
        events=_insert_statement(ResidentEvent, with_pk=False),
        heads=_update_statement(Household, ("head",)),
        changed_rows=_update_statement(ImportRow, ("outcome", "errors", "target")),
    )
    today, now = timezone.localdate(), timezone.now()
    user = user_of(actor)
    user_id = user.pk if user is not None else None
    community_id = batch.community_id
    decided = _decide(batch, plan, beat)
    # Households: reuse the community's; the missing ones are created at their head's (else first) dwelling.
    households: dict[str, Household] = {}
    numbers = sorted({p["household_number"] for _r, p, _t in decided if p["household_number"]})
    for part in chunked(numbers, LOOKUP_CHUNK):
        households.update((h.number, h) for h in Household.objects.filter(community_id=community_id, number__in=part))
    placed: dict[str, int | None] = {}
    for _r, p, _t in sorted(decided, key=lambda d: d[1]["relation"] != "head"):
        number = p["household_number"]
        if number and number not in households and number not in placed:
            placed[number] = p["dwelling_id"]
    new_households: dict[str, Household] = {}
    for number, pk in zip(placed, reserve_ids(Household, len(placed)), strict=True):
        new_households[number] = households[number] = Household(
            id=pk, community_id=community_id, number=number, dwelling_id=placed[number]
        )
    resident_ids = iter(reserve_ids(Resident, sum(1 for _r, _p, t in decided if t is None)))
    targets: dict[int, Resident] = {}
    facts: dict[int, date] = {}  # earliest dated fact of each target given a birth date (clear_birth_decade)
    for part in chunked([t for _r, _p, t in decided if t], LOOKUP_CHUNK):
        targets.update(Resident.objects.in_bulk(part))
    for part in chunked([t for _r, p, t in decided if t and p["birth_date"]], LOOKUP_CHUNK):
        facts.update(selectors.earliest_facts(part))
    heads: dict[str, int] = {}
    update_groups: dict[tuple[str, ...], Statement] = {}
    batch_ref = str(batch.public_id)
    pending: list[Decision | None] = list(decided)
    del decided
    for index, item in enumerate(pending):
        assert item is not None
        beat()
        row_number, p, target_id = item
        pending[index] = None  # let each payload go once its statements are compiled
        number = p["household_number"]
        household = households.get(number) if number else None
        if target_id is None:
            r = _new_resident(p, community_id, household, today, now)
            r.pk = next(resident_ids)
            _add_insert(plan.residents, r)
            valid_from = r.moved_in_on or today
            _add_insert(plan.residences, _stay(r, community_id, household, valid_from))
            for h in encryption.tag_hashes(p["care_tags"]):
                _add_insert(plan.tags, ResidentTag(resident_id=r.pk, tag_hash=h))
            _add_insert(
                plan.events,
                ResidentEvent(
                    resident_id=r.pk,
                    kind="imported",
                    effective_date=valid_from,
                    recorded_by_id=user_id,
                    details={"batch": batch_ref, "row": row_number, "action": "create"},
                ),
            )
            plan.created += 1
            if household is not None and p["relation"] == "head":
                heads[number] = r.pk
            continue
        r = targets[target_id]
        if household is not None and p["relation"] == "head" and household.head_id != r.pk:
            heads[number] = r.pk
        changes = _changes(r, p, household, facts.get(r.pk))
        if not changes:
            plan.unchanged += 1
            continue
        for k, v in changes.items():
            setattr(r, k, v)
        r.updated_at = now
        names = tuple(sorted({*changes, "updated_at"}))
        if names not in update_groups:
            update_groups[names] = _update_statement(Resident, names)
        _add_update(update_groups[names], r)
        if "plain_tags" in changes:
            plan.retag.append(r.pk)
            for h in encryption.tag_hashes(p["care_tags"]):
                _add_insert(plan.tags, ResidentTag(resident_id=r.pk, tag_hash=h))
        if "dwelling_id" in changes or "household" in changes:
            plan.close_residences.append(r.pk)
            _add_insert(plan.residences, _stay(r, community_id, household, today))
        _add_insert(
            plan.events,
            ResidentEvent(
                resident_id=r.pk,
                kind="imported",
                effective_date=today,
                recorded_by_id=user_id,
                details={
                    "batch": batch_ref,
                    "row": row_number,
                    "action": "update",
                    "fields": sorted(_public_names(changes)),
                },
            ),
        )
        plan.updated += 1
    plan.resident_updates = list(update_groups.values())
    # New households are inserted with their head already set: foreign keys are checked at commit.
    for number, created in new_households.items():
        created.head_id = heads.pop(number, None)
        _add_insert(plan.households, created)
    for number, resident_id in heads.items():
        existing = households[number]
        existing.head_id = resident_id
        _add_update(plan.heads, existing)
    plan.households_created = len(new_households)
    return plan


def _public_names(changes: dict[str, Any]) -> set[str]:
    """Which particulars changed, named without exposing values (for the event's details)."""
    names = set()
    for k in changes:
        if k.startswith("mobile_"):
            names.add("mobile")
        elif k in ("plain_tags", "sensitive_tags_encrypted", "has_sensitive_tags"):
            names.add("care_tags")
        elif k == "notes_encrypted":
            names.add("notes")
        elif k in ("birth_date_encrypted", "birth_decade"):
            names.add("birth_date")
        elif k == "pinyin_index":
            continue
        elif k == "dwelling_id":
            names.add("dwelling")
        else:
            names.add(k)
    return names


def _new_resident(p: dict[str, Any], community_id: int, household: Household | None, today: date, now: Any) -> Resident:
    moved_in_on = date.fromisoformat(p["moved_in_on"]) if p.get("moved_in_on") else today
    r = Resident(
        community_id=community_id,
        name=p["name"],
        pinyin_index=encryption.pinyin_index(p["name"]),
        gender=p["gender"] or "U",
        id_type=p["id_type"] or IdType.NONE,
        household=household,
        relation=p["relation"],
        dwelling_id=p["dwelling_id"],
        residence_type=p["residence_type"],
        legal_basis=p["legal_basis"],
        consent_at=now if p["legal_basis"] == LegalBasis.CONSENT else None,
        moved_in_on=moved_in_on,
        created_at=now,
        status=ResidentStatus.ACTIVE,
    )
    birth = date.fromisoformat(p["birth_date"]) if p["birth_date"] else None
    for k, v in {
        **encryption.birth_fields(birth, min(moved_in_on, today)),
        **encryption.document_fields(p["id_number"]),
        **encryption.mobile_fields(p["mobile"]),
        **encryption.tag_fields(p["care_tags"]),
        **encryption.notes_fields(p["notes"]),
    }.items():
        setattr(r, k, v)
    return r
