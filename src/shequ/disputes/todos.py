"""The home page's to-do of dispute mediation (registered with `core.todos` in `DisputesConfig.ready()`)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import can
from shequ.core.todos import Todo

from . import selectors


def dispute_todos(actor: Any) -> list[Todo]:
    """Disputes in scope waiting for a follow-up visit (回访): the dispute list's 待回访 queue."""
    if not can(actor, "cases.view"):
        return []
    url = reverse("disputes:dispute_list") + "?queue=follow_up"
    return [Todo("disputes.follow_up", _("待回访的矛盾纠纷"), selectors.awaiting_follow_up_count(actor), url)]
