"""Print (or apply) the PostgreSQL grants of the documented deployment (docs/security.md).

Migrations run as the owner role; the application runs as a separate role that may read and write the
application's tables but, on the audit table, only SELECT, INSERT and UPDATE of the three columns the sealer
writes (seq, prev_hash, hash). It cannot delete, truncate, alter or drop anything, nor disable the triggers.
"""

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from shequ.core.models import AuditRecord

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_statements(app_role: str) -> list[str]:
    """The statements that give `app_role` exactly what the running application needs."""
    if not ROLE_NAME.match(app_role):
        raise ValueError(f"not a plain PostgreSQL role name: {app_role!r}")
    role = connection.ops.quote_name(app_role)
    audit = connection.ops.quote_name(AuditRecord._meta.db_table)
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE ALL ON {audit} FROM {role}",
        f"GRANT SELECT, INSERT ON {audit} TO {role}",
        f"GRANT UPDATE (seq, prev_hash, hash) ON {audit} TO {role}",
    ]


class Command(BaseCommand):
    help = (
        "PostgreSQL grants for the application role (run as the owner role after every migrate): the audit table "
        "gets SELECT, INSERT and UPDATE of seq, prev_hash, hash only. Prints the SQL; --apply runs it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("app_role", help="the role the application connects as, e.g. shequ_app")
        parser.add_argument("--apply", action="store_true", help="run the statements instead of printing them")

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("db-grants is for PostgreSQL deployments (SQLite has no roles)")
        try:
            statements = grant_statements(options["app_role"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not options["apply"]:
            for stmt in statements:
                self.stdout.write(stmt + ";")
            return
        with connection.cursor() as cur:
            for stmt in statements:
                cur.execute(stmt)
        self.stdout.write(f"granted the application role {options['app_role']} its privileges")
