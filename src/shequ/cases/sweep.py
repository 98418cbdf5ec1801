"""The escalation sweep: overdue cases move one rung up the responsibility ladder and are marked supervised.

Run by the worker every five minutes (`tasks.escalation_sweep`); see `escalate_overdue` for how it stays
idempotent, safe to run concurrently and bounded in memory.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.calendar import current_calendar

from .domain import Event, Status
from .models import Case, CaseTransition
from .transitions import parent_at_level_above


def escalate_overdue(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Move every case whose stage deadline has passed one level up the ladder and mark it supervised.

    Works in id-ordered batches of `batch_size` (memory stays bounded whatever the number of cases): each batch
    is one transaction that claims its rows — PostgreSQL locks them FOR UPDATE SKIP LOCKED, so a concurrent
    sweep takes other rows or re-reads these after commit, when they are no longer overdue; SQLite runs one
    writer at a time (IMMEDIATE transactions) — then moves them with one UPDATE per target unit, writes their
    transitions and audit records in bulk, and sends each unit one digest notification per batch (the new
    holder: cases escalated to it; the old holder: cases taken from it) instead of one per case.
    Idempotent: an escalated case's next check is the end of the next working day.
    """
    from collections import defaultdict

    from django.db.models import F

    now = now or timezone.now()
    cal = current_calendar()
    next_due = _end_of_next_working_day(cal, now)
    open_statuses = [Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS]
    targets: dict[int, Any] = {}  # holder id -> the area one level up (None at the top)
    escalated = 0
    last_id = 0
    note = _("超过时限未处理，自动升级督办")
    while True:
        with transaction.atomic():
            qs = (
                Case.objects.filter(status__in=open_statuses, escalate_after__lt=now, pk__gt=last_id)
                .exclude(holder__level="district")
                .order_by("pk")
                .select_related("holder")
                .only("pk", "public_id", "status", "holder", "tracking_number", "escalation_count")
            )
            if connection.vendor == "postgresql":
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            rows = list(qs[:batch_size])
            if not rows:
                return escalated
            last_id = rows[-1].pk
            by_target: dict[int, list[Case]] = defaultdict(list)
            areas: dict[int, Any] = {}
            for case in rows:
                if case.holder_id not in targets:
                    targets[case.holder_id] = parent_at_level_above(case.holder)
                target = targets[case.holder_id]
                if target is not None:
                    by_target[target.pk].append(case)
                    areas[target.pk] = target
            moved: list[tuple[Case, Any]] = []
            for target_id, cases in by_target.items():
                target = areas[target_id]
                Case.objects.filter(pk__in=[c.pk for c in cases]).update(
                    holder=target,
                    holder_path=target.path,
                    supervised=True,
                    escalation_count=F("escalation_count") + 1,
                    escalate_after=next_due,
                    updated_at=now,
                )
                moved.extend((c, target) for c in cases)
            if not moved:
                continue
            CaseTransition.objects.bulk_create(
                [
                    CaseTransition(
                        case_id=c.pk,
                        event=Event.ESCALATE.value,
                        from_status=c.status,
                        to_status=c.status,
                        from_holder_id=c.holder_id,
                        to_holder_id=target.pk,
                        actor_label="system",
                        note=note,
                        at=now,
                    )
                    for c, target in moved
                ],
                batch_size=500,
            )
            audit.record_many(
                [
                    audit.Entry(
                        actor="system",
                        action="cases.escalate",
                        object_type="cases.case",
                        object_id=str(c.public_id),
                        object_label=c.tracking_number,
                        before={"status": c.status, "holder": c.holder.code},
                        after={"status": c.status, "holder": target.code, "note": note},
                    )
                    for c, target in moved
                ]
            )
            _notify_escalations(moved)
            escalated += len(moved)


def _notify_escalations(moved: list[tuple[Case, Any]]) -> None:
    """One digest per unit and batch: to the new holder (escalated to it) and to the old one (taken from it)."""
    from collections import defaultdict

    from shequ.notifications.services import notify_area

    from .permissions import HANDLE_ROLES

    gained: dict[int, list[Case]] = defaultdict(list)
    lost: dict[int, list[Case]] = defaultdict(list)
    areas: dict[int, Any] = {}
    for case, target in moved:
        gained[target.pk].append(case)
        lost[case.holder_id].append(case)
        areas[target.pk], areas[case.holder_id] = target, case.holder

    def numbers(cases: list[Case]) -> str:
        shown = "、".join(c.tracking_number for c in cases[:3])
        return shown + ("…" if len(cases) > 3 else "")

    for area_id, cases in gained.items():
        one = cases[0]
        notify_area(
            area=areas[area_id],
            roles=HANDLE_ROLES,
            kind="case.escalate",
            url=f"/cases/{one.public_id}/" if len(cases) == 1 else "/cases/?tab=supervised",
            title=_("%(n)d件诉求超时升级至本单位督办：%(numbers)s") % {"n": len(cases), "numbers": numbers(cases)},
        )
    for area_id, cases in lost.items():
        one = cases[0]
        notify_area(
            area=areas[area_id],
            roles=HANDLE_ROLES,
            kind="case.escalated_away",
            url=f"/cases/{one.public_id}/" if len(cases) == 1 else "/cases/?tab=overdue",
            title=_("%(n)d件诉求超时已升级督办：%(numbers)s") % {"n": len(cases), "numbers": numbers(cases)},
        )


def _end_of_next_working_day(cal: Any, now: datetime) -> datetime:
    local = timezone.localtime(now)
    day = cal.add_working_days(local.date(), 1)
    return timezone.make_aware(datetime.combine(day, datetime.max.time()), local.tzinfo) - timedelta(microseconds=0)
