"""Upgrade tests: restore a database dump made by an older release, then run today's migrations over it.

A dump is one gzipped JSON file: the migration leaf nodes applied when it was made and, per model of that
migration state, its table name, column attnames and rows. Values are stored as the fields serialise them
(`value_to_string` for dates, decimals, UUIDs, bytes; JSON as JSON), so one dump loads on SQLite and PostgreSQL.

`write_dump(path)` makes one from the default database; `upgrade_from_dump(path)` restores it into the test
database through the historical models of its migration state and migrates to the latest migrations. Later
migrations must therefore be reversible: the test database is migrated back to the dump's nodes first.
"""

import base64
import datetime as dt
import decimal
import gzip
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps.registry import Apps
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

FORMAT = 1
Node = tuple[str, str]


@dataclass
class Dump:
    nodes: list[Node]
    tables: dict[str, dict[str, Any]]  # model label -> {"db_table", "columns", "rows"}

    def row_counts(self) -> dict[str, int]:
        """Rows per table name, as the dump holds them."""
        return {t["db_table"]: len(t["rows"]) for t in self.tables.values()}


def _dumped_models(apps: Apps) -> list[type[models.Model]]:
    dumped = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        if meta.parents:
            raise NotImplementedError(f"{meta.label}: multi-table inheritance is not supported by the dump format")
        dumped.append(model)
    return sorted(dumped, key=lambda m: m._meta.label)


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | dict | list):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot dump a value of type {type(value).__name__}")


def write_dump(path: Path | str, *, using: str = DEFAULT_DB_ALIAS) -> Dump:
    """Write every row of the database, read through the models of its applied migrations, to `path`.

    The database must have every migration on disk applied, or exactly a former release's.
    """
    connection = connections[using]
    loader = MigrationLoader(connection)
    applied = set(loader.applied_migrations)
    nodes = sorted(
        node
        for node in applied
        if not any(child in applied for child in loader.graph.node_map[node].children if child[0] == node[0])
    )
    apps = loader.project_state(nodes).apps
    tables = {}
    for model in _dumped_models(apps):
        columns = [f.attname for f in model._meta.local_concrete_fields]
        rows = model._base_manager.using(using).order_by("pk").values_list(*columns)
        tables[model._meta.label] = {
            "db_table": model._meta.db_table,
            "columns": columns,
            "rows": [[_encode(v) for v in row] for row in rows],
        }
    dump = Dump(nodes=nodes, tables=tables)
    payload = {"format": FORMAT, "nodes": [list(n) for n in nodes], "tables": tables}
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(payload, fh, ensure_ascii=False, separators=(",", ":"))
    return dump


def read_dump(path: Path | str) -> Dump:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        payload = json.load(fh)
    if payload["format"] != FORMAT:
        raise ValueError(f"{path}: dump format {payload['format']}, expected {FORMAT}")
    return Dump(nodes=[(app, name) for app, name in payload["nodes"]], tables=payload["tables"])


def _decode(field: models.Field, value: Any) -> Any:
    if value is None or isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def _migrate(connection, targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def migrate_to_latest(*, using: str = DEFAULT_DB_ALIAS) -> Apps:
    """Apply every migration on disk; return the resulting models."""
    connection = connections[using]
    executor = _migrate(connection, MigrationLoader(connection).graph.leaf_nodes())
    executor.loader.build_graph()
    return executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps


def restore_dump(dump: Dump, *, using: str = DEFAULT_DB_ALIAS) -> Apps:
    """Migrate the database to exactly the dump's nodes, empty it and insert the dump's rows; return its models.

    Apps whose migrations the dump does not know are unapplied entirely. The rows go in inside one transaction
    (foreign keys are checked at commit, so the order of the tables does not matter).
    """
    connection = connections[using]
    loader = MigrationLoader(connection)
    dumped_apps = {app for app, _ in dump.nodes}
    targets: list[tuple[str, str | None]] = list(dump.nodes)
    targets += [(app, None) for app in sorted(loader.migrated_apps - dumped_apps)]
    executor = _migrate(connection, targets)
    apps = executor.loader.project_state(dump.nodes).apps
    models_by_label = {m._meta.label: m for m in _dumped_models(apps)}
    missing = set(dump.tables) - set(models_by_label)
    if missing:
        raise ValueError(f"the dump holds models its migration state lacks: {sorted(missing)}")
    with transaction.atomic(using=using):
        for model in models_by_label.values():
            manager = model._base_manager.using(using)
            if manager.exists():  # content types and permissions from the test database's set-up
                manager.all()._raw_delete(using)
        for label, table in dump.tables.items():
            model = models_by_label[label]
            by_attname = {f.attname: f for f in model._meta.local_concrete_fields}
            fields = [by_attname[c] for c in table["columns"]]
            objs = [
                model(**{f.attname: _decode(f, v) for f, v in zip(fields, row, strict=True)}) for row in table["rows"]
            ]
            model._base_manager.using(using).bulk_create(objs, batch_size=500)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(models_by_label.values())):
                cursor.execute(sql)
    return apps


def upgrade_from_dump(path: Path | str, *, using: str = DEFAULT_DB_ALIAS) -> tuple[Dump, Apps]:
    """Restore the dump at `path`, then run every migration on disk over it; return the dump and today's models.

    Run it in a transactional test (`django_db(transaction=True)`), and call `migrate_to_latest()` in a
    `finally`, so that a failing upgrade does not leave the test database at the old state.
    """
    dump = read_dump(path)
    restore_dump(dump, using=using)
    return dump, migrate_to_latest(using=using)


def row_counts(apps: Apps, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows per table name of the given models."""
    return {m._meta.db_table: m._base_manager.using(using).count() for m in _dumped_models(apps)}
