import time

from django.core.management.base import BaseCommand, CommandError

from shequ.web.demo import build_demo


class Command(BaseCommand):
    help = "Load the demo district (real 武侯区 divisions, generated places and staff). Refuses a non-empty database."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing (exit 0) when data already exists")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options) -> None:
        from shequ.territory.selectors import area_by_code, territory_is_empty

        if not territory_is_empty():
            if options["if_empty"]:
                self.stdout.write("demo: the database already holds territory data, nothing to do")
                return
            if area_by_code("510107000000") is not None:
                raise CommandError("the database already holds the demo district; use a fresh database")
        started = time.monotonic()
        accounts = build_demo(seed=options["seed"])
        self.stdout.write(f"demo loaded in {time.monotonic() - started:.1f}s: {len(accounts)} staff accounts")
