from django.core.management.base import BaseCommand, CommandError

from shequ.core.actors import COMMAND_LINE
from shequ.core.errors import ValidationError
from shequ.open311.services import api_client_create, api_client_set_rate_limit


class Command(BaseCommand):
    help = (
        "Create an Open311 API client and print its key once (only a keyed hash is stored); "
        "with --update, change an existing client's rate limit instead."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")
        parser.add_argument("--organisation", default="")
        parser.add_argument(
            "--rate-limit",
            type=int,
            default=None,
            help="POST requests allowed per window (default: SHEQU_RATE_LIMITS['open311.submit'])",
        )
        parser.add_argument("--update", action="store_true", help="set --rate-limit on an existing client")

    def handle(self, *args, **options) -> None:
        actor = COMMAND_LINE
        try:
            if options["update"]:
                client = api_client_set_rate_limit(actor=actor, name=options["name"], rate_limit=options["rate_limit"])
                limit = client.rate_limit if client.rate_limit is not None else "default"
                self.stdout.write(f"API client {client.name}: rate limit {limit}.")
                return
            client, key = api_client_create(
                actor=actor,
                name=options["name"],
                organisation=options["organisation"],
                rate_limit=options["rate_limit"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"API client {client.name} created. Key (shown once, store it now):")
        self.stdout.write(key)
