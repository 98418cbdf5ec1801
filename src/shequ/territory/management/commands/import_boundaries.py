import json

from django.core.management.base import BaseCommand, CommandError

from shequ.core.actors import COMMAND_LINE
from shequ.core.errors import ValidationError
from shequ.territory.services import boundaries_import


class Command(BaseCommand):
    help = (
        "Attach grid boundaries from a GeoJSON FeatureCollection (features matched by properties.code); "
        "boundaries that would overlap refuse the whole file."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--crs", default="gcj02", choices=["wgs84", "gcj02", "bd09"])

    def handle(self, *args, **options) -> None:
        try:
            with open(options["file"], encoding="utf-8-sig") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read GeoJSON: {exc}") from exc
        try:
            report = boundaries_import(actor=COMMAND_LINE, collection=data, crs=options["crs"])
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        for err in report.errors:
            self.stderr.write(err)
        self.stdout.write(
            f"updated {len(report.updated)}, unchanged {len(report.skipped)}, errors {len(report.errors)}"
        )
