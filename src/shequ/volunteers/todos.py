"""The home page's to-dos of volunteer service (registered with `core.todos` in `VolunteersConfig.ready()`)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import can
from shequ.core.todos import Todo, Urgency

from . import selectors


def volunteer_todos(actor: Any) -> list[Todo]:
    """Volunteers' correction requests waiting for the actor's answer (the list behind it shows exactly these)."""
    if not can(actor, "volunteers.organise"):
        return []
    waiting = selectors.pending_corrections_count(actor)
    if not waiting:
        return []
    return [
        Todo(
            "volunteers.corrections",
            _("待答复的志愿服务记录更正"),
            waiting,
            reverse("volunteers:corrections"),
            Urgency.WAITING,
        )
    ]
