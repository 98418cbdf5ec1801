from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotesConfig(AppConfig):
    name = "shequ.votes"
    label = "votes"
    verbose_name = _("业主共同决定")

    def ready(self) -> None:
        from shequ.core.todos import register_todo

        from . import permissions, scans  # noqa: F401  (registers actions; the sealed scans with the keyring)
        from .todos import vote_todos

        register_todo("votes", vote_todos)  # the home page's to-dos
