from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers actions)
