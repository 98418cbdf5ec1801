from django.core.management.base import BaseCommand, CommandError

from shequ.core.actors import COMMAND_LINE
from shequ.territory.divisions import DivisionFormatError, parse_divisions
from shequ.territory.services import divisions_import


class Command(BaseCommand):
    help = (
        "Import official division codes from a CSV (2016 adcode format, or the 2022 district/street lists). "
        "Idempotent: reports created / updated / unchanged."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--root", default=None, help="only this division code and what lies beneath it")

    def handle(self, *args, **options) -> None:
        try:
            records = list(parse_divisions(options["file"], root_code=options["root"]))
        except FileNotFoundError as exc:
            raise CommandError(f"file not found: {options['file']}") from exc
        except DivisionFormatError as exc:
            raise CommandError(str(exc)) from exc
        report = divisions_import(actor=COMMAND_LINE, records=records)
        for err in report.errors:
            self.stderr.write(err)
        self.stdout.write(
            f"created {len(report.created)}, updated {len(report.updated)}, "
            f"unchanged {len(report.skipped)}, errors {len(report.errors)}"
        )
