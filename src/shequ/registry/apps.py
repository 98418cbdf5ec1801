from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "shequ.registry"
    label = "registry"
    verbose_name = _("居民信息")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers actions)
        from .encryption import register_columns

        register_columns()
