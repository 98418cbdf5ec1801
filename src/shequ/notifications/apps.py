from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "shequ.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the notifications.* actions)
        from .services import register_columns

        register_columns()
