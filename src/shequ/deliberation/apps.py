from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "shequ.deliberation"
    label = "deliberation"
    verbose_name = _("议事协商")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers actions)
