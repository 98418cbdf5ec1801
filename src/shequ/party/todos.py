"""The home page's to-dos of the Party side (registered with `core.todos` in `PartyConfig.ready()`)."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import can
from shequ.core.todos import Todo, Urgency

from . import selectors


def party_todos(actor: Any) -> list[Todo]:
    """三会一课 still to be held this period in the organisations the actor reaches (the list behind it shows
    exactly these)."""
    if not can(actor, "party.members"):
        return []
    due = selectors.due_for(actor, timezone.localdate())
    urgency = Urgency.OVERDUE if any(d.overdue for _org, d in due) else Urgency.WAITING
    return [Todo("party.due", _("本期待召开的组织生活"), len(due), reverse("party:due"), urgency)]
