from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "shequ.territory"
    label = "territory"
    verbose_name = _("辖区")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers actions)
