"""Writes on bodies, members, rules, meetings, resolutions, residents' groups and residents' meetings.

Every write: `require` first, validate with Chinese messages (each with a stable code), then one transaction that
locks what concurrent writers race on, writes, and appends the audit record. Bodies are `organisations.Unit`
rows (organisations has no write services; this app creates its body kinds only).

Publication hook: `resolution_publish` stamps `published_at` and then calls the functions registered with
`publication.register_publisher` inside the same transaction (the integrator connects public notices there).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.actors import user_of
from shequ.core.errors import FieldErrors, ValidationError, invalid
from shequ.core.permissions import require, write_service
from shequ.organisations.models import Unit

from . import domain, selectors
from .domain import BODY_KINDS, CHOICE_LABELS, ROLE_LABELS, Basis, Choice, Event, MajorityBase, Threshold
from .errors import DeliberationError as Err
from .inputs import clean_text
from .inputs import raise_errors as _raise
from .lifecycle import apply_event
from .models import (
    AgendaItem,
    Attendance,
    BodyRules,
    Meeting,
    MeetingRequest,
    Membership,
    MemberVote,
    Proposal,
    RequestSupport,
    ResidentsGroup,
    ResidentsMeeting,
    Resolution,
)
from .publication import publishers

# --- bodies ------------------------------------------------------------------------------------------------------


@write_service("deliberation.manage")
def body_create(*, actor: Any, community: Any, kind: str, name: str, compound: Any = None) -> Unit:
    """Create a body of `community` (optionally of one compound) with the default rules."""
    require(actor, "deliberation.manage", community)
    errors = FieldErrors()
    if kind not in BODY_KINDS:
        errors.add("kind", _("须选择议事机构类型"), Err.NOT_A_BODY_KIND)
    name = clean_text(errors, "name", name, limit=100)
    if compound is not None and compound.community_id != community.pk:
        errors.add("compound", _("所在小区必须位于本社区"), Err.NAME_REQUIRED)
    _raise(errors)
    with transaction.atomic():
        if Unit.objects.filter(area=community, name=name).exists():
            raise invalid("name", _("该社区已有同名机构或小组"), Err.NAME_TAKEN)
        body = Unit.objects.create(kind=kind, name=name, area=community, compound=compound)
        BodyRules.objects.create(body=body)
        audit.record(actor=actor, action="deliberation.body_created", obj=body, after={"kind": kind, "name": name})
    return body


@dataclass
class RulesInput:
    quorum_numerator: int = 1
    quorum_denominator: int = 2
    quorum_strict: bool = True
    majority_numerator: int = 1
    majority_denominator: int = 2
    majority_strict: bool = True
    majority_base: str = MajorityBase.PRESENT.value
    support_threshold: int = domain.DEFAULT_SUPPORT_THRESHOLD
    supervises: Any = None  # a body of the same community, for a supervisory board


@write_service("deliberation.manage")
def body_rules_update(*, actor: Any, body: Any, data: RulesInput) -> BodyRules:
    """Set the body's quorum, majority (exact fractions) and proposals' support threshold."""
    require(actor, "deliberation.manage", body)
    errors = FieldErrors()
    for prefix in ("quorum", "majority"):
        try:
            Threshold(getattr(data, f"{prefix}_numerator"), getattr(data, f"{prefix}_denominator"), True)
        except (ValueError, TypeError):
            errors.add(f"{prefix}_numerator", _("比例须为 0 到 1 之间的分数"), Err.RULE_INVALID)
    if data.majority_base not in {b.value for b in MajorityBase}:
        errors.add("majority_base", _("须选择表决基数"), Err.RULE_INVALID)
    if not isinstance(data.support_threshold, int) or data.support_threshold < 1:
        errors.add("support_threshold", _("附议门槛至少为 1 人"), Err.RULE_INVALID)
    if data.supervises is not None and (data.supervises.area_id != body.area_id or data.supervises.pk == body.pk):
        errors.add("supervises", _("只能监督本社区的其他议事机构"), Err.RULE_INVALID)
    _raise(errors)
    with transaction.atomic():
        rules, _created = BodyRules.objects.select_for_update().get_or_create(body=body)
        before = _rules_dict(rules)
        for name in (
            "quorum_numerator",
            "quorum_denominator",
            "quorum_strict",
            "majority_numerator",
            "majority_denominator",
            "majority_strict",
            "majority_base",
            "support_threshold",
        ):
            setattr(rules, name, getattr(data, name))
        rules.supervises = data.supervises
        rules.save()
        audit.record(
            actor=actor, action="deliberation.rules_updated", obj=body, before=before, after=_rules_dict(rules)
        )
    return rules


def _rules_dict(rules: BodyRules) -> dict[str, Any]:
    return {
        "quorum": f"{rules.quorum_numerator}/{rules.quorum_denominator}{'>' if rules.quorum_strict else '>='}",
        "majority": f"{rules.majority_numerator}/{rules.majority_denominator}{'>' if rules.majority_strict else '>='}",
        "base": rules.majority_base,
        "support_threshold": rules.support_threshold,
    }


@dataclass
class MemberInput:
    role: str
    term_start: date
    term_end: date | None = None
    resident: Any = None  # a registry Resident of the body's community, fetched through the actor's scope
    name: str = ""  # for a named person not on the register


@write_service("deliberation.manage")
def member_add(*, actor: Any, body: Any, data: MemberInput) -> Membership:
    """Add a member for a term; a resident is named as on the register and serves at most once at a time."""
    require(actor, "deliberation.manage", body)
    errors = FieldErrors()
    if data.role not in {r.value for r in ROLE_LABELS}:
        errors.add("role", _("须选择职务"), Err.ROLE_INVALID)
    if data.term_end is not None and data.term_end < data.term_start:
        errors.add("term_end", _("任期届满日期不能早于任期开始日期"), Err.TERM_INVALID)
    if data.resident is not None:
        if data.resident.community_id != body.area_id:
            errors.add("resident", _("只能选择本社区的居民"), Err.ROLE_INVALID)
        name = data.resident.name
    else:
        name = clean_text(errors, "name", data.name, limit=50)
    _raise(errors)
    with transaction.atomic():
        Unit.objects.select_for_update().get(pk=body.pk)
        if data.resident is not None:
            for m in Membership.objects.filter(body=body, resident=data.resident, left_on__isnull=True):
                if m.term_end is None or m.term_end >= data.term_start:
                    raise invalid("resident", _("该居民已是本机构的在任成员"), Err.MEMBER_DUPLICATE)
        member = Membership.objects.create(
            body=body,
            resident=data.resident,
            name=name,
            role=data.role,
            term_start=data.term_start,
            term_end=data.term_end,
        )
        audit.record(
            actor=actor,
            action="deliberation.member_added",
            obj=body,
            after={"member": str(member.public_id), "name": name, "role": data.role, "term_end": str(data.term_end)},
        )
    return member


@write_service("deliberation.manage")
def member_leave(*, actor: Any, membership: Any, day: date) -> Membership:
    """Record that a member left the body on `day` (the row is kept for earlier meetings)."""
    require(actor, "deliberation.manage", membership.body)
    if day < membership.term_start:
        raise invalid("day", _("离任日期不能早于任期开始日期"), Err.TERM_INVALID)
    with transaction.atomic():
        member = Membership.objects.select_for_update().get(pk=membership.pk)
        member.left_on = day
        member.save(update_fields=["left_on", "updated_at"])
        audit.record(
            actor=actor,
            action="deliberation.member_left",
            obj=member.body,
            after={"member": str(member.public_id), "left_on": str(day)},
        )
    return member


# --- residents' groups -------------------------------------------------------------------------------------------


@dataclass
class GroupInput:
    name: str
    buildings: list[Any] = field(default_factory=list)
    dwellings: list[Any] = field(default_factory=list)
    leader: Any = None  # a resident of the community
    leader_name: str = ""


@write_service("deliberation.manage")
def group_create(*, actor: Any, community: Any, data: GroupInput) -> ResidentsGroup:
    """Register a residents' group (居民小组) of the community with its buildings or dwellings and its leader."""
    require(actor, "deliberation.manage", community)
    errors = FieldErrors()
    name = clean_text(errors, "name", data.name, limit=50)
    if any(b.compound.community_id != community.pk for b in data.buildings) or any(
        d.building.compound.community_id != community.pk for d in data.dwellings
    ):
        errors.add("buildings", _("只能选择本社区的楼栋和房屋"), Err.NAME_REQUIRED)
    if data.leader is not None and data.leader.community_id != community.pk:
        errors.add("leader", _("组长须是本社区的居民"), Err.NAME_REQUIRED)
    leader_name = (
        data.leader.name
        if data.leader is not None
        else clean_text(errors, "leader_name", data.leader_name, required=False, limit=50)
    )
    _raise(errors)
    try:
        with transaction.atomic():
            group = ResidentsGroup.objects.create(
                community=community, name=name, leader=data.leader, leader_name=leader_name
            )
            group.buildings.set(data.buildings)
            group.dwellings.set(data.dwellings)
            audit.record(
                actor=actor,
                action="deliberation.group_created",
                obj=group,
                after={"name": name, "buildings": len(data.buildings), "dwellings": len(data.dwellings)},
            )
    except IntegrityError:
        raise invalid("name", _("该社区已有同名机构或小组"), Err.NAME_TAKEN) from None
    return group


# --- meetings ----------------------------------------------------------------------------------------------------


@dataclass
class MeetingInput:
    title: str
    held_at: datetime
    place: str = ""
    online: bool = False


@write_service("deliberation.manage")
def meeting_create(*, actor: Any, body: Any, data: MeetingInput) -> Meeting:
    """Schedule (or record) a meeting of the body: a place, or online."""
    require(actor, "deliberation.manage", body)
    errors = FieldErrors()
    title = clean_text(errors, "title", data.title, limit=100)
    place = clean_text(errors, "place", data.place, required=not data.online, limit=100)
    _raise(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            body=body, title=title, held_at=data.held_at, place=place, online=data.online, created_by=user_of(actor)
        )
        audit.record(
            actor=actor,
            action="deliberation.meeting_created",
            obj=meeting,
            after={"body": str(body.public_id), "held_at": data.held_at.isoformat(), "online": data.online},
        )
    return meeting


@write_service("deliberation.manage")
def agenda_add(*, actor: Any, meeting: Any, title: str = "", proposal: Any = None) -> AgendaItem:
    """Add an item to the meeting's agenda; a proposal of the body's community moves to 已列入议程."""
    require(actor, "deliberation.manage", meeting)
    errors = FieldErrors()
    if proposal is None:
        title = clean_text(errors, "title", title, limit=100)
    elif proposal.community_id != meeting.body.area_id:
        errors.add("proposal", _("只能列入本社区的议题"), Err.NOT_ON_AGENDA)
    _raise(errors)
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        position = meeting.agenda.count() + 1
        if proposal is not None:
            locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
            if domain.Event.SCHEDULE not in domain.allowed_events(locked.status):
                raise invalid("proposal", _("该议题不能列入议程"), Err.NOT_ON_AGENDA)
            apply_event(actor, locked, Event.SCHEDULE, note=meeting.title)
            title = locked.title
        item = AgendaItem.objects.create(meeting=meeting, position=position, title=title, proposal=proposal)
        audit.record(
            actor=actor,
            action="deliberation.agenda_added",
            obj=meeting,
            after={"item": title, "proposal": str(proposal.public_id) if proposal else ""},
        )
    return item


@write_service("deliberation.manage")
def attendance_record(*, actor: Any, meeting: Any, present_ids: list[Any]) -> int:
    """Record the attendance list: each serving member on the meeting's day is present or absent. Returns present."""
    require(actor, "deliberation.manage", meeting)
    day = timezone.localtime(meeting.held_at).date()
    members = list(selectors.serving_members(meeting.body, day))
    wanted = {str(x) for x in present_ids}
    known = {str(m.public_id) for m in members}
    if wanted - known:
        raise invalid("present", _("只能登记在任成员的出席情况"), Err.VOTE_INVALID)
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.resolutions.exists():
            raise invalid("present", _("已有决议，不能再修改出席情况"), Err.ALREADY_RESOLVED)
        Attendance.objects.filter(meeting=meeting).delete()
        Attendance.objects.bulk_create(
            [Attendance(meeting=meeting, membership=m, present=str(m.public_id) in wanted) for m in members]
        )
        present = len(wanted)
        audit.record(
            actor=actor,
            action="deliberation.attendance_recorded",
            obj=meeting,
            after={"members": len(members), "present": present},
        )
    return present


@write_service("deliberation.manage")
def minutes_save(*, actor: Any, meeting: Any, minutes: str) -> Meeting:
    """Save the meeting's minutes (会议纪要)."""
    require(actor, "deliberation.manage", meeting)
    errors = FieldErrors()
    minutes = clean_text(errors, "minutes", minutes, limit=20000)
    _raise(errors)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        locked.minutes = minutes
        locked.save(update_fields=["minutes", "updated_at"])
        audit.record(actor=actor, action="deliberation.minutes_saved", obj=locked, after={"length": len(minutes)})
    return locked


@dataclass
class ResolutionInput:
    title: str
    text: str
    votes: dict[str, str]  # membership public id -> yes / no / abstain; a present member not listed abstains
    agenda_item: Any = None


@write_service("deliberation.manage")
def resolution_record(*, actor: Any, meeting: Any, data: ResolutionInput) -> Resolution:
    """Record a resolution with each present member's vote; decide it by the body's quorum and majority.

    A resolution on an agenda item holding a proposal adopts or rejects that proposal. The counts and the
    explanation are stored as they were at the vote (later rule changes do not rewrite them).
    """
    require(actor, "deliberation.manage", meeting)
    errors = FieldErrors()
    text = clean_text(errors, "text", data.text)
    item = data.agenda_item
    if item is not None and item.meeting_id != meeting.pk:
        errors.add("agenda_item", _("议程不属于本次会议"), Err.NOT_ON_AGENDA)
    title = item.title if item is not None and not data.title else clean_text(errors, "title", data.title, limit=100)
    if any(v not in {c.value for c in CHOICE_LABELS} for v in data.votes.values()):
        errors.add("votes", _("表决意见只能是赞成、反对或弃权"), Err.VOTE_INVALID)
    _raise(errors)
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        rows = list(Attendance.objects.filter(meeting=meeting).select_related("membership"))
        if not rows:
            raise invalid("votes", _("须先登记出席情况"), Err.NO_ATTENDANCE)
        present = {str(a.membership.public_id): a.membership for a in rows if a.present}
        if set(data.votes) - set(present):
            raise invalid("votes", _("只有出席的在任成员可以表决"), Err.VOTE_INVALID)
        if item is not None and Resolution.objects.filter(agenda_item=item).exists():
            raise invalid("agenda_item", _("该议程已作出决议"), Err.ALREADY_RESOLVED)
        choices = {pid: data.votes.get(pid, Choice.ABSTAIN.value) for pid in present}
        yes = sum(1 for c in choices.values() if c == Choice.YES)
        no = sum(1 for c in choices.values() if c == Choice.NO)
        rule = selectors.rules_of(meeting.body).rule
        outcome = domain.resolution_outcome(members=len(rows), present=len(present), yes=yes, rule=rule)
        resolution = Resolution.objects.create(
            meeting=meeting,
            agenda_item=item,
            title=title,
            text=text,
            members=len(rows),
            present=len(present),
            yes=yes,
            no=no,
            abstain=len(present) - yes - no,
            quorum_met=outcome.quorum_met,
            passed=outcome.passed,
            explanation=outcome.explanation,
            recorded_by=user_of(actor),
        )
        MemberVote.objects.bulk_create(
            [MemberVote(resolution=resolution, membership=present[pid], choice=c) for pid, c in choices.items()]
        )
        proposal = item.proposal if item is not None else None
        if proposal is not None:
            locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
            event = Event.ADOPT if outcome.passed else Event.REJECT
            locked.decision = text
            locked.decided_at = timezone.now()
            locked.save(update_fields=["decision", "decided_at", "updated_at"])
            apply_event(actor, locked, event, note=outcome.explanation)
        audit.record(
            actor=actor,
            action="deliberation.resolution_recorded",
            obj=meeting,
            after={"title": title, "present": len(present), "yes": yes, "no": no, "passed": outcome.passed},
        )
    return resolution


@write_service("deliberation.manage")
def resolution_publish(*, actor: Any, resolution: Any, now: datetime | None = None) -> Resolution:
    """Publish a resolution: stamp `published_at`, publish its adopted proposal, then call the publishers."""
    require(actor, "deliberation.manage", resolution.meeting)
    with transaction.atomic():
        locked = Resolution.objects.select_for_update().get(pk=resolution.pk)
        if locked.published_at is not None:
            raise ValidationError(_("该决议已公示"), code=Err.ALREADY_PUBLISHED)
        locked.published_at = now or timezone.now()
        locked.save(update_fields=["published_at", "updated_at"])
        item = locked.agenda_item
        if item is not None and item.proposal_id is not None and locked.passed:
            proposal = Proposal.objects.select_for_update().get(pk=item.proposal_id)
            if proposal.status == domain.Status.ADOPTED:
                proposal.published_at = locked.published_at
                proposal.save(update_fields=["published_at", "updated_at"])
                apply_event(actor, proposal, Event.PUBLISH)
        audit.record(
            actor=actor, action="deliberation.resolution_published", obj=locked.meeting, after={"title": locked.title}
        )
        for publish in publishers():
            publish(actor=actor, resolution=locked)
    return locked


# --- residents' meetings (城市居民委员会组织法 §9–10) -------------------------------------------------------------


@write_service("deliberation.manage")
def meeting_request_open(*, actor: Any, community: Any, basis: str, subject: str, reason: str = "") -> MeetingRequest:
    """Open a request to call a residents' meeting; those entitled are counted from the register now."""
    require(actor, "deliberation.manage", community)
    errors = FieldErrors()
    if basis not in {b.value for b in Basis}:
        errors.add("basis", _("须选择提议主体"), Err.BASIS_MISMATCH)
    subject = clean_text(errors, "subject", subject, limit=100)
    reason = clean_text(errors, "reason", reason, required=False)
    _raise(errors)
    entitled = selectors.entitled_in(actor, community, timezone.localdate()).of(basis)
    with transaction.atomic():
        request = MeetingRequest.objects.create(
            community=community,
            basis=basis,
            subject=subject,
            reason=reason,
            entitled=entitled,
            created_by=user_of(actor),
        )
        audit.record(
            actor=actor,
            action="deliberation.request_opened",
            obj=request,
            after={"basis": basis, "entitled": entitled, "needed": domain.request_needed(basis, entitled)},
        )
    return request


@write_service("deliberation.manage")
def meeting_request_support(
    *, actor: Any, request: Any, resident: Any = None, group: Any = None, on: date | None = None
) -> int:
    """Record one supporter (a resident aged 18+, counted with their household, or a residents' group).

    Returns the supporters counted on the request's basis; reaching the §10 share marks the request 已达到法定比例.
    """
    require(actor, "deliberation.manage", request)
    on = on or timezone.localdate()
    if request.basis == Basis.GROUPS:
        if group is None or group.community_id != request.community_id:
            raise invalid("group", _("请选择本社区的居民小组"), Err.BASIS_MISMATCH)
        resident = None
    else:
        if resident is None or resident.community_id != request.community_id:
            raise invalid("resident", _("请选择本社区的居民"), Err.BASIS_MISMATCH)
        births = selectors.registry_selectors.birth_dates(type(resident).objects.filter(pk=resident.pk))
        birth = births.get(resident.pk)
        if birth is not None and domain.age_on(birth, on) < domain.ADULT_AGE:
            raise invalid("resident", _("只有十八周岁以上的居民可以提议召开居民会议"), Err.NOT_ADULT)
        group = None
    with transaction.atomic():
        locked = MeetingRequest.objects.select_for_update().get(pk=request.pk)
        duplicate = RequestSupport.objects.filter(request=locked)
        if (resident is not None and duplicate.filter(resident=resident).exists()) or (
            group is not None and duplicate.filter(group=group).exists()
        ):
            raise invalid("resident", _("已记录该提议人"), Err.SUPPORT_DUPLICATE)
        RequestSupport.objects.create(
            request=locked,
            resident=resident,
            household=getattr(resident, "household", None),
            group=group,
            created_at=timezone.now(),
        )
        count = selectors.supporter_count(locked)
        if locked.status == "collecting" and domain.request_met(locked.basis, locked.entitled, count):
            locked.status, locked.reached_at = "reached", timezone.now()
            locked.save(update_fields=["status", "reached_at", "updated_at"])
        audit.record(
            actor=actor,
            action="deliberation.request_supported",
            obj=locked,
            after={"count": count, "status": locked.status},
        )
    return count


@write_service("deliberation.manage")
def meeting_request_convene(*, actor: Any, request: Any, day: date) -> MeetingRequest:
    """Record that the committee called the residents' meeting the request asked for, on `day`."""
    require(actor, "deliberation.manage", request)
    with transaction.atomic():
        locked = MeetingRequest.objects.select_for_update().get(pk=request.pk)
        locked.status, locked.convened_on = "convened", day
        locked.save(update_fields=["status", "convened_on", "updated_at"])
        audit.record(actor=actor, action="deliberation.request_convened", obj=locked, after={"day": str(day)})
    return locked


@dataclass
class ResidentsMeetingInput:
    held_on: date
    subject: str
    basis: str
    present: int
    yes: int
    request: Any = None


@write_service("deliberation.manage")
def residents_meeting_record(*, actor: Any, community: Any, data: ResidentsMeetingInput) -> ResidentsMeeting:
    """Record a residents' meeting held; its validity and result follow §9 from the register's entitled count."""
    require(actor, "deliberation.manage", community)
    errors = FieldErrors()
    subject = clean_text(errors, "subject", data.subject, limit=100)
    if data.basis not in {b.value for b in Basis}:
        errors.add("basis", _("须选择参会方式"), Err.BASIS_MISMATCH)
    _raise(errors)
    entitled = selectors.entitled_in(actor, community, data.held_on).of(data.basis)
    if not 0 <= data.yes <= data.present <= entitled:
        raise invalid("present", _("人数不符合：赞成 ≤ 出席 ≤ 应出席（%(n)d）") % {"n": entitled}, Err.COUNTS_INVALID)
    outcome = domain.residents_meeting_outcome(basis=data.basis, entitled=entitled, present=data.present, yes=data.yes)
    with transaction.atomic():
        meeting = ResidentsMeeting.objects.create(
            community=community,
            request=data.request,
            held_on=data.held_on,
            subject=subject,
            basis=data.basis,
            entitled=entitled,
            present=data.present,
            yes=data.yes,
            valid=outcome.quorum_met,
            passed=outcome.passed,
            explanation=outcome.explanation,
            recorded_by=user_of(actor),
        )
        audit.record(
            actor=actor,
            action="deliberation.residents_meeting_recorded",
            obj=meeting,
            after={"entitled": entitled, "present": data.present, "yes": data.yes, "passed": outcome.passed},
        )
    return meeting
