from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "shequ.cases"
    label = "cases"
    verbose_name = _("诉求与事件")

    def ready(self) -> None:
        from shequ.core import crypto
        from shequ.core.todos import register_todo

        from . import permissions, photo_permissions  # noqa: F401  (registers actions)
        from .services import MOBILE_PURPOSE
        from .todos import case_todos

        register_todo("cases", case_todos)  # the home page's to-dos

        # Key rotation re-encrypts the reporter's mobile (and old keys are not dropped while one is under them).
        crypto.register_column(crypto.EncryptedColumn("cases.Case", "reporter_mobile_encrypted", MOBILE_PURPOSE))
