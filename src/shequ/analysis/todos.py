"""The home page's to-do of warnings (registered with `core.todos` in `AnalysisConfig.ready()`)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import can
from shequ.core.todos import Todo

from . import selectors
from .domain import State


def warning_todos(actor: Any) -> list[Todo]:
    """Listed petition-risk warnings nobody has acted on yet: the warning list's 待处置 (open) filter."""
    if not can(actor, "cases.view"):
        return []
    url = reverse("analysis:warnings") + "?state=" + State.OPEN.value
    return [Todo("analysis.open_warnings", _("待处置的信访风险预警"), selectors.open_warning_count(actor), url)]
