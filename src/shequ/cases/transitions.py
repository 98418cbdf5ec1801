"""How a case moves: every status change goes through `apply_event`, every note through `record_note`.

`apply_event` locks the row, asks the domain table for the next status, records the transition (who, when,
from, to, holder, note), moves the stage deadline that drives the escalation sweep, notifies the units
concerned and audits. Call it inside the service's transaction. `parent_at_level_above` is the escalation
ladder over the territory tree.
"""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.actors import label_of, user_of
from shequ.core.masking import mask_text

from . import domain
from .domain import Event
from .models import Case, CaseTransition


def lock_case(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("holder", "first_receiver", "holder_unit")
        .get(pk=case.pk)
    )


def apply_event(
    case: Case, event: Event, actor: Any, note: str, *, holder: Any = None, now: datetime | None = None, **fields: Any
) -> Case:
    """Lock, transition by the table, record, move the sweep deadline, audit. Call inside a transaction."""
    now = now or timezone.now()
    locked = lock_case(case)
    before_status, before_holder = locked.status, locked.holder
    locked.status = domain.next_status(locked.status, event)
    if holder is not None:
        locked.holder, locked.holder_path = holder, holder.path
    for k, v in fields.items():
        setattr(locked, k, v)
    if event is not Event.ESCALATE:
        locked.escalate_after = domain.running_deadline(locked.status, locked)
    locked.save()
    CaseTransition.objects.create(
        case=locked,
        event=event.value,
        from_status=before_status,
        to_status=locked.status,
        from_holder=before_holder,
        to_holder=locked.holder,
        actor=user_of(actor),
        actor_label=label_of(actor),
        note=(note or "")[:2000],
        at=now,
    )
    _notify(locked, event, before_holder)
    audit.record(
        actor=actor,
        action=f"cases.{event.value}",
        obj=locked,
        before={"status": before_status, "holder": before_holder.code},
        after={"status": locked.status, "holder": locked.holder.code, "note": (note or "")[:200]},
    )
    case.__dict__.update(locked.__dict__)
    return case


def _notify(case: Case, event: Event, before_holder: Any) -> None:
    """Tell the units concerned: the new holder on dispatch/transfer/escalation/return, the old one on escalation,
    the first receiver on resolution. Titles carry the tracking number and a masked title only."""
    from shequ.notifications.services import notify_area

    from .permissions import DISPATCH_ROLES, HANDLE_ROLES

    url = f"/cases/{case.public_id}/"
    label = f"{case.tracking_number} {mask_text(case.title)[:60]}"
    if event in (Event.DISPATCH, Event.TRANSFER, Event.RETURN, Event.ESCALATE) and case.holder_id != before_holder.pk:
        notify_area(
            area=case.holder,
            roles=HANDLE_ROLES,
            kind=f"case.{event.value}",
            url=url,
            title=_("%(event)s：%(label)s") % {"event": domain.EVENT_LABELS[event], "label": label},
        )
    if event is Event.ESCALATE:
        notify_area(
            area=before_holder,
            roles=HANDLE_ROLES,
            kind="case.escalated_away",
            url=url,
            title=_("超时已升级督办：%(label)s") % {"label": label},
        )
    if event is Event.RESOLVE:
        notify_area(
            area=case.first_receiver,
            roles=DISPATCH_ROLES,
            kind="case.resolved",
            url=url,
            title=_("已办结，请回访：%(label)s") % {"label": label},
        )


def record_note(case: Case, event: str, actor: Any, note: str, now: datetime | None = None) -> None:
    """Record a step that does not change the status (extension, helper opinion, flag) on the timeline."""
    CaseTransition.objects.create(
        case=case,
        event=event,
        from_status=case.status,
        to_status=case.status,
        from_holder=case.holder,
        to_holder=case.holder,
        actor=user_of(actor),
        actor_label=label_of(actor),
        note=(note or "")[:2000],
        at=now or timezone.now(),
    )


def parent_at_level_above(holder: Any) -> Any:
    level = domain.level_above(holder.level)
    if level is None:
        return None
    node = holder.parent
    while node is not None and node.level != level:
        node = node.parent
    return node
