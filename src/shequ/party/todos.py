"""The home page's to-dos of the Party side (registered with `core.todos` in `PartyConfig.ready()`)."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import can
from shequ.core.todos import Todo, Urgency

from . import inservice_selectors, selectors


def party_todos(actor: Any) -> list[Todo]:
    """三会一课 still to be held this period in the organisations the actor reaches, and services in-service members
    recorded that wait for the community's confirmation (the lists behind them show exactly these)."""
    todos = []
    if can(actor, "party.members"):
        due = selectors.due_for(actor, timezone.localdate())
        urgency = Urgency.OVERDUE if any(d.overdue for _org, d in due) else Urgency.WAITING
        todos.append(Todo("party.due", _("本期待召开的组织生活"), len(due), reverse("party:due"), urgency))
    if can(actor, "party.service"):
        pending = inservice_selectors.pending_count(actor)
        todos.append(
            Todo(
                "party.service",
                _("待确认的在职党员服务记录"),
                pending,
                reverse("party:service_entries"),
                Urgency.WAITING,
            )
        )
    return todos
