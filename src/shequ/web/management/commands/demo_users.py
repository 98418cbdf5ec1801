import csv

from django.core.management.base import BaseCommand

from shequ.accounts.demo import demo_accounts


class Command(BaseCommand):
    help = "Print the staff accounts as CSV: username,role,scope_code,scope_name (first assignment each)."

    def handle(self, *args, **options) -> None:
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["username", "role", "scope_code", "scope_name"])
        for row in demo_accounts():
            writer.writerow(row)
