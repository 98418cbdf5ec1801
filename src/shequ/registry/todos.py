"""The home page's to-dos of the resident register (registered with `core.todos` in `RegistryConfig.ready()`)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import can
from shequ.core.todos import Todo

from . import selectors


def registry_todos(actor: Any) -> list[Todo]:
    """Full-export requests waiting for the actor's approval, and validated imports waiting for confirmation."""
    items = []
    if can(actor, "registry.approve_export"):
        n = len(selectors.export_requests_to_decide(actor))
        items.append(
            Todo("registry.export_approvals", _("待审批的完整信息导出申请"), n, reverse("registry:export_requests"))
        )
    if can(actor, "registry.import"):
        n = selectors.import_batches_for(actor, status=selectors.IMPORT_WAITING).count()
        url = reverse("registry:import_list") + "?status=" + selectors.IMPORT_WAITING
        items.append(Todo("registry.imports_waiting", _("待确认导入的居民信息批次"), n, url))
    return items
