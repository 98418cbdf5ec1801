from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "shequ.coordination"
    label = "coordination"
    verbose_name = _("一核多元")

    def ready(self) -> None:
        from shequ.core.todos import register_todo

        from . import permissions  # noqa: F401  (registers actions)
        from .encryption import register_columns
        from .todos import coordination_todos

        register_columns()
        register_todo("coordination", coordination_todos)  # overdue follow-ups of joint meetings
