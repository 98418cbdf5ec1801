from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self) -> None:
        from django.conf import settings
        from django.core.signals import setting_changed
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import rules  # noqa: F401  (registers actions)
        from .audit_keys import forget_cached_audit_keyring
        from .crypto import forget_cached_keyring
        from .filemodes import protect_connection, protect_data_dir
        from .ratelimit import create_cache_table

        setting_changed.connect(forget_cached_keyring, dispatch_uid="shequ.core.crypto.keyring")
        setting_changed.connect(forget_cached_audit_keyring, dispatch_uid="shequ.core.audit_keys.keyring")
        # Databases, keys and the data directory are private to the service user (shequ.core.filemodes).
        connection_created.connect(protect_connection, dispatch_uid="shequ.core.filemodes.connection")
        # Without Redis the cache (rate limits, audit sealing) is a database table: every migrate makes sure of it.
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="shequ.core.ratelimit.cache_table")
        protect_data_dir(settings)
