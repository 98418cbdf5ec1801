from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "shequ.deliberation"
    label = "deliberation"
    verbose_name = _("议事协商")

    def ready(self) -> None:
        from shequ.cases import page_parts
        from shequ.core.todos import register_todo

        from . import permissions  # noqa: F401  (registers actions)
        from .publication import publish_as_notice, register_publisher
        from .todos import deliberation_todos

        # The case page offers "转为议题" to the community staff (or links to the proposal it became).
        page_parts.register(page_parts.CASE_PANELS, "deliberation/_case_panel.html")
        register_todo("deliberation", deliberation_todos)  # the home page's to-dos
        register_publisher(publish_as_notice)  # a published resolution becomes a public notice (公示)
