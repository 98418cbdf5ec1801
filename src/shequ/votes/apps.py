from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotesConfig(AppConfig):
    name = "shequ.votes"
    label = "votes"
    verbose_name = _("业主共同决定")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers actions)
