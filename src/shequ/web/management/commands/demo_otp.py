import pyotp
from django.core.management.base import BaseCommand, CommandError

from shequ.accounts.demo import DEMO_TOTP_SECRET
from shequ.accounts.selectors import get_user_by_username
from shequ.accounts.services import totp_secret_of


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo admin account (only for accounts using the demo secret)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, **options) -> None:
        user = get_user_by_username(options["username"])
        if user is None or not user.totp_secret_encrypted or totp_secret_of(user) != DEMO_TOTP_SECRET:
            raise CommandError("not a demo account with the demo second factor")
        self.stdout.write(pyotp.TOTP(DEMO_TOTP_SECRET).now())
