from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shequ.core import audit
from shequ.core.actors import COMMAND_LINE
from shequ.core.audit_keys import AuditKeyError, audit_key_file, audit_key_init, audit_key_rotate, load_audit_keyring


class Command(BaseCommand):
    help = "Audit key (seals the audit chain): init creates it once, status shows it, rotate adds a new active key."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["init", "status", "rotate"])

    def handle(self, *args, **options) -> None:
        try:
            if options["action"] == "init":
                self.stdout.write(audit_key_init())
            elif options["action"] == "status":
                ring = load_audit_keyring(required=True)
                assert ring is not None
                self.stdout.write(
                    f"audit keyring {audit_key_file()}: active key {ring.active}, keys {', '.join(sorted(ring.keys))}, "
                    f"unkeyed seals allowed up to row id {ring.legacy_max_id}"
                )
            else:
                kid = audit_key_rotate()
                with transaction.atomic():
                    audit.record(
                        actor=COMMAND_LINE,
                        action="core.audit_key_rotated",
                        object_type="core.auditrecord",
                        object_id=kid,
                        object_label=kid,
                    )
                self.stdout.write(f"audit key {kid} is now active (back up {audit_key_file()})")
        except AuditKeyError as exc:
            raise CommandError(str(exc)) from exc
