from django.core.management.base import BaseCommand, CommandError

from shequ.registry.encryption import decrypt_mobile
from shequ.registry.selectors import demo_portal_resident


class Command(BaseCommand):
    help = "Print a demo resident's (fictitious) mobile number for trying the resident portal's SMS sign-in."

    def handle(self, *args, **options) -> None:
        resident = demo_portal_resident()
        if resident is None:
            raise CommandError("no demo resident with a mobile number (load the demo first)")
        self.stdout.write(f"{resident.name}: {decrypt_mobile(resident.mobile_encrypted)}")
