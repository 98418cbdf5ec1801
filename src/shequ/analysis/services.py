"""Writes of warnings: recomputation (system job or on demand), the staff's actions, and a district's threshold.

Rules of states and reopening live in `domain.py`; who may do what in `permissions.py`.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases.domain import OPEN_STATUSES
from shequ.cases.models import Case
from shequ.cases.selectors import all_cases_unscoped, cases_for
from shequ.core import audit
from shequ.core.actors import label_of, user_of
from shequ.core.errors import invalid
from shequ.core.permissions import require, write_service
from shequ.territory.models import Area

from . import domain, selectors, warnings
from .domain import Event
from .errors import AnalysisError
from .models import Kind, RiskThreshold, Warning, WarningEvent

BATCH = 500
MIN_THRESHOLD, MAX_THRESHOLD = 1, 200


@dataclass(frozen=True)
class RecomputeResult:
    cases: int = 0
    created: int = 0
    updated: int = 0
    reopened: int = 0


def _event(warning: Warning, event: Event, actor: Any, now: Any, **fields: Any) -> WarningEvent:
    return WarningEvent(
        warning=warning, event=event.value, actor=user_of(actor), actor_label=label_of(actor), created_at=now, **fields
    )


def _district_finder() -> Any:
    districts = {a.path: a for a in Area.objects.filter(level="district")}

    def find(path: str) -> Area | None:
        for prefix, area in districts.items():
            if path.startswith(prefix):
                return area
        return None

    return find


def _recompute_batch(cases: list[Case], actor: Any, now: Any, find_district: Any) -> RecomputeResult:
    assessed = warnings.assess(cases, now=now)
    with transaction.atomic():
        existing = {
            w.case_id: w
            for w in Warning.objects.select_for_update().filter(
                kind=Kind.PETITION_RISK, case_id__in=[c.pk for c in cases]
            )
        }
        fresh: list[Warning] = []
        changed: list[Warning] = []
        events: list[WarningEvent] = []
        reopened = 0
        for a in assessed:
            reasons = [r.as_json() for r in a.parts]
            codes = [r.code for r in a.parts]
            district = find_district(a.case.location_path)
            w = existing.get(a.case.pk)
            if w is None:
                if a.score > 0:
                    fresh.append(
                        Warning(
                            case=a.case,
                            kind=Kind.PETITION_RISK,
                            district=district,
                            score=a.score,
                            reasons=reasons,
                            computed_at=now,
                            state_changed_at=now,
                        )
                    )
                continue
            w.score, w.reasons, w.district, w.computed_at, w.updated_at = a.score, reasons, district, now, now
            if domain.reopens(w.state, codes, w.codes_at_close):
                w.state = domain.next_state(w.state, Event.REOPEN)
                w.state_changed_at = now
                events.append(_event(w, Event.REOPEN, actor, now, codes=domain.new_codes(codes, w.codes_at_close)))
                reopened += 1
            changed.append(w)
        Warning.objects.bulk_update(
            changed, ["score", "reasons", "district", "computed_at", "state", "state_changed_at", "updated_at"]
        )
        created = Warning.objects.bulk_create(fresh, ignore_conflicts=True)
        if fresh:
            ids = {w.case_id for w in created}
            for w in Warning.objects.filter(kind=Kind.PETITION_RISK, case_id__in=ids, events__isnull=True):
                events.append(_event(w, Event.RAISE, actor, now))
        WarningEvent.objects.bulk_create(events)
    return RecomputeResult(cases=len(cases), created=len(fresh), updated=len(changed), reopened=reopened)


@write_service("analysis.recompute")
def warnings_recompute(*, actor: Any, now: Any = None) -> RecomputeResult:
    """Score every open case (a system job: all of them; staff: those they see) and store the warnings.

    A new warning is stored for a case that scores at all (the district's threshold decides what is listed, so a
    threshold may be lowered without waiting); an existing one gets the new score and reasons in every state, and
    a closed one reopens when a reason code appears that it did not have when closed. Batches of `BATCH` cases,
    each in its own transaction with the existing warnings locked. One audit record when anything was raised or
    reopened, or when a person asked for it.
    """
    require(actor, "analysis.recompute")
    now = now or timezone.now()
    base = all_cases_unscoped() if user_of(actor) is None else cases_for(actor)
    ids = list(base.filter(status__in=[s.value for s in OPEN_STATUSES]).order_by("id").values_list("id", flat=True))
    find_district = _district_finder()
    total = RecomputeResult()
    for start in range(0, len(ids), BATCH):
        cases = list(Case.objects.filter(id__in=ids[start : start + BATCH]).select_related("community").order_by("id"))
        part = _recompute_batch(cases, actor, now, find_district)
        total = RecomputeResult(
            cases=total.cases + part.cases,
            created=total.created + part.created,
            updated=total.updated + part.updated,
            reopened=total.reopened + part.reopened,
        )
    if total.created or total.reopened or user_of(actor) is not None:
        audit.record(
            actor=actor,
            action="analysis.recompute",
            object_type="analysis.warning",
            after={"cases": total.cases, "created": total.created, "reopened": total.reopened},
        )
    return total


def _act(actor: Any, warning: Warning, event: Event, *, text: str = "", assignee: Any = None) -> Warning:
    require(actor, "analysis.act_on_warning", warning)
    now = timezone.now()
    with transaction.atomic():
        locked = Warning.objects.select_for_update().get(pk=warning.pk)
        try:
            state = domain.next_state(locked.state, event)
        except domain.InvalidTransition:
            raise invalid("state", _("该预警当前状态下不能执行此操作"), AnalysisError.TRANSITION_INVALID) from None
        before = {"state": locked.state, "assignee": locked.assignee_id}
        if state != locked.state:
            locked.state, locked.state_changed_at = state, now
        if event is Event.ASSIGN:
            locked.assignee = assignee
        if event is Event.CLOSE:
            locked.codes_at_close = locked.codes
        locked.save(update_fields=["state", "state_changed_at", "assignee", "codes_at_close", "updated_at"])
        _event(locked, event, actor, now, text=text, assignee=assignee).save()
        audit.record(
            actor=actor,
            action=f"analysis.warning_{event.value}",
            object_type="analysis.warning",
            object_id=str(locked.public_id),
            object_label=warning.case.tracking_number,
            before=before,
            after={"state": locked.state, "assignee": locked.assignee_id, **({"note": text} if text else {})},
        )
    warning.refresh_from_db()
    return warning


def _clean_note(text: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise invalid("text", _("请填写备注"), AnalysisError.NOTE_REQUIRED)
    return text[:2000]


@write_service("analysis.act_on_warning")
def warning_acknowledge(*, actor: Any, warning: Warning, note: str = "") -> Warning:
    """Mark an open warning as seen (已知悉), with an optional note."""
    return _act(actor, warning, Event.ACKNOWLEDGE, text=_clean_note(note, required=False))


@write_service("analysis.act_on_warning")
def warning_assign(*, actor: Any, warning: Warning, user: Any, note: str = "") -> Warning:
    """Assign a warning that is not closed to a person who sees the case within the actor's territory."""
    require(actor, "analysis.act_on_warning", warning)
    if user is None or not selectors.assignable_users(actor, warning).filter(pk=user.pk).exists():
        raise invalid("user", _("只能指派给能看到该诉求的本辖区工作人员"), AnalysisError.ASSIGNEE_INVALID)
    return _act(actor, warning, Event.ASSIGN, text=_clean_note(note, required=False), assignee=user)


@write_service("analysis.act_on_warning")
def warning_note(*, actor: Any, warning: Warning, text: str) -> Warning:
    """Add a note to a warning in any state; nothing else changes."""
    require(actor, "analysis.act_on_warning", warning)
    return _act(actor, warning, Event.NOTE, text=_clean_note(text, required=True))


@write_service("analysis.act_on_warning")
def warning_close(*, actor: Any, warning: Warning, note: str = "") -> Warning:
    """Close a warning; it reopens only when a reason appears that it does not have now."""
    return _act(actor, warning, Event.CLOSE, text=_clean_note(note, required=False))


@write_service("analysis.set_threshold")
def risk_threshold_set(*, actor: Any, district: Area, threshold: int) -> RiskThreshold:
    """Set the district's petition-risk threshold (audited with the old and the new value)."""
    require(actor, "analysis.set_threshold", district)
    try:
        value = int(threshold)
    except (TypeError, ValueError):
        value = 0
    if not MIN_THRESHOLD <= value <= MAX_THRESHOLD:
        raise invalid("threshold", _("预警阈值须为1到200之间的整数"), AnalysisError.THRESHOLD_INVALID)
    with transaction.atomic():
        row = RiskThreshold.objects.select_for_update().filter(district=district).first()
        old = row.threshold if row else selectors.default_threshold()
        if row is None:
            row = RiskThreshold(district=district)
        row.threshold, row.set_by = value, user_of(actor)
        row.save()
        audit.record(
            actor=actor,
            action="analysis.set_threshold",
            obj=district,
            before={"threshold": old},
            after={"threshold": value},
        )
    return row
