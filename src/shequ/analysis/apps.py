from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "shequ.analysis"
    label = "analysis"
    verbose_name = _("预警与重复分析")

    def ready(self) -> None:
        from shequ.cases import page_parts
        from shequ.core.todos import register_todo

        from . import permissions  # noqa: F401  (registers actions)
        from .todos import warning_todos

        # The case page shows the likely duplicates; the work queue links to the warning list.
        page_parts.register(page_parts.CASE_PANELS, "analysis/_duplicates.html")
        page_parts.register(page_parts.QUEUE_ACTIONS, "analysis/_queue_actions.html")
        register_todo("analysis", warning_todos)  # the home page's to-dos
