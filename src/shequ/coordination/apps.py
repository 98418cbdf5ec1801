from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "shequ.coordination"
    label = "coordination"
    verbose_name = _("一核多元")

    def ready(self) -> None:
        from shequ.cases import page_parts
        from shequ.core.todos import register_todo

        from . import permissions  # noqa: F401  (registers actions)
        from .encryption import register_columns
        from .todos import coordination_todos

        register_columns()
        # The case page of a case filed from a joint meeting links back to the meeting.
        page_parts.register(page_parts.CASE_PANELS, "coordination/_case_panel.html")
        register_todo("coordination", coordination_todos)  # overdue follow-ups of joint meetings
