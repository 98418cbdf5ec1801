from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "shequ.disputes"
    label = "disputes"
    verbose_name = _("矛盾纠纷调解")

    def ready(self) -> None:
        from shequ.core.todos import register_todo

        from . import permissions  # noqa: F401  (registers actions)
        from .todos import dispute_todos

        register_todo("disputes", dispute_todos)  # the home page's to-dos
