import json

from django.core.management.base import BaseCommand, CommandError

from shequ.territory.selectors import area_by_code
from shequ.territory.services import boundaries_export


class Command(BaseCommand):
    help = "Export grid and micro-grid boundaries as GeoJSON (to stdout or --output)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--root", help="area code to export beneath (default: everything)")
        parser.add_argument("--crs", choices=["wgs84", "gcj02", "bd09"], help="output system (default: as stored)")
        parser.add_argument("--output", "-o")

    def handle(self, *args, **options) -> None:
        root = None
        if options["root"]:
            root = area_by_code(options["root"])
            if root is None:
                raise CommandError(f"no area with code {options['root']}")
        data = boundaries_export(root=root, crs=options["crs"])
        text = json.dumps(data, ensure_ascii=False)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stdout.write(f"wrote {len(data['features'])} feature(s) to {options['output']}")
        else:
            self.stdout.write(text)
