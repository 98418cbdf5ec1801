"""Extensions (延期) and suspensions (中止): the handling unit asks, the level above approves or refuses.

The level above is the holder's parent rung, or the dispatching area when a unit outside the tree leads
(permissions.can_approve_request). An approved extension moves the resolution deadline by working days on the
official calendar; an approved suspension stops the clock until the case is resumed, and resuming moves the
deadline by the working days it was suspended.
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.actors import user_of
from shequ.core.calendar import current_calendar
from shequ.core.errors import ValidationError
from shequ.core.masking import mask_text
from shequ.core.permissions import require, write_service

from . import domain
from .domain import Event, Stage, Status
from .models import Case, CaseRequest
from .transitions import apply_event, lock_case, parent_at_level_above, record_note


def _approver_area(case: Case) -> Any:
    """The level above the holder: the dispatching area when a unit outside the tree leads."""
    if case.holder_unit_id is not None:
        return case.holder
    return parent_at_level_above(case.holder) or case.holder


EXTEND_MAX_DAYS = 30


@write_service("cases.handle")
def case_request_change(
    *, actor: Any, case: Case, kind: str, reason: str, days: int | None = None, now: datetime | None = None
) -> CaseRequest:
    """The handling unit asks the level above for an extension (延期, N working days) or a suspension (中止)."""
    require(actor, "cases.handle", case)
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if kind not in (CaseRequest.KIND_EXTEND, CaseRequest.KIND_SUSPEND):
        errors.setdefault("kind", []).append(_("请选择申请类型"))
    if len(reason) < 5:
        errors.setdefault("reason", []).append(_("请填写申请理由（至少5个字）"))
    if kind == CaseRequest.KIND_EXTEND:
        if days is None or not 1 <= days <= EXTEND_MAX_DAYS:
            errors.setdefault("days", []).append(_("延期天数须为1至%(n)d个工作日") % {"n": EXTEND_MAX_DAYS})
        if case.resolve_by is None or case.status not in (Status.DISPATCHED, Status.IN_PROGRESS):
            errors.setdefault("kind", []).append(_("只有办理中的诉求可以申请延期"))
    elif kind == CaseRequest.KIND_SUSPEND and (case.status, Event.SUSPEND) not in domain.TRANSITIONS:
        errors.setdefault("kind", []).append(_("只有办理中的诉求可以申请中止"))
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    approver = _approver_area(case)
    with transaction.atomic():
        lock_case(case)
        if CaseRequest.objects.filter(case=case, status=CaseRequest.PENDING).exists():
            raise ValidationError({"kind": _("已有待审批的申请，请等待审批结果")})
        req = CaseRequest.objects.create(
            case=case,
            kind=kind,
            days=days if kind == CaseRequest.KIND_EXTEND else None,
            reason=reason[:2000],
            approver_area=approver,
            approver_path=approver.path,
            requested_by=user_of(actor),
            requested_at=now,
        )
        label = str(dict(CaseRequest.KIND_CHOICES)[kind])
        record_note(case, "request", actor, f"{label}：{reason}" + (f"（{days}）" if days else ""), now)
        audit.record(actor=actor, action="cases.change_requested", obj=case, after={"kind": kind, "days": days})
        _notify_area_roles(case, approver, "case.request", _("延期/中止申请待审批"), dispatch=True)
    return req


def _notify_area_roles(case: Case, area: Any, kind: str, what: str, *, dispatch: bool) -> None:
    from shequ.notifications.services import notify_area

    from .permissions import DISPATCH_ROLES, HANDLE_ROLES

    label = f"{case.tracking_number} {mask_text(case.title)[:60]}"
    notify_area(
        area=area,
        roles=DISPATCH_ROLES if dispatch else HANDLE_ROLES,
        kind=kind,
        url=f"/cases/{case.public_id}/",
        title=f"{what}：{label}",
    )


@write_service("cases.approve_request")
def case_request_decide(
    *, actor: Any, request: CaseRequest, approve: bool, note: str = "", now: datetime | None = None
) -> CaseRequest:
    """The level above approves or refuses; an approved extension moves the resolution deadline by working days,
    an approved suspension stops the clock (status 已中止/延期) until the case is resumed."""
    require(actor, "cases.approve_request", request)
    note = (note or "").strip()
    if not approve and len(note) < 2:
        raise ValidationError({"note": _("不批准时请填写审批意见")})
    now = now or timezone.now()
    with transaction.atomic():
        req = CaseRequest.objects.select_for_update().get(pk=request.pk)
        if req.status != CaseRequest.PENDING:
            raise ValidationError({"note": _("该申请已经审批")})
        case = lock_case(req.case)
        req.status = CaseRequest.APPROVED if approve else CaseRequest.REFUSED
        req.decided_by, req.decided_at, req.decision_note = user_of(actor), now, note[:2000]
        req.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
        verdict = _("批准") if approve else _("不批准")
        if approve and req.kind == CaseRequest.KIND_EXTEND:
            if case.resolve_by is None or case.status not in (Status.DISPATCHED, Status.IN_PROGRESS):
                raise ValidationError({"note": _("诉求已不在办理中，不能延期")})
            new_by = domain.extend_deadline(current_calendar(), case.resolve_by, req.days or 0)
            fields = {"resolve_by": new_by}
            if domain.current_stage(case.status) is Stage.RESOLVE:
                fields["escalate_after"] = new_by
            Case.objects.filter(pk=case.pk).update(**fields)
            for k, v in fields.items():
                setattr(case, k, v)
            record_note(
                case,
                "extend",
                actor,
                _("批准延期%(n)d个工作日，办结时限至%(d)s")
                % {"n": req.days, "d": f"{timezone.localtime(new_by):%Y-%m-%d}"}
                + (f"\n{note}" if note else ""),
                now,
            )
        elif approve:
            apply_event(
                case, Event.SUSPEND, actor, _("批准中止：%(r)s") % {"r": req.reason[:200]}, now=now, suspended_at=now
            )
        else:
            record_note(case, "request_refused", actor, note, now)
        audit.record(
            actor=actor, action="cases.change_decided", obj=case, after={"kind": req.kind, "approved": approve}
        )
        holder_area = case.holder
        _notify_area_roles(case, holder_area, "case.request_decided", _("申请已%(v)s") % {"v": verdict}, dispatch=False)
    request.__dict__.update(req.__dict__)
    return request


@write_service("cases.resume")
def case_resume(*, actor: Any, case: Case, note: str = "", now: datetime | None = None) -> Case:
    """Resume a suspended case: the resolution deadline moves by the working days it was suspended."""
    require(actor, "cases.resume", case)
    now = now or timezone.now()
    fields: dict[str, Any] = {"suspended_at": None}
    if case.resolve_by is not None and case.suspended_at is not None:
        cal = current_calendar()
        lost = cal.working_days_between(timezone.localtime(case.suspended_at).date(), timezone.localtime(now).date())
        fields["resolve_by"] = domain.extend_deadline(cal, case.resolve_by, lost)
    with transaction.atomic():
        return apply_event(case, Event.RESUME, actor, note, now=now, **fields)
