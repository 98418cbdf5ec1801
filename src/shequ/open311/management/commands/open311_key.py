from django.core.management.base import BaseCommand, CommandError

from shequ.core.errors import ValidationError
from shequ.open311.services import api_client_create


class Command(BaseCommand):
    help = "Create an Open311 API client and print its key once (only a keyed hash is stored)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")
        parser.add_argument("--organisation", default="")

    def handle(self, *args, **options) -> None:
        try:
            client, key = api_client_create(
                actor="command:open311-key", name=options["name"], organisation=options["organisation"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"API client {client.name} created. Key (shown once, store it now):")
        self.stdout.write(key)
