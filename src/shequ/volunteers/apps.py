from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "shequ.volunteers"
    label = "volunteers"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from shequ.core.todos import register_todo

        from . import permissions  # noqa: F401  (registers actions)
        from .encryption import register_columns
        from .todos import volunteer_todos

        register_columns()
        register_todo("volunteers", volunteer_todos)  # the home page's to-dos: corrections waiting for an answer
