from django.core.management.base import BaseCommand, CommandError

from shequ.core import audit
from shequ.core.audit_anchor import check_anchors
from shequ.core.audit_keys import AuditKeyError


class Command(BaseCommand):
    help = (
        "Seal pending audit records, walk the chain (HMAC seals and the older SHA-256 ones) naming the first "
        "tampered row, and compare it with the anchors outside the database (deleted newest rows, an emptied "
        "table, a rewritten head)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-seal", action="store_true", help="verify without sealing pending rows first")
        parser.add_argument("--require-fresh-anchor", action="store_true", help="also fail when anchoring has stopped")

    def handle(self, *args, **options) -> None:
        try:
            if not options["no_seal"]:
                sealed = audit.seal_pending()
                if sealed:
                    self.stdout.write(f"sealed {sealed} pending record(s)")
            result = audit.verify_chain()
            anchors = check_anchors(full=True)
        except AuditKeyError as exc:
            raise CommandError(str(exc)) from exc
        if not result.ok:
            raise CommandError(
                f"audit chain broken at seq {result.first_bad_seq} (row id {result.first_bad_id}): {result.problem}; "
                f"{result.checked} record(s) before it verified"
            )
        if not anchors.ok:
            raise CommandError(f"audit log does not match its anchors: {anchors.problem}")
        self.stdout.write(
            self.style.SUCCESS(
                f"audit chain intact: {result.checked} record(s) verified ({result.legacy} with the older SHA-256 "
                f"seal), {result.unsealed} pending; matches {anchors.anchors} anchor(s)"
            )
        )
        if anchors.stale:
            when = anchors.last_anchor_at.isoformat() if anchors.last_anchor_at else "never"
            message = f"anchoring has stopped or not started: newest anchor {when} (is the worker running?)"
            if options["require_fresh_anchor"]:
                raise CommandError(message)
            self.stdout.write(self.style.WARNING(f"warning: {message}"))
