from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shequ.accounts"
    label = "accounts"
    verbose_name = _("账号与权限")

    def ready(self) -> None:
        from shequ.core.actors import Kind, register_namer
        from shequ.core.secrets_box import register_legacy_column

        from . import permissions  # noqa: F401  (registers actions)
        from .audit_words import staff_names
        from .services import TOTP_PURPOSE

        # TOTP secrets follow the personal-information keyring (rotation, cipher suite).
        for field in ("totp_secret_encrypted", "totp_pending_encrypted"):
            register_legacy_column("accounts.User", field, TOTP_PURPOSE)
        register_namer(Kind.STAFF, staff_names)  # timelines and the audit log name staff by their name
