from django.core.management.base import BaseCommand

from shequ.cases.services import categories_seed


class Command(BaseCommand):
    help = "Load the shipped case category tree (stable codes) into the database; idempotent."

    def handle(self, *args, **options) -> None:
        created, updated = categories_seed()
        self.stdout.write(f"categories: {created} created, {updated} updated")
