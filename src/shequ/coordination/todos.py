"""The home page's to-do of joint meetings: open follow-ups past their due date in the communities the actor
manages (registered with `core.todos` in `CoordinationConfig.ready()`)."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import can
from shequ.core.todos import Todo, Urgency

from . import selectors


def coordination_todos(actor: Any) -> list[Todo]:
    """Overdue follow-ups (the list behind it shows exactly these)."""
    if not can(actor, "coordination.manage"):
        return []
    count = selectors.overdue_for(actor, timezone.localdate()).count()
    return [
        Todo(
            "coordination.overdue",
            _("逾期未办结的联席会议议定事项"),
            count,
            reverse("coordination:overdue"),
            Urgency.OVERDUE,
        )
    ]
