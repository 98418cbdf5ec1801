from django.core.management.base import BaseCommand

from shequ.core.calendar import seed_official_calendar


class Command(BaseCommand):
    help = "Load the official holiday schedules known to the chinese-calendar package (idempotent)."

    def handle(self, *args, **options) -> None:
        created, years = seed_official_calendar()
        self.stdout.write(f"calendar: {created} day(s) added, {years} scheduled year(s)")
