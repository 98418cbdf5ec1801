"""Writes on cases: intake, the lifecycle transitions and the escalation sweep.

Every transition goes through `_apply`: lock the row, ask the domain table for the next status, record the
transition (who, when, from, to, holder, note), move the stage deadline that drives the sweep, audit.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit, crypto
from shequ.core.calendar import current_calendar
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.masking import mask_mobile, mask_text
from shequ.core.permissions import require
from shequ.core.validators import validate_mobile

from . import domain
from .domain import Event, Stage, Status
from .models import Case, CaseTransition, Category

MOBILE_PURPOSE = "cases.reporter_mobile"
LADDER = ("micro_grid", "grid", "community", "street", "district")
REOPEN_PERIOD_DAYS = 15  # a closed case can be reopened within this many calendar days of closing


@dataclass
class CaseInput:
    case_type: str
    title: str
    description: str
    channel: str
    category: Category | None = None
    community: Any = None  # Area (community) when no building or point is given
    building: Any = None
    lng: float | None = None
    lat: float | None = None
    crs: str = "gcj02"
    address: str = ""
    reporter: Any = None  # registry Resident
    reporter_name: str = ""
    reporter_mobile: str = ""
    anonymous: bool = False
    external_ref: str = ""  # e.g. the 12345 order number; unique per channel


def _actor_label(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else str(actor or "system")


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _resolve_days(case_type: str, category: Category | None) -> int:
    if category is not None and category.resolve_days:
        return category.resolve_days
    return domain.DEFAULT_RESOLVE_DAYS[domain.CaseType(case_type)]


def _place(data: CaseInput) -> tuple[Any, Any, Any, Any]:
    """(community, micro_grid, compound, building) from a building, a map point, or a community."""
    from shequ.territory.services import locate_micro_grid

    if data.building is not None:
        b = data.building
        return b.compound.community, b.micro_grid, b.compound, b
    if data.lng is not None and data.lat is not None:
        micro = locate_micro_grid(data.lng, data.lat, crs=data.crs)
        grid = micro.parent if micro is not None else None
        if micro is not None and grid is not None and grid.parent is not None:
            return grid.parent, micro, None, None
    if data.community is not None:
        return data.community, None, None, None
    raise ValidationError({"location": _("请选择楼栋、在地图上标注位置，或选择社区")})


def _tracking_number(now: datetime) -> str:
    return f"{timezone.localtime(now):%y%m%d}{secrets.randbelow(10**6):06d}"


def case_submit(*, actor: Any, data: CaseInput, now: datetime | None = None) -> Case:
    """Create a case from any channel; the place decides community and micro-grid; the community receives it."""
    errors: dict[str, list[str]] = {}
    if data.case_type not in {t.value for t in domain.CaseType}:
        errors.setdefault("case_type", []).append(_("请选择诉求类型"))
    data.title = (data.title or "").strip()
    data.description = (data.description or "").strip()
    if not data.title or len(data.title) > 100:
        errors.setdefault("title", []).append(_("请填写标题（不超过100字）"))
    if len(data.description) < 5:
        errors.setdefault("description", []).append(_("请描述诉求内容（至少5个字）"))
    if data.reporter_mobile:
        try:
            data.reporter_mobile = validate_mobile(data.reporter_mobile)
        except ValidationError as exc:
            errors.setdefault("reporter_mobile", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    community, micro, compound, building = _place(data)
    if getattr(actor, "is_authenticated", False):
        require(actor, "cases.submit", micro or community)
    now = now or timezone.now()
    resolve_days = _resolve_days(data.case_type, data.category)
    deadlines = domain.compute_deadlines(
        current_calendar(), submitted_at=now, accepted_at=None, resolve_days=resolve_days
    )
    with transaction.atomic():
        case = Case(
            case_type=data.case_type,
            category=data.category,
            channel=data.channel,
            title=data.title,
            description=data.description,
            status=Status.SUBMITTED,
            community=community,
            micro_grid=micro,
            compound=compound,
            building=building,
            location_path=(micro or community).path,
            lng=data.lng,
            lat=data.lat,
            address=(data.address or "")[:200],
            first_receiver=community,
            holder=community,
            holder_path=community.path,
            reporter=None if data.anonymous else data.reporter,
            reporter_name="" if data.anonymous else (data.reporter_name or "")[:50],
            reporter_mobile_encrypted=""
            if data.anonymous
            else crypto.encrypt(data.reporter_mobile, purpose=MOBILE_PURPOSE),
            reporter_mobile_masked="" if data.anonymous else mask_mobile(data.reporter_mobile),
            anonymous=data.anonymous,
            submitted_at=now,
            accept_by=deadlines.accept_by,
            escalate_after=deadlines.accept_by,
            created_by=_user(actor),
            external_ref=(data.external_ref or "")[:40],
        )
        for _attempt in range(5):
            case.tracking_number = _tracking_number(now)
            try:
                with transaction.atomic():
                    case.save()
                break
            except IntegrityError:
                continue
        else:
            raise RuntimeError("could not allocate a tracking number")
        CaseTransition.objects.create(
            case=case,
            event="submit",
            from_status="",
            to_status=case.status,
            to_holder=community,
            actor=_user(actor),
            actor_label=_actor_label(actor),
            at=now,
        )
        audit.record(
            actor=actor,
            action="cases.submitted",
            obj=case,
            after={"type": case.case_type, "channel": case.channel, "community": community.code},
        )
    return case


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("holder", "first_receiver").get(pk=case.pk)


def _apply(
    case: Case, event: Event, actor: Any, note: str, *, holder: Any = None, now: datetime | None = None, **fields: Any
) -> Case:
    """Lock, transition by the table, record, move the sweep deadline, audit. Call inside a transaction."""
    now = now or timezone.now()
    locked = _lock(case)
    before_status, before_holder = locked.status, locked.holder
    locked.status = domain.next_status(locked.status, event)
    if holder is not None:
        locked.holder, locked.holder_path = holder, holder.path
    for k, v in fields.items():
        setattr(locked, k, v)
    stage = domain.current_stage(locked.status)
    if event is not Event.ESCALATE:
        locked.escalate_after = (
            {
                Stage.ACCEPT: locked.accept_by,
                Stage.DISPATCH: locked.dispatch_by,
                Stage.RESOLVE: locked.resolve_by,
            }.get(stage)
            if stage
            else None
        )
    locked.save()
    CaseTransition.objects.create(
        case=locked,
        event=event.value,
        from_status=before_status,
        to_status=locked.status,
        from_holder=before_holder,
        to_holder=locked.holder,
        actor=_user(actor),
        actor_label=_actor_label(actor),
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


def case_accept(*, actor: Any, case: Case, note: str = "", now: datetime | None = None) -> Case:
    """Accept (受理): the dispatch and resolution deadlines start from the acceptance day."""
    require(actor, "cases.dispatch", case)
    now = now or timezone.now()
    d = domain.compute_deadlines(
        current_calendar(),
        submitted_at=case.submitted_at,
        accepted_at=now,
        resolve_days=_resolve_days(case.case_type, case.category),
    )
    with transaction.atomic():
        return _apply(
            case,
            Event.ACCEPT,
            actor,
            note,
            now=now,
            accepted_at=now,
            dispatch_by=d.dispatch_by,
            resolve_by=d.resolve_by,
        )


def case_reject(*, actor: Any, case: Case, reason: str, where_instead: str) -> Case:
    """Refuse (不予受理) with the reason and where the reporter should go instead."""
    require(actor, "cases.dispatch", case)
    if len((reason or "").strip()) < 2 or len((where_instead or "").strip()) < 2:
        raise ValidationError({"reason": _("请填写不予受理的理由和建议的办理渠道")})
    with transaction.atomic():
        return _apply(case, Event.REJECT, actor, f"{reason.strip()}\n{_('建议渠道')}：{where_instead.strip()}")


def _within(target: Any, root: Any) -> bool:
    return target.path.startswith(root.path)


def case_dispatch(*, actor: Any, case: Case, target: Any, note: str = "", now: datetime | None = None) -> Case:
    """Dispatch (派单) to the unit that will handle it: the holder itself or an area below it."""
    require(actor, "cases.dispatch", case)
    if not _within(target, case.holder):
        raise ValidationError({"target": _("只能派给本单位或下级网格、微网格")})
    with transaction.atomic():
        return _apply(case, Event.DISPATCH, actor, note, holder=target, now=now, dispatched_at=now or timezone.now())


def case_transfer(*, actor: Any, case: Case, target: Any, reason: str) -> Case:
    """Transfer (转办) to another community or unit; the first receiver stays accountable for the reply."""
    require(actor, "cases.dispatch", case)
    if len((reason or "").strip()) < 2:
        raise ValidationError({"reason": _("请填写转办理由")})
    if target.level not in ("community", "street", "grid", "micro_grid"):
        raise ValidationError({"target": _("只能转办给社区、街道或网格")})
    with transaction.atomic():
        return _apply(case, Event.TRANSFER, actor, reason, holder=target, dispatched_at=timezone.now())


def case_start(*, actor: Any, case: Case) -> Case:
    require(actor, "cases.handle", case)
    with transaction.atomic():
        return _apply(case, Event.START, actor, "")


def case_return(*, actor: Any, case: Case, reason: str) -> Case:
    """Return (退单) to the dispatcher with a reason: the holder goes back to the unit that dispatched it."""
    require(actor, "cases.handle", case)
    if len((reason or "").strip()) < 2:
        raise ValidationError({"reason": _("请填写退单理由")})
    last = CaseTransition.objects.filter(case=case, event__in=["dispatch", "transfer"]).order_by("-at", "-id").first()
    back_to = last.from_holder if last and last.from_holder else case.first_receiver
    with transaction.atomic():
        return _apply(case, Event.RETURN, actor, reason, holder=back_to)


def case_resolve(*, actor: Any, case: Case, reply: str, now: datetime | None = None) -> Case:
    """Resolve (办结) with the official reply to the reporter."""
    require(actor, "cases.handle", case)
    if len((reply or "").strip()) < 5:
        raise ValidationError({"reply": _("请填写答复意见（至少5个字）")})
    with transaction.atomic():
        return _apply(case, Event.RESOLVE, actor, "", now=now, reply=reply.strip(), resolved_at=now or timezone.now())


def case_rate(*, actor: Any, case: Case, satisfaction: str, reopen: bool = False) -> Case:
    """Record the reporter's rating (portal, or staff call-back); satisfied closes, unsatisfied may reopen."""
    if satisfaction not in {s.value for s in domain.Satisfaction}:
        raise ValidationError({"satisfaction": _("请选择满意度")})
    if getattr(actor, "is_authenticated", False):
        # Staff record the reporter's rating in a call-back: the dispatcher does it, not the handling unit.
        require(actor, "cases.dispatch", case)
    if case.status != Status.RESOLVED:
        raise ValidationError({"satisfaction": _("办结后才能评价")})
    with transaction.atomic():
        case.satisfaction, case.rated_at = satisfaction, timezone.now()
        Case.objects.filter(pk=case.pk).update(satisfaction=satisfaction, rated_at=case.rated_at)
        audit.record(actor=actor, action="cases.rated", obj=case, after={"satisfaction": satisfaction})
        if satisfaction == domain.Satisfaction.UNSATISFIED and reopen:
            return case_reopen(actor=actor, case=case, reason=_("报告人不满意，申请重办"), check=False)
        return _apply(case, Event.CLOSE, actor, _("报告人评价：%(s)s") % {"s": satisfaction}, closed_at=timezone.now())


def case_reopen(*, actor: Any, case: Case, reason: str, check: bool = True) -> Case:
    """Reopen (重办): the resolution deadline starts again from today."""
    if check and getattr(actor, "is_authenticated", False):
        require(actor, "cases.dispatch", case)
    now = timezone.now()
    if case.status == Status.CLOSED and case.closed_at and now - case.closed_at > timedelta(days=REOPEN_PERIOD_DAYS):
        raise ValidationError({"reason": _("已超过重办期限（关闭后%(n)d天内）") % {"n": REOPEN_PERIOD_DAYS}})
    d = domain.compute_deadlines(
        current_calendar(),
        submitted_at=case.submitted_at,
        accepted_at=now,
        resolve_days=_resolve_days(case.case_type, case.category),
    )
    with transaction.atomic():
        return _apply(
            case,
            Event.REOPEN,
            actor,
            reason,
            resolve_by=d.resolve_by,
            reopen_count=case.reopen_count + 1,
            resolved_at=None,
            closed_at=None,
        )


def case_withdraw(*, actor: Any, case: Case, reason: str = "") -> Case:
    """Withdraw (撤回) at the reporter's request (portal, or staff on their behalf)."""
    if getattr(actor, "is_authenticated", False):
        require(actor, "cases.view", case)
    with transaction.atomic():
        return _apply(case, Event.WITHDRAW, actor, reason)


def reporter_mobile(*, actor: Any, case: Case) -> str:
    """The reporter's mobile in clear, for those who may know the reporter; audited."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    require(actor, "cases.see_reporter", case)
    value = crypto.decrypt(case.reporter_mobile_encrypted, purpose=MOBILE_PURPOSE)
    with transaction.atomic():
        audit.record(actor=actor, action="cases.reporter_revealed", obj=case)
    return value


# --- escalation sweep ------------------------------------------------------------------------------------


def _parent_at_level_above(holder: Any) -> Any:
    level = domain.level_above(holder.level)
    if level is None:
        return None
    node = holder.parent
    while node is not None and node.level != level:
        node = node.parent
    return node


def escalate_overdue(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Move every case whose stage deadline has passed one level up the ladder and mark it supervised.

    Idempotent and safe to run concurrently: each case is claimed with a conditional update on its
    `escalate_after` (PostgreSQL also skips rows another sweep has locked), so two sweeps never escalate the
    same case twice. Works through the overdue cases in id batches: memory stays bounded.
    """
    now = now or timezone.now()
    cal = current_calendar()
    escalated = 0
    last_id = 0
    open_statuses = [Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS]
    while True:
        with transaction.atomic():
            qs = (
                Case.objects.filter(status__in=open_statuses, escalate_after__lt=now, pk__gt=last_id)
                .exclude(holder__level="district")
                .order_by("pk")
            )
            if connection.vendor == "postgresql":
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            rows = list(qs.select_related("holder", "holder__parent", "holder__parent__parent")[:batch_size])
            if not rows:
                return escalated
            last_id = rows[-1].pk
            next_due = _end_of_next_working_day(cal, now)
            for case in rows:
                target = _parent_at_level_above(case.holder)
                if target is None:
                    continue
                claimed = Case.objects.filter(pk=case.pk, escalate_after=case.escalate_after).update(
                    escalate_after=next_due
                )
                if not claimed:
                    continue  # another sweep got there first
                case.escalate_after = next_due
                _apply(
                    case,
                    Event.ESCALATE,
                    "system",
                    _("超过时限未处理，自动升级督办"),
                    holder=target,
                    now=now,
                    supervised=True,
                    escalation_count=case.escalation_count + 1,
                    escalate_after=next_due,
                )
                escalated += 1


def _end_of_next_working_day(cal: Any, now: datetime) -> datetime:
    local = timezone.localtime(now)
    day = cal.add_working_days(local.date(), 1)
    return timezone.make_aware(datetime.combine(day, datetime.max.time()), local.tzinfo) - timedelta(microseconds=0)


def categories_seed() -> tuple[int, int]:
    """Load the shipped category tree (stable codes) into the table; idempotent. Returns (created, updated)."""
    from .categories import load_categories

    created = updated = 0
    with transaction.atomic():
        by_code = {c.code: c for c in Category.objects.all()}
        for e in sorted(load_categories(), key=lambda e: (e.level, e.code)):
            values = {
                "parent": by_code.get(e.parent_code) if e.parent_code else None,
                "level": e.level,
                "name": e.name,
                "default_type": e.default_type,
                "handling_level": e.handling_level,
                "resolve_days": e.resolve_days,
                "keywords": "|".join(e.keywords),
            }
            existing = by_code.get(e.code)
            if existing is None:
                by_code[e.code] = Category.objects.create(code=e.code, **values)
                created += 1
            elif any(getattr(existing, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(existing, k, v)
                existing.save()
                updated += 1
        if created or updated:
            audit.record(
                actor="system",
                action="cases.categories_seeded",
                object_type="cases.category",
                object_label="categories.csv",
                after={"created": created, "updated": updated},
            )
    return created, updated
