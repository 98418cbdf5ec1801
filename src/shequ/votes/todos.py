"""The home page's to-do of owners' votes (registered with `core.todos` in `VotesConfig.ready()`)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import can
from shequ.core.todos import Todo

from . import selectors


def vote_todos(actor: Any) -> list[Todo]:
    """Paper ballots entered by a colleague, waiting for the actor's confirmation: the paper queue's rows."""
    if not can(actor, "votes.enter_paper"):
        return []
    count = selectors.confirmable_paper(actor).count()
    return [Todo("votes.paper", _("待确认的纸质选票"), count, reverse("votes:paper_queue"))]
