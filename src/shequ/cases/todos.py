"""The home page's to-dos of case handling (registered with `core.todos` in `CasesConfig.ready()`).

Each count is the size of a work-queue tab (`selectors.queue`), so the link behind it lists exactly those cases:
waiting to be accepted or dispatched, returned, approvals, held by the actor's department or organisation,
grid workers' answers waiting for review, and per stage those due today and past their deadline
(escalated or not).
"""

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import can
from shequ.core.scoping import scope_of
from shequ.core.todos import Todo, Urgency

from . import selectors
from .domain import STAGE_LABELS, Stage
from .permissions import UNIT_ROLES

# (tab, label) of the queues counted as they are, in the order the home page lists them.
WAITING_TABS = (
    ("to_accept", _("待受理的诉求")),
    ("to_dispatch", _("待派单的诉求")),
    ("returned", _("被退回、待重新派单的诉求")),
    ("approvals", _("待审批的延期、中止申请")),
)
STAGE_TABS = (
    ("overdue", _("已超时"), Urgency.OVERDUE),
    ("due_today", _("今日到期"), Urgency.TODAY),
)


def queue_url(tab: str, **params: str) -> str:
    """The work queue's tab (with `params`, e.g. stage) as the home page links it."""
    return reverse("cases:case_queue") + "?" + urlencode({"tab": tab, **params})


def _by_stage(actor: Any, tab: str) -> dict[str, int]:
    """The tab's cases counted per stage, in one query."""
    counts = {stage.value: Count("pk", filter=selectors.running_deadline_q(stage=stage.value)) for stage in Stage}
    return selectors.queue(actor, tab).order_by().aggregate(**counts)


def case_todos(actor: Any) -> list[Todo]:
    """The actor's case to-dos (nothing without `cases.view`); counts come from the scoped queues."""
    if not can(actor, "cases.view"):
        return []
    items = []
    for tab, label, urgency in STAGE_TABS:
        for stage, n in _by_stage(actor, tab).items():
            url = queue_url(tab, stage=stage)
            items.append(Todo(f"cases.{tab}.{stage}", label, n, url, urgency, STAGE_LABELS[Stage(stage)]))
    for tab, label in WAITING_TABS:
        items.append(Todo(f"cases.{tab}", label, selectors.queue(actor, tab).count(), queue_url(tab)))
    if scope_of(actor).unit_ids(UNIT_ROLES):
        # A department's or organisation's staff: the cases dispatched to their unit are their day's work (for
        # area staff 我承办的 also holds the cases of the grids below, so it is not counted as "mine").
        n = selectors.queue(actor, "to_handle").count()
        items.append(Todo("cases.to_handle", _("本单位承办、待办理的诉求"), n, queue_url("to_handle")))
    n = selectors.answers_waiting_review(actor).count()  # scoped to the communities where the actor reviews
    if n:
        items.append(Todo("cases.answer_reviews", _("待审核的网格员答复"), n, reverse("cases:answer_reviews")))
    return items
