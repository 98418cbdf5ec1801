"""Public notices (公示): resolutions, vote results and later fund use published to the residents of the
affected area for a period, with a channel for objections that staff must answer, and a printable PDF.

Sits below `deliberation`, `votes` and `funds`, which publish through it.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "shequ.notices"
    label = "notices"
    verbose_name = _("公示公告")

    def ready(self) -> None:
        from shequ.core.todos import register_todo

        from . import permissions  # noqa: F401  (registers actions)
        from .todos import notice_todos

        register_todo("notices", notice_todos)  # the home page's to-dos
