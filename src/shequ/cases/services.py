"""Writes on cases: intake, triage, dispatch (lead and helper units), the lifecycle actions, merge, helper
opinions and the malicious-report flag.

Every status change goes through `transitions.apply_event`; extensions and suspensions are in `approvals`, the
escalation sweep in `sweep`.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core import audit, crypto
from shequ.core.actors import Kind, kind_of, label_of, system_job, user_of
from shequ.core.calendar import current_calendar
from shequ.core.errors import FieldErrors, ValidationError, invalid
from shequ.core.masking import mask_mobile, mask_text
from shequ.core.permissions import require, write_service
from shequ.core.validators import validate_mobile

from . import domain
from .domain import Event, Status
from .errors import CaseError
from .models import Case, CaseAssignment, CaseTransition, Category, RoutingDecision
from .selectors import is_unit, routing_targets
from .transitions import apply_event, lock_case, record_note

MOBILE_PURPOSE = "cases.reporter_mobile"
REOPEN_PERIOD_DAYS = 15  # a closed case can be reopened within this many calendar days of closing
CATEGORIES_SEED = system_job("cases.categories_seed", gettext_lazy("诉求分类初始化"))


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
    # The reporter agreed to be contacted by the unit that will handle the case (asked on every channel).
    contact_consent: bool = False
    external_ref: str = ""  # e.g. the 12345 order number; unique per channel
    # Take a confident category suggestion as the category when none is given (hotline import, grid report).
    classify: bool = False
    # A person must confirm the category even if one is given or suggested (a resident unsure of the topic).
    triage: bool = False


def _resolve_days(case_type: str, category: Category | None) -> int:
    if category is not None and category.resolve_days:
        return category.resolve_days
    return domain.DEFAULT_RESOLVE_DAYS[domain.CaseType(case_type)]


@dataclass(frozen=True)
class Place:
    """Where a new case is: its community, and the micro-grid, compound and building when known."""

    community: Any
    micro_grid: Any = None
    compound: Any = None
    building: Any = None

    @property
    def path(self) -> str:
        """The most precise area of the place (its micro-grid, else its community)."""
        return str((self.micro_grid or self.community).path)


def _place(data: CaseInput) -> Place:
    """The case's place from a building, a map point, or a community."""
    from shequ.territory.services import locate_micro_grid

    if data.building is not None:
        b = data.building
        return Place(b.compound.community, b.micro_grid, b.compound, b)
    if data.lng is not None and data.lat is not None:
        micro = locate_micro_grid(data.lng, data.lat, crs=data.crs)
        grid = micro.parent if micro is not None else None
        if micro is not None and grid is not None and grid.parent is not None:
            return Place(grid.parent, micro)
    if data.community is not None:
        return Place(data.community)
    raise invalid("location", _("请选择楼栋、在地图上标注位置，或选择社区"), CaseError.LOCATION_REQUIRED)


def _tracking_number(now: datetime) -> str:
    return f"{timezone.localtime(now):%y%m%d}{secrets.randbelow(10**6):06d}"


@write_service("cases.submit", "cases.import_hotline")
def case_submit(*, actor: Any, data: CaseInput, now: datetime | None = None) -> Case:
    """Create a case from any channel; the place decides community and micro-grid; the community receives it.

    Requires `cases.submit` on the place (staff: inside their subtree; a resident: their own compound, or
    community without a known dwelling; an Open311 client: an active key); a hotline work order imported by
    staff requires `cases.import_hotline` on the community instead. A resident reports as themselves: the
    reporter is the acting resident, and an anonymous `ResidentActor` makes the report anonymous.

    The category is suggested from the text (`suggest.suggest_category`) and stored with its confidence and
    source. Without a category chosen by a person, a weak or missing suggestion puts the case in the triage
    queue (待分拣); a confident one becomes the category when the caller asks for it (`data.classify`).
    """
    from .suggest import needs_triage, suggest_category

    errors = FieldErrors()
    if data.case_type not in {t.value for t in domain.CaseType}:
        errors.add("case_type", _("请选择诉求类型"), CaseError.CASE_TYPE_INVALID)
    data.title = (data.title or "").strip()
    data.description = (data.description or "").strip()
    if not data.title or len(data.title) > 100:
        errors.add("title", _("请填写标题（不超过100字）"), CaseError.TITLE_REQUIRED)
    if len(data.description) < 5:
        errors.add("description", _("请描述诉求内容（至少5个字）"), CaseError.DESCRIPTION_TOO_SHORT)
    if data.reporter_mobile:
        try:
            data.reporter_mobile = validate_mobile(data.reporter_mobile)
        except ValidationError as exc:
            errors.extend("reporter_mobile", exc)
    if errors:
        raise ValidationError(errors)
    place = _place(data)
    community, micro, compound, building = place.community, place.micro_grid, place.compound, place.building
    if data.channel == domain.Channel.HOTLINE:
        require(actor, "cases.import_hotline", community)  # 12345 orders come in by staff import only
    else:
        require(actor, "cases.submit", place)
    if kind_of(actor) is Kind.RESIDENT:
        data.reporter, data.anonymous = actor.resident, data.anonymous or actor.anonymous
    now = now or timezone.now()
    suggestion = suggest_category(data.title, data.description)
    triage = data.triage or needs_triage(suggestion, chosen=data.category)
    category = data.category or (suggestion.category if data.classify and not triage else None)
    resolve_days = _resolve_days(data.case_type, category)
    deadlines = domain.compute_deadlines(
        current_calendar(), submitted_at=now, accepted_at=None, resolve_days=resolve_days
    )
    with transaction.atomic():
        case = Case(
            case_type=data.case_type,
            category=category,
            suggested_category=suggestion.category,
            suggestion_confidence=round(suggestion.confidence, 4) if suggestion.category is not None else None,
            suggestion_source=suggestion.source,
            needs_triage=triage,
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
            reporter_contact_consent=data.contact_consent and not data.anonymous,
            reporter_contact_consent_at=now if data.contact_consent and not data.anonymous else None,
            submitted_at=now,
            accept_by=deadlines.accept_by,
            escalate_after=deadlines.accept_by,
            created_by=user_of(actor),
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
            actor=user_of(actor),
            actor_label=label_of(actor),
            at=now,
        )
        audit.record(
            actor=actor,
            action="cases.submitted",
            obj=case,
            after={
                "type": case.case_type,
                "channel": case.channel,
                "community": community.code,
                "category": category.code if category else "",
                "suggested": suggestion.category.code if suggestion.category else "",
                "confidence": round(suggestion.confidence, 3),
                "source": suggestion.source,
                "needs_triage": triage,
            },
        )
    return case


@write_service("cases.dispatch")
def case_triage(*, actor: Any, case: Case, category: Category, note: str = "") -> Case:
    """Confirm or correct the category of an open case (分拣) and take it out of the triage queue.

    The dispatcher of the case does it; the resolution deadline follows the new category when the case is
    accepted and not yet dispatched. Recorded on the timeline and audited.
    """
    require(actor, "cases.dispatch", case)
    if category is None or not category.is_active:
        raise invalid("category", _("请选择有效的分类"), CaseError.CATEGORY_INVALID)
    if case.status not in {s.value for s in domain.OPEN_STATUSES}:
        raise invalid("category", _("诉求已结束，不能再分拣"), CaseError.TRIAGE_CLOSED)
    with transaction.atomic():
        locked = lock_case(case)
        old = locked.category
        before = {"category": old.code if old is not None else "", "needs_triage": locked.needs_triage}
        locked.category, locked.needs_triage = category, False
        fields = ["category", "needs_triage", "updated_at"]
        if locked.status == Status.ACCEPTED and locked.accepted_at is not None:
            d = domain.compute_deadlines(
                current_calendar(),
                submitted_at=locked.submitted_at,
                accepted_at=locked.accepted_at,
                resolve_days=_resolve_days(locked.case_type, category),
            )
            locked.resolve_by = d.resolve_by
            fields.append("resolve_by")
        locked.save(update_fields=fields)
        label = _("分类：%(name)s") % {"name": category.name}
        record_note(locked, "triage", actor, f"{label}\n{note}".strip() if note else label)
        audit.record(
            actor=actor,
            action="cases.triaged",
            obj=locked,
            before=before,
            after={"category": category.code, "needs_triage": False},
        )
    case.__dict__.update(locked.__dict__)
    return case


def _record_routing(case: Case, event: str, target: Any, actor: Any, now: datetime) -> None:
    """Record the dispatcher's decision against the routing suggestion (accepted or overridden)."""
    from .suggest import suggest_route

    route = suggest_route(case)
    if route is None:
        return
    actual_unit = target if _is_unit(target) else None
    RoutingDecision.objects.create(
        case=case,
        event=event,
        category=route.category,
        suggested_level=route.level,
        suggested_area=route.area,
        suggested_unit=route.unit,
        actual_area=None if actual_unit is not None else target,
        actual_unit=actual_unit,
        accepted=route.matches(target),
        decided_by=user_of(actor),
        decided_at=now,
    )


@write_service("cases.dispatch")
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
        return apply_event(
            case,
            Event.ACCEPT,
            actor,
            note,
            now=now,
            accepted_at=now,
            dispatch_by=d.dispatch_by,
            resolve_by=d.resolve_by,
        )


@write_service("cases.dispatch")
def case_reject(*, actor: Any, case: Case, reason: str, where_instead: str) -> Case:
    """Refuse (不予受理) with the reason and where the reporter should go instead."""
    require(actor, "cases.dispatch", case)
    if len((reason or "").strip()) < 2 or len((where_instead or "").strip()) < 2:
        raise invalid("reason", _("请填写不予受理的理由和建议的办理渠道"), CaseError.REJECT_REASON_REQUIRED)
    with transaction.atomic():
        return apply_event(case, Event.REJECT, actor, f"{reason.strip()}\n{_('建议渠道')}：{where_instead.strip()}")


_is_unit = is_unit


def _grant(case: Case, actor: Any, lead: Any, helpers: list[Any], now: datetime) -> list[str]:
    """End the previous dispatch's grants and record the new lead and helpers; returns their names."""
    CaseAssignment.objects.filter(case=case, active=True).update(active=False, ended_at=now)
    rows = [(CaseAssignment.ROLE_LEAD, lead)] + [(CaseAssignment.ROLE_HELPER, h) for h in helpers]
    for role, target in rows:
        unit = target if _is_unit(target) else None
        area = None if unit is not None else target
        CaseAssignment.objects.create(
            case=case,
            role=role,
            unit=unit,
            area=area,
            area_path=area.path if area is not None else "",
            assigned_at=now,
            assigned_by=user_of(actor),
        )
    return [t.name for _role, t in rows]


def _end_grants(case: Case, now: datetime) -> None:
    CaseAssignment.objects.filter(case=case, active=True).update(active=False, ended_at=now)


@write_service("cases.dispatch")
def case_dispatch(
    *,
    actor: Any,
    case: Case,
    target: Any,
    helpers: list[Any] | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Case:
    """Dispatch (派单) to the lead unit and optional helper units (双派单).

    The lead and the helpers must be among `selectors.routing_targets(case)`, whoever calls: the lead is the
    holder itself, an area below it, or a unit outside the tree (department, property company, owners'
    committee, organisation) responsible for the case's place; a unit lead keeps `holder` at the dispatching
    area, which supervises. Helpers see the case and add their opinions; only the lead resolves.
    """
    require(actor, "cases.dispatch", case)
    helpers = [h for h in (helpers or []) if h is not None]
    errors = FieldErrors()
    allowed = routing_targets(case)
    if _is_unit(target):
        if not allowed.lead_allowed(target):
            errors.add("target", _("该单位不负责诉求所在地"), CaseError.TARGET_NOT_RESPONSIBLE)
    elif not allowed.lead_allowed(target):
        message = _("只能派给本单位、下级网格、微网格，或负责该地的部门和组织")
        errors.add("target", message, CaseError.TARGET_NOT_ALLOWED)
    seen = {(_is_unit(target), target.pk)} if target is not None else set()
    for h in helpers:
        key = (_is_unit(h), h.pk)
        if key in seen:
            errors.add("helpers", _("协办单位不能与主办单位或其他协办单位重复"), CaseError.HELPER_DUPLICATE)
            break
        seen.add(key)
        if not allowed.helper_allowed(h):
            message = _("协办单位“%(name)s”不负责诉求所在地") % {"name": h.name}
            errors.add("helpers", message, CaseError.HELPER_NOT_RESPONSIBLE)
    if len(helpers) > 5:
        errors.add("helpers", _("协办单位最多5个"), CaseError.TOO_MANY_HELPERS)
    if case.needs_triage:
        errors.add("target", _("该诉求待分拣，请先确认分类再派单"), CaseError.TRIAGE_PENDING)
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        _record_routing(case, "dispatch", target, actor, now)
        names = _grant(case, actor, target, helpers, now)
        label = _("主办：%(lead)s") % {"lead": names[0]}
        if len(names) > 1:
            label += "；" + _("协办：%(helpers)s") % {"helpers": "、".join(names[1:])}
        text = f"{label}\n{note}".strip() if note else label
        if _is_unit(target):
            case = apply_event(case, Event.DISPATCH, actor, text, now=now, dispatched_at=now, holder_unit=target)
        else:
            case = apply_event(
                case, Event.DISPATCH, actor, text, holder=target, now=now, dispatched_at=now, holder_unit=None
            )
        _notify_grantees(case, [target, *helpers], kind="case.dispatch")
        return case


def _notify_grantees(case: Case, targets: list[Any], *, kind: str) -> None:
    """Tell the units given a case-level grant (units outside the tree, helper areas); areas that became the
    holder are told by `_notify` already."""
    from shequ.accounts.selectors import users_of_unit
    from shequ.notifications.services import notify_area, notify_users

    from .permissions import HANDLE_ROLES

    url = f"/cases/{case.public_id}/"
    title = _("%(event)s：%(label)s") % {
        "event": domain.EVENT_LABELS[Event.DISPATCH],
        "label": f"{case.tracking_number} {mask_text(case.title)[:60]}",
    }
    for t in targets:
        if _is_unit(t):
            notify_users(users=users_of_unit(t), kind=kind, title=title, url=url)
        elif t.pk != case.holder_id:
            notify_area(area=t, roles=HANDLE_ROLES, kind=kind, title=title, url=url)


@write_service("cases.dispatch")
def case_transfer(*, actor: Any, case: Case, target: Any, reason: str) -> Case:
    """Transfer (转办) to another community or unit; the first receiver stays accountable for the reply.

    The target must be among `selectors.routing_targets(case)` (the case's street and its communities and
    grids, or a unit responsible for the place), whoever calls.
    """
    require(actor, "cases.dispatch", case)
    if len((reason or "").strip()) < 2:
        raise invalid("reason", _("请填写转办理由"), CaseError.TRANSFER_REASON_REQUIRED)
    if not routing_targets(case).transfer_allowed(target):
        if _is_unit(target):
            raise invalid("target", _("该单位不负责诉求所在地"), CaseError.TARGET_NOT_RESPONSIBLE)
        raise invalid("target", _("只能转办给社区、街道或网格"), CaseError.TRANSFER_TARGET_INVALID)
    now = timezone.now()
    with transaction.atomic():
        _record_routing(case, "transfer", target, actor, now)
        _grant(case, actor, target, [], now)
        if _is_unit(target):
            case = apply_event(case, Event.TRANSFER, actor, reason, dispatched_at=now, holder_unit=target)
            _notify_grantees(case, [target], kind="case.transfer")
            return case
        return apply_event(case, Event.TRANSFER, actor, reason, holder=target, dispatched_at=now, holder_unit=None)


@write_service("cases.handle")
def case_start(*, actor: Any, case: Case) -> Case:
    """Sign for (签收) a dispatched case: the holder starts working on it."""
    require(actor, "cases.handle", case)
    with transaction.atomic():
        return apply_event(case, Event.START, actor, "")


@write_service("cases.handle")
def case_return(*, actor: Any, case: Case, reason: str) -> Case:
    """Return (退单) to the dispatcher with a reason: the holder goes back to the unit that dispatched it.

    The case's state is checked under the row lock, before the grants end.
    """
    require(actor, "cases.handle", case)
    if len((reason or "").strip()) < 2:
        raise invalid("reason", _("请填写退单理由"), CaseError.RETURN_REASON_REQUIRED)
    with transaction.atomic():
        locked = lock_case(case)
        domain.next_status(locked.status, Event.RETURN)  # InvalidTransition before anything is written
        last = (
            CaseTransition.objects.filter(case=case, event__in=["dispatch", "transfer"]).order_by("-at", "-id").first()
        )
        back_to = last.from_holder if last and last.from_holder else locked.first_receiver
        _end_grants(case, timezone.now())
        return apply_event(case, Event.RETURN, actor, reason, holder=back_to, holder_unit=None)


@write_service("cases.handle")
def case_resolve(*, actor: Any, case: Case, reply: str, now: datetime | None = None) -> Case:
    """Resolve (办结) with the official reply to the reporter.

    Where the case's community reviews a grid worker's answer (`review_services.answer_needs_review`), the
    answer is held for that review instead (status 答复待审核) and the reporter sees nothing yet.
    """
    require(actor, "cases.handle", case)
    if len((reply or "").strip()) < 5:
        raise invalid("reply", _("请填写答复意见（至少5个字）"), CaseError.REPLY_TOO_SHORT)
    from .review_services import answer_needs_review

    with transaction.atomic():
        if lock_case(case).status == Status.ANSWER_REVIEW:
            # Only the community's review publishes a held answer (review_services.answer_review).
            raise domain.InvalidTransition("a held answer is published by the community's review, not resolved again")
        if answer_needs_review(case):
            # The community reviews this answer first (答复待审核): it is kept on the step, not yet the reply.
            return apply_event(case, Event.HOLD_ANSWER, actor, reply.strip(), now=now)
        return apply_event(
            case, Event.RESOLVE, actor, "", now=now, reply=reply.strip(), resolved_at=now or timezone.now()
        )


@write_service("cases.rate", "cases.reopen")
def case_rate(*, actor: Any, case: Case, satisfaction: str, reopen: bool = False, now: datetime | None = None) -> Case:
    """Record the reporter's rating; satisfied closes, unsatisfied with `reopen` sends the case back to work.
    `now` dates the rating (a call-back recorded later, the demo); default: now.

    Requires `cases.rate`: the reporter rating their own case (portal), or the dispatcher recording it in a
    call-back. The case must still be resolved under the row lock; reopening also requires `cases.reopen`.
    """
    require(actor, "cases.rate", case)
    if satisfaction not in {s.value for s in domain.Satisfaction}:
        raise invalid("satisfaction", _("请选择满意度"), CaseError.SATISFACTION_REQUIRED)
    with transaction.atomic():
        locked = lock_case(case)
        if locked.status != Status.RESOLVED:
            raise invalid("satisfaction", _("办结后才能评价"), CaseError.NOT_YET_RESOLVED)
        rated_at = now or timezone.now()
        case.satisfaction, case.rated_at = satisfaction, rated_at
        Case.objects.filter(pk=case.pk).update(satisfaction=satisfaction, rated_at=rated_at)
        audit.record(actor=actor, action="cases.rated", obj=case, after={"satisfaction": satisfaction})
        if satisfaction == domain.Satisfaction.UNSATISFIED and reopen:
            return case_reopen(actor=actor, case=case, reason=_("报告人不满意，申请重办"))
        return apply_event(
            case, Event.CLOSE, actor, _("报告人评价：%(s)s") % {"s": satisfaction}, now=now, closed_at=rated_at
        )


@write_service("cases.reopen")
def case_reopen(*, actor: Any, case: Case, reason: str) -> Case:
    """Reopen (重办): the resolution deadline starts again from today.

    Requires `cases.reopen` (the dispatcher; the reporter of their own case, by rating it unsatisfied). A closed
    case may be reopened within REOPEN_PERIOD_DAYS of closing, checked under the row lock.
    """
    require(actor, "cases.reopen", case)
    now = timezone.now()
    with transaction.atomic():
        locked = lock_case(case)
        domain.next_status(locked.status, Event.REOPEN)  # InvalidTransition before anything else
        if (
            locked.status == Status.CLOSED
            and locked.closed_at
            and now - locked.closed_at > timedelta(days=REOPEN_PERIOD_DAYS)
        ):
            message = _("已超过重办期限（关闭后%(n)d天内）") % {"n": REOPEN_PERIOD_DAYS}
            raise invalid("reason", message, CaseError.REOPEN_PERIOD_PASSED)
        d = domain.compute_deadlines(
            current_calendar(),
            submitted_at=locked.submitted_at,
            accepted_at=now,
            resolve_days=_resolve_days(locked.case_type, locked.category),
        )
        return apply_event(
            case,
            Event.REOPEN,
            actor,
            reason,
            resolve_by=d.resolve_by,
            reopen_count=locked.reopen_count + 1,
            resolved_at=None,
            closed_at=None,
        )


@write_service("cases.withdraw")
def case_withdraw(*, actor: Any, case: Case, reason: str = "") -> Case:
    """Withdraw (撤回) at the reporter's request: the reporter themself (portal), or staff on their behalf."""
    require(actor, "cases.withdraw", case)
    with transaction.atomic():
        return apply_event(case, Event.WITHDRAW, actor, reason)


@write_service("cases.dispatch", "cases.view")
def case_merge(*, actor: Any, case: Case, into: Case, note: str = "") -> Case:
    """Merge a duplicate into another open case of the same place; the reporter follows the other case."""
    require(actor, "cases.dispatch", case)
    require(actor, "cases.view", into)
    if into.pk == case.pk:
        raise invalid("into", _("不能合并到自身"), CaseError.MERGE_INTO_SELF)
    if into.status in {s.value for s in domain.TERMINAL_STATUSES}:
        raise invalid("into", _("只能合并到未结束的诉求"), CaseError.MERGE_INTO_CLOSED)
    if into.community_id != case.community_id:
        raise invalid("into", _("只能合并同一社区的诉求"), CaseError.MERGE_ACROSS_COMMUNITIES)
    now = timezone.now()
    with transaction.atomic():
        _end_grants(case, now)
        text = _("合并至 %(n)s") % {"n": into.tracking_number} + (f"\n{note}" if note else "")
        merged = apply_event(case, Event.MERGE, actor, text, now=now, merged_into=into)
        record_note(into, "merge_in", actor, _("并入重复诉求 %(n)s") % {"n": case.tracking_number}, now)
    return merged


@write_service("cases.assist")
def case_assist(*, actor: Any, case: Case, note: str) -> None:
    """A helper unit (协办单位) records its opinion or what it did; the lead unit resolves."""
    require(actor, "cases.assist", case)
    if len((note or "").strip()) < 5:
        raise invalid("note", _("请填写协办意见（至少5个字）"), CaseError.ASSIST_NOTE_TOO_SHORT)
    if case.status not in {s.value for s in domain.OPEN_STATUSES}:
        raise invalid("note", _("诉求已结束，不能再填写协办意见"), CaseError.ASSIST_ON_CLOSED)
    with transaction.atomic():
        record_note(case, "assist", actor, note.strip())
        audit.record(actor=actor, action="cases.assisted", obj=case)


MALICIOUS_PROPOSED, MALICIOUS_CONFIRMED, MALICIOUS_DISMISSED = "proposed", "confirmed", "dismissed"


@write_service("cases.flag_malicious")
def case_flag_malicious(*, actor: Any, case: Case, reason: str) -> Case:
    """Propose the malicious-report flag (恶意诉求) with a reason; someone else reviews it. Never automatic."""
    require(actor, "cases.flag_malicious", case)
    if len((reason or "").strip()) < 10:
        raise invalid("reason", _("请写明认定为恶意诉求的事实依据（至少10个字）"), CaseError.ABUSE_REASON_TOO_SHORT)
    if case.malicious_status in (MALICIOUS_PROPOSED, MALICIOUS_CONFIRMED):
        raise invalid("reason", _("该诉求已有恶意诉求标记"), CaseError.ABUSE_ALREADY_FLAGGED)
    with transaction.atomic():
        fields = {
            "malicious_status": MALICIOUS_PROPOSED,
            "malicious_reason": reason.strip()[:2000],
            "malicious_proposed_by": user_of(actor),
            "malicious_reviewed_by": None,
        }
        Case.objects.filter(pk=case.pk).update(**fields)
        for k, v in fields.items():
            setattr(case, k, v)
        record_note(case, "malicious_flag", actor, reason.strip())
        audit.record(actor=actor, action="cases.malicious_proposed", obj=case)
    return case


@write_service("cases.review_malicious")
def case_review_malicious(*, actor: Any, case: Case, confirm: bool, note: str) -> Case:
    """Confirm or dismiss a proposed malicious-report flag; the reviewer is not the proposer."""
    require(actor, "cases.review_malicious", case)
    if case.malicious_status != MALICIOUS_PROPOSED:
        raise invalid("note", _("该诉求没有待复核的恶意诉求标记"), CaseError.ABUSE_FLAG_NOT_PENDING)
    if len((note or "").strip()) < 2:
        raise invalid("note", _("请填写复核意见"), CaseError.REVIEW_NOTE_REQUIRED)
    status = MALICIOUS_CONFIRMED if confirm else MALICIOUS_DISMISSED
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(malicious_status=status, malicious_reviewed_by=user_of(actor))
        case.malicious_status, case.malicious_reviewed_by = status, user_of(actor)
        record_note(case, "malicious_review", actor, note.strip())
        audit.record(actor=actor, action="cases.malicious_reviewed", obj=case, after={"status": status})
    return case


@write_service("cases.see_reporter")
def reporter_mobile(*, actor: Any, case: Case) -> str:
    """The reporter's mobile in clear, for those who may know the reporter; audited."""
    require(actor, "cases.see_reporter", case)
    value = crypto.decrypt(case.reporter_mobile_encrypted, purpose=MOBILE_PURPOSE)
    with transaction.atomic():
        audit.record(actor=actor, action="cases.reporter_revealed", obj=case)
    return value


CONTACT_REASON_MIN = 5


@dataclass(frozen=True)
class ReporterContact:
    name: str
    mobile: str


@write_service("cases.contact_reporter")
def reporter_contact(*, actor: Any, case: Case, reason: str) -> ReporterContact:
    """The reporter's name and mobile in clear for the handling unit, with a reason; audited with the reason.

    Only where the reporter agreed at intake to be contacted by the handling unit (`cases.contact_reporter`).
    Nothing is stored besides the audit record: the caller shows the values in this response only.
    """
    require(actor, "cases.contact_reporter", case)
    reason = (reason or "").strip()
    if len(reason) < CONTACT_REASON_MIN:
        message = _("请说明查看联系方式的理由（至少%(n)s个字）") % {"n": CONTACT_REASON_MIN}
        raise invalid("reason", message, CaseError.CONTACT_REASON_TOO_SHORT)
    mobile = (
        crypto.decrypt(case.reporter_mobile_encrypted, purpose=MOBILE_PURPOSE) if case.reporter_mobile_encrypted else ""
    )
    with transaction.atomic():
        audit.record(actor=actor, action="cases.reporter_contact_revealed", obj=case, after={"reason": reason[:200]})
    return ReporterContact(name=case.reporter_name, mobile=mobile)


@write_service("cases.seed_categories")
def categories_seed(*, actor: Any = CATEGORIES_SEED) -> tuple[int, int]:
    """Load the shipped category tree (stable codes) into the table; idempotent. Returns (created, updated).

    A job of the system (`cases.seed_categories`): the seeding job itself by default, or the demo loader.
    """
    from .categories import load_categories

    require(actor, "cases.seed_categories")
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
        from .topics import topics_seed

        topics_seed()  # the residents' community topics, once their categories exist (never overwritten)
        if created or updated:
            audit.record(
                actor=actor,
                action="cases.categories_seeded",
                object_type="cases.category",
                object_label="categories.csv",
                after={"created": created, "updated": updated},
            )
    return created, updated
