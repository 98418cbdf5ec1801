from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "shequ.notices"
    label = "notices"
    verbose_name = _("公示公告")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers actions)
