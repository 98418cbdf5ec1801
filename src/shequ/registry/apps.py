import uuid

from django.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def resident_names(refs: set[str]) -> dict[str, str]:
    """Words for residents acting (by public id) on pages: "居民 程*", the surname only, never the full name."""
    from .models import Resident

    by_id: dict[uuid.UUID, str] = {}
    for ref in refs:
        try:
            by_id[uuid.UUID(ref)] = ref
        except ValueError:
            continue
    rows = Resident.objects.filter(public_id__in=list(by_id)).values_list("public_id", "name")
    return {by_id[pid]: gettext("居民 %(name)s") % {"name": f"{name[:1]}*"} for pid, name in rows if name}


class RegistryConfig(AppConfig):
    name = "shequ.registry"
    label = "registry"
    verbose_name = _("居民信息")

    def ready(self) -> None:
        from shequ.core.actors import Kind, register_namer
        from shequ.core.todos import register_todo

        from . import permissions  # noqa: F401  (registers actions)
        from .encryption import register_columns
        from .todos import registry_todos

        register_columns()
        register_namer(Kind.RESIDENT, resident_names)
        register_todo("registry", registry_todos)  # the home page's to-dos
