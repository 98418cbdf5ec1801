from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "shequ.disputes"
    label = "disputes"
    verbose_name = _("矛盾纠纷调解")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers actions)
