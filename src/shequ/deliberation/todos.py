"""The home page's to-dos of deliberation (registered with `core.todos` in `DeliberationConfig.ready()`)."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import can
from shequ.core.todos import Todo

from . import selectors


def deliberation_todos(actor: Any) -> list[Todo]:
    """Bodies whose members' term ends within 60 days (任期即将届满), and proposals waiting for a meeting."""
    if not can(actor, "deliberation.manage"):
        return []
    today = timezone.localdate()
    bodies = reverse("deliberation:body_list") + "?queue=term_ending"
    proposals = reverse("deliberation:proposal_list") + "?status=ready"
    return [
        Todo(
            "deliberation.term_ending",
            _("任期即将届满的议事机构"),
            selectors.bodies_with_term_ending(actor, today).count(),
            bodies,
        ),
        Todo(
            "deliberation.ready",
            _("待上会的议题"),
            selectors.search_proposals(actor, status="ready").count(),
            proposals,
        ),
    ]
