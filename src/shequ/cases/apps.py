from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "shequ.cases"
    label = "cases"
    verbose_name = _("诉求与事件")

    def ready(self) -> None:
        from . import permissions, photo_permissions  # noqa: F401  (registers actions)
