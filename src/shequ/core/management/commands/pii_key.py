from django.core.management.base import BaseCommand, CommandError

from shequ.core.crypto import KeyringError, key_file, load_keyring
from shequ.core.keyring import ensure_keyring_usable, keyring_init, keyring_rotate


class Command(BaseCommand):
    help = "Personal-information keyring: init | status | rotate [--drop-old]. See README 'Personal-information keys'."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["init", "status", "rotate"])
        parser.add_argument("--drop-old", action="store_true", help="after rotation, remove the old keys")

    def handle(self, *args, **options) -> None:
        try:
            if options["action"] == "init":
                self.stdout.write(keyring_init())
            elif options["action"] == "status":
                ring = ensure_keyring_usable()
                if ring is None:
                    self.stdout.write(f"no keyring yet (expected at {key_file()}); no encrypted data")
                    return
                ring = load_keyring()
                self.stdout.write(f"keyring OK: active key {ring.active}; keys {', '.join(sorted(ring.keys))}")
            else:
                report = keyring_rotate(drop_old=options["drop_old"])
                for column, n in report.rewritten.items():
                    self.stdout.write(f"{column}: {n} value(s) re-encrypted")
                self.stdout.write(f"rotated: active key is now {report.new_key_id}")
        except KeyringError as exc:
            raise CommandError(str(exc)) from exc
