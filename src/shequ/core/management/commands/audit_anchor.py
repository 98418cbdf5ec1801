from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shequ.core import audit
from shequ.core.actors import COMMAND_LINE
from shequ.core.audit_anchor import EVENT_HEAD, EVENT_RESET, anchor_file, append_anchor
from shequ.core.audit_keys import AuditKeyError


class Command(BaseCommand):
    help = (
        "Append the audit chain's head to the anchor file (the worker does this every minute). "
        "--reset REASON records a restored database's head after a restore from backup."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--reset", metavar="REASON", default="", help="acknowledge a restore from backup")

    def handle(self, *args, **options) -> None:
        reason = options["reset"].strip()
        try:
            if reason:
                with transaction.atomic():
                    audit.record(
                        actor=COMMAND_LINE,
                        action="core.audit_anchor_reset",
                        object_type="core.auditrecord",
                        object_label="audit anchors",
                        after={"reason": reason},
                    )
            anchor = append_anchor(event=EVENT_RESET if reason else EVENT_HEAD, reason=reason)
        except AuditKeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"anchored seq {anchor.seq} ({anchor.event}) to {anchor_file()}")
