from django.core.management.base import BaseCommand, CommandError

from shequ.core.crypto import SUITE_ALIASES, KeyringError, key_file, load_keyring
from shequ.core.keyring import (
    ensure_keyring_usable,
    keyring_drop_old,
    keyring_init,
    keyring_rotate,
    old_key_residue,
)


class Command(BaseCommand):
    help = (
        "Personal-information keyring: init [--suite aes|sm4] | status | rotate [--suite aes|sm4] [--drop-old] | "
        "drop-old. See README 'Personal-information keys'."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["init", "status", "rotate", "drop-old"])
        parser.add_argument(
            "--suite",
            choices=sorted(SUITE_ALIASES),
            help="cipher suite of the new key: aes (AES-256-GCM, HMAC-SHA256) or sm4 (SM4-GCM, HMAC-SM3); "
            "default SHEQU_PII_SUITE",
        )
        parser.add_argument("--drop-old", action="store_true", help="after rotation, remove the old keys")

    def handle(self, *args, **options) -> None:
        try:
            action = options["action"]
            if options["suite"] and action not in ("init", "rotate"):
                raise CommandError("--suite goes with init or rotate")
            if action == "init":
                self.stdout.write(keyring_init(suite=options["suite"]))
            elif action == "status":
                self._status()
            elif action == "drop-old":
                for column, n in keyring_drop_old().items():
                    if n:
                        self.stdout.write(f"{column}: {n} value(s) re-encrypted")
                ring = load_keyring()
                assert ring is not None
                self.stdout.write(f"old keys dropped: the keyring holds {ring.active} only")
            else:
                report = keyring_rotate(suite=options["suite"], drop_old=options["drop_old"])
                for column, n in report.rewritten.items():
                    self.stdout.write(f"{column}: {n} value(s) re-encrypted")
                self.stdout.write(f"rotated: active key is now {report.new_key_id} ({report.suite})")
        except KeyringError as exc:
            raise CommandError(str(exc)) from exc

    def _status(self) -> None:
        if ensure_keyring_usable() is None:
            self.stdout.write(f"no keyring yet (expected at {key_file()}); no encrypted data")
            return
        ring = load_keyring()
        assert ring is not None
        keys = ", ".join(f"{kid} ({ring.keys[kid].suite})" for kid in sorted(ring.keys))
        self.stdout.write(f"keyring OK: active key {ring.active} ({ring.active_key.suite}); keys {keys}")
        if len(ring.keys) > 1:
            residue = old_key_residue(ring)
            detail = ", ".join(f"{label}: {n}" for label, n in sorted(residue.items())) or "none"
            self.stdout.write(f"values under old keys: {detail}")
