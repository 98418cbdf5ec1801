"""Install or remove the audit table's append-only triggers from tests.

Browser tests drop the SQLite triggers before their final flush (SQLite flushes with DELETE); tamper tests
remove them to play a privileged attacker who edits the table behind the application's back.
"""

import importlib

from django.db import connection

_MIGRATION = importlib.import_module("shequ.core.migrations.0005_audit_actor_kind")


def install_guards() -> None:
    """(Re)create the SQLite triggers; PostgreSQL's are never dropped by the suite."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            for stmt in _MIGRATION.SQLITE_DOWN + _MIGRATION.SQLITE_UP:
                cur.execute(stmt)


def remove_sqlite_guards() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            for stmt in _MIGRATION.SQLITE_DOWN:
                cur.execute(stmt)


def drop_guards() -> None:
    """Disable the append-only protection on either database (inside the test's transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_append_only")
            cur.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_no_truncate")
    else:
        remove_sqlite_guards()
