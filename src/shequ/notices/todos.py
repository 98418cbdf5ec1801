"""The home page's to-do of public notices (registered with `core.todos` in `NoticesConfig.ready()`)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import can
from shequ.core.todos import Todo

from . import selectors


def notice_todos(actor: Any) -> list[Todo]:
    """Objections waiting for an answer, for those who answer them: the objection list's 待答复 filter."""
    if not can(actor, "notices.answer"):
        return []
    url = reverse("notices:objection_list") + "?status=open"
    return [Todo("notices.objections", _("待答复的公示异议"), selectors.open_objection_count(actor), url)]
