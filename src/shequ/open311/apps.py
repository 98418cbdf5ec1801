from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "shequ.open311"
    label = "open311"
    verbose_name = _("Open311 接口")

    def ready(self) -> None:
        from shequ.core.actors import Kind, register_namer
        from shequ.core.hostile_input import register_refusal
        from shequ.core.ratelimit import register_limited

        from . import permissions  # noqa: F401  (registers actions)
        from .selectors import client_names
        from .views import hostile_input_refusal, rate_limited

        register_refusal("/open311/", hostile_input_refusal)
        register_limited("/open311/", rate_limited)
        register_namer(Kind.API_CLIENT, client_names)
