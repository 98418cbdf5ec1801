"""The escalation sweep: overdue cases move one rung up the responsibility ladder and are marked supervised.

The rules are the domain's: which statuses escalate (`domain.ESCALATABLE_STATUSES`), from which holder level to
which (`domain.ESCALATES_TO`), which deadline drives each stage (`domain.running_deadline`, kept in
`Case.escalate_after` by `transitions.apply_event`) and when an escalated case is checked again
(`domain.next_escalation_check`). This module applies them in two ways that must agree: `escalate_overdue`, the
bulk path run by the worker every five minutes (`tasks.escalation_sweep`), and `case_escalate`, the same step for
one case through `transitions.apply_event`. Both act as the `ESCALATION` job.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core import audit
from shequ.core.actors import label_of, system_job, user_of
from shequ.core.calendar import current_calendar
from shequ.core.permissions import require, write_service

from . import domain
from .domain import Event
from .models import Case, CaseTransition
from .transitions import apply_event, lock_case, parent_at_level_above

ESCALATION = system_job("cases.escalation_sweep", gettext_lazy("自动升级"))


def _note() -> str:
    return _("超过时限未处理，自动升级督办")


@write_service("cases.escalate")
def escalate_overdue(*, actor: Any = ESCALATION, now: datetime | None = None, batch_size: int = 500) -> int:
    """Move every case whose stage deadline has passed one level up the ladder and mark it supervised.

    Works in id-ordered batches of `batch_size` (memory stays bounded whatever the number of cases): each batch
    is one transaction that claims its rows — PostgreSQL locks them FOR UPDATE SKIP LOCKED, so a concurrent
    sweep takes other rows or re-reads these after commit, when they are no longer overdue; SQLite runs one
    writer at a time (IMMEDIATE transactions) — then moves them with one UPDATE per target unit, writes their
    transitions and audit records in bulk, and sends each unit one digest notification per batch (the new
    holder: cases escalated to it; the old holder: cases taken from it) instead of one per case.
    Idempotent: an escalated case's next check is the end of the next working day. Returns the cases moved.
    """
    require(actor, "cases.escalate")
    now = now or timezone.now()
    next_check = domain.next_escalation_check(current_calendar(), now)
    statuses = [s.value for s in domain.ESCALATABLE_STATUSES]
    levels = list(domain.ESCALATES_TO)
    targets: dict[int, Any] = {}  # holder id -> the area one level up (None where the tree has no such area)
    escalated = 0
    last_id = 0
    note = _note()
    while True:
        with transaction.atomic():
            qs = (
                Case.objects.filter(
                    status__in=statuses, holder__level__in=levels, escalate_after__lt=now, pk__gt=last_id
                )
                .order_by("pk")
                .select_related("holder")
                .only("pk", "public_id", "status", "holder", "tracking_number", "title", "escalation_count")
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
                    escalate_after=next_check,
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
                        actor=user_of(actor),
                        actor_label=label_of(actor),
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
                        actor=actor,
                        action="cases.escalate",
                        object_type="cases.case",
                        object_id=str(c.public_id),
                        object_label=str(c),  # as `audit.record(obj=case)` labels it on every other step
                        before={"status": c.status, "holder": c.holder.code},
                        after={"status": c.status, "holder": target.code, "note": note},
                    )
                    for c, target in moved
                ]
            )
            _notify_escalations(moved)
            escalated += len(moved)


@write_service("cases.escalate")
def case_escalate(*, actor: Any = ESCALATION, case: Case, now: datetime | None = None) -> bool:
    """Escalate one case exactly as `escalate_overdue` would at `now`, if it is due; return whether it moved.

    Locks the case and re-checks it (`domain.escalation_due`, and an area one level up in the tree), then
    records the step through `transitions.apply_event`: the new holder, supervised, one more escalation, the next
    check at the end of the next working day, the transition, the audit record and the notices to both units.
    `case` is updated in place.
    """
    require(actor, "cases.escalate", case)
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_case(case)
        due = domain.escalation_due(
            status=locked.status, holder_level=locked.holder.level, escalate_after=locked.escalate_after, now=now
        )
        target = parent_at_level_above(locked.holder) if due else None
        if target is None:
            return False
        apply_event(
            case,
            Event.ESCALATE,
            actor,
            _note(),
            holder=target,
            now=now,
            supervised=True,
            escalation_count=locked.escalation_count + 1,
            escalate_after=domain.next_escalation_check(current_calendar(), now),
        )
    return True


def _notify_escalations(moved: list[tuple[Case, Any]]) -> None:
    """One digest per unit and batch: to the new holder (escalated to it) and to the old one (taken from it)."""
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
