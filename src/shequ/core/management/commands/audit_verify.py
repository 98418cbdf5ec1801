from django.core.management.base import BaseCommand, CommandError

from shequ.core import audit


class Command(BaseCommand):
    help = "Seal pending audit records, then walk the hash chain and name the first tampered row."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-seal", action="store_true", help="verify without sealing pending rows first")

    def handle(self, *args, **options) -> None:
        if not options["no_seal"]:
            sealed = audit.seal_pending()
            if sealed:
                self.stdout.write(f"sealed {sealed} pending record(s)")
        result = audit.verify_chain()
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"audit chain intact: {result.checked} record(s) verified, {result.unsealed} pending"
                )
            )
            return
        raise CommandError(
            f"audit chain broken at seq {result.first_bad_seq} (row id {result.first_bad_id}): {result.problem}; "
            f"{result.checked} record(s) before it verified"
        )
