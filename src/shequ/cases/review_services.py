"""Community review of a grid worker's answer (答复待审核) and the per-community setting behind it.

A community chooses the case types whose answer, when given by a grid or micro-grid worker (the case is held by
a grid or micro-grid area), waits for its review before the reporter sees it; without a stored setting complaints
are reviewed. `services.case_resolve` then records the answer on a HOLD_ANSWER step (status 答复待审核) instead
of resolving; a community worker or secretary publishes it (the RESOLVE step, with the held text as the reply)
or sends it back with a note (REVISE_ANSWER, back to 办理中). The reporter sees neither step.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.actors import user_of
from shequ.core.errors import ValidationError
from shequ.core.permissions import require, write_service

from . import domain
from .domain import Event, Status
from .models import Case, CaseTransition, CommunityCaseSettings, default_review_types
from .transitions import apply_event, lock_case

GRID_LEVELS = frozenset({"grid", "micro_grid"})


def review_types_of(community: Any) -> list[str]:
    """The case types whose grid worker's answer the community reviews (the default when it stored none)."""
    row = CommunityCaseSettings.objects.filter(community=community).first()
    return list(row.review_answers_for) if row is not None else default_review_types()


def answer_needs_review(case: Case) -> bool:
    """Whether an answer given now waits for the community's review: held by a grid or micro-grid area (not a
    department or organisation) and of a type the case's own community reviews."""
    holder = case.holder
    if case.holder_unit_id is not None or holder is None or holder.level not in GRID_LEVELS:
        return False
    return case.case_type in review_types_of(case.community)


def held_answer(case: Case) -> CaseTransition | None:
    """The step that holds the answer now waiting for review (its note is the answer), or None."""
    if case.status != Status.ANSWER_REVIEW:
        return None
    return CaseTransition.objects.filter(case=case, event=Event.HOLD_ANSWER.value).order_by("-at", "-id").first()


@write_service("cases.review_answer")
def answer_review(*, actor: Any, case: Case, approve: bool, note: str = "", now: Any = None) -> Case:
    """Publish a held answer to the reporter (approve), or send it back to the worker with a note.

    Requires `cases.review_answer` (the case's community) and the status 答复待审核 under the row lock. Approval
    resolves the case with the held text as its reply (the first receiver is told, as on any resolution);
    sending back needs a note of at least 2 characters and returns the case to 办理中.
    """
    require(actor, "cases.review_answer", case)
    note = (note or "").strip()
    if not approve and len(note) < 2:
        raise ValidationError({"note": [_("退回修改时请说明原因")]})
    with transaction.atomic():
        locked = lock_case(case)
        event = Event.RESOLVE if approve else Event.REVISE_ANSWER
        domain.next_status(locked.status, event)  # InvalidTransition before anything is written
        if not approve:
            return apply_event(case, event, actor, note, now=now)
        held = held_answer(locked)
        reply = held.note if held is not None else locked.reply
        text = _("社区审核通过") + (f"：{note}" if note else "")
        now = now or timezone.now()
        return apply_event(case, event, actor, text, now=now, reply=reply, resolved_at=now)


@write_service("cases.configure_review")
def review_settings_update(*, actor: Any, community: Any, case_types: list[str]) -> CommunityCaseSettings:
    """Set the case types whose grid worker's answer the community reviews; audited with before and after.

    Requires `cases.configure_review` on the community. Unknown types are refused.
    """
    require(actor, "cases.configure_review", community)
    known = {t.value for t in domain.CaseType}
    wanted = sorted(set(case_types or []))
    if any(t not in known for t in wanted):
        raise ValidationError({"case_types": [_("请选择有效的诉求类型")]})
    with transaction.atomic():
        before = review_types_of(community)
        row, _created = CommunityCaseSettings.objects.select_for_update().get_or_create(community=community)
        row.review_answers_for = wanted
        row.updated_at = timezone.now()
        row.updated_by = user_of(actor)
        row.save()
        audit.record(
            actor=actor,
            action="cases.review_settings",
            obj=community,
            before={"review_answers_for": before},
            after={"review_answers_for": wanted},
        )
    return row
