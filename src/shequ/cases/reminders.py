"""Approaching-deadline notices: tell the holder unit once before a running stage deadline passes.

A case in a status whose stage deadline runs (see `domain.current_stage`: submitted → accept_by,
accepted → dispatch_by, dispatched/in progress → resolve_by) gets one notice per (case, stage, deadline) when
that deadline falls within `settings.SHEQU_DEADLINE_REMINDER_WINDOW` (a timedelta, 24 hours by default) from
now. Suspended, resolved and closed cases have no running deadline and get none; overdue cases are the
escalation sweep's business (`sweep.escalate_overdue`), not this one's. Repeated runs send nothing new:
each notice carries a dedupe key unique per recipient. A changed deadline (e.g. after a return) is a new key.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.actors import system_job
from shequ.core.masking import mask_text
from shequ.core.permissions import require, write_service

from . import domain
from .domain import Stage, Status
from .models import Case

DEFAULT_WINDOW = datetime.timedelta(hours=24)
KIND = "case.deadline"
DEADLINE_REMINDERS = system_job("cases.deadline_reminders", gettext_lazy("即将超时提醒"))


def _window() -> datetime.timedelta:
    return getattr(settings, "SHEQU_DEADLINE_REMINDER_WINDOW", DEFAULT_WINDOW)


def due_soon(now: datetime.datetime, window: datetime.timedelta) -> Any:
    """Open cases whose running stage deadline lies in (now, now + window]."""
    condition = Q()
    for status in Status:
        field = domain.deadline_field(status)
        if field is None:
            continue
        condition |= Q(status=status.value, **{f"{field}__gt": now, f"{field}__lte": now + window})
    return Case.objects.filter(condition).select_related("holder").order_by("pk")


def dedupe_key(case: Case, stage: Stage, deadline: datetime.datetime) -> str:
    return f"deadline:{case.public_id}:{stage.value}:{int(deadline.timestamp())}"


@write_service("cases.remind_deadlines")
def send_deadline_reminders(*, actor: Any = DEADLINE_REMINDERS, now: datetime.datetime | None = None) -> int:
    """Notify the holder unit of every case whose stage deadline is near; return the notices created.

    A job of the system (`cases.remind_deadlines`). Idempotent: a recipient who already has the notice for this
    (case, stage, deadline) gets no second one.
    """
    from shequ.notifications.services import notify_area

    from .permissions import HANDLE_ROLES

    require(actor, "cases.remind_deadlines")
    now = now or timezone.now()
    created = 0
    for case in list(due_soon(now, _window())):
        stage = domain.current_stage(case.status)
        deadline = domain.running_deadline(case.status, case)
        if stage is None or deadline is None:  # unreachable through due_soon; guards against a changed table
            continue
        label = f"{case.tracking_number} {mask_text(case.title)[:60]}"
        title = _("即将超时（%(stage)s时限 %(deadline)s）：%(label)s") % {
            "stage": domain.STAGE_LABELS[stage],
            "deadline": timezone.localtime(deadline).strftime("%m-%d %H:%M"),
            "label": label,
        }
        created += notify_area(
            area=case.holder,
            roles=HANDLE_ROLES,
            kind=KIND,
            title=title,
            url=f"/cases/{case.public_id}/",
            dedupe_key=dedupe_key(case, stage, deadline),
        )
    return created
