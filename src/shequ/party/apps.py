from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "shequ.party"
    label = "party"
    verbose_name = _("党组织")

    def ready(self) -> None:
        from shequ.core.todos import register_todo

        from . import permissions  # noqa: F401  (registers actions)
        from .encryption import register_columns
        from .todos import party_todos

        register_columns()
        register_todo("party", party_todos)  # the home page's to-dos: meetings due
