"""Writes of "one core, many actors" and joint meetings.

Every write: `require` first, validate with Chinese messages (each with a stable code; the pure checks are in
`domain.py`), then one transaction that locks what concurrent writers race on, writes and appends the audit record.
Audit records never carry a contact person's name or mobile. A follow-up handed over (立案, 转为议题) creates the
case or proposal through the cases and deliberation services inside the same transaction, so a refusal there (the
actor may not submit a case in the community …) leaves the follow-up untouched.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases import services as case_services
from shequ.cases.domain import CaseType, Channel
from shequ.core import audit
from shequ.core.actors import user_of
from shequ.core.errors import FieldErrors, ValidationError, invalid
from shequ.core.masking import mask_text
from shequ.core.permissions import require, write_service
from shequ.core.validators import validate_mobile
from shequ.deliberation import proposal_services
from shequ.deliberation.domain import Source

from . import domain, encryption, selectors
from .errors import CoordinationError as Err
from .errors import code_of
from .models import ActorRole, FollowUp, JointMeeting


def _text(errors: FieldErrors, name: str, value: str, *, required: bool = True, limit: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(name, _("须填写内容"), Err.TEXT_REQUIRED)
    elif len(value) > limit:
        errors.add(name, _("内容过长（不超过%(n)s字）") % {"n": limit}, Err.TEXT_TOO_LONG)
    elif value and mask_text(value) != value:
        errors.add(name, _("请勿填写手机号码或身份证号码"), Err.PERSONAL_NUMBER)
    return value


def _problems(errors: FieldErrors, problems: list[domain.Problem]) -> None:
    for p in problems:
        if p.field not in errors:
            errors.add(p.field, p.message, code_of(p.code))


def _raise(errors: FieldErrors) -> None:
    if errors:
        raise ValidationError(errors)


def _today(now: Any = None) -> date:
    return timezone.localdate(now) if now is not None else timezone.localdate()


def _eligible(errors: FieldErrors, name: str, community: Any, units: list[Any]) -> None:
    ids = set(selectors.eligible_units(community).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))
    outside = [u for u in units if u.pk not in ids]
    if outside:
        names = "、".join(u.name for u in outside)
        message = _("%(names)s 不在本社区，也不在本社区的上级辖区") % {"names": names}
        errors.add(name, message, Err.UNIT_NOT_PRESENT)


# --- roles ---------------------------------------------------------------------------------------------------


@dataclass
class RoleInput:
    responsibilities: str
    contact_name: str = ""
    contact_mobile: str = ""
    note: str = ""
    keep_contact: bool = False  # leave the stored contact as it is (a form that shows it masked)


@write_service("coordination.manage")
def role_save(*, actor: Any, community: Any, unit: Any, data: RoleInput) -> ActorRole:
    """Write what `unit` is responsible for in `community` and its contact person (one role per community and
    unit: created, or updated in place). The unit must be placed in the community or above it."""
    require(actor, "coordination.manage", community)
    errors = FieldErrors()
    responsibilities = _text(
        errors, "responsibilities", data.responsibilities, required=False, limit=domain.RESPONSIBILITIES_LIMIT
    )
    note = _text(errors, "note", data.note, required=False, limit=200)
    name = (data.contact_name or "").strip()
    if len(name) > 50:
        errors.add("contact_name", _("内容过长（不超过%(n)s字）") % {"n": 50}, Err.TEXT_TOO_LONG)
    mobile = ""
    if data.contact_mobile and not data.keep_contact:
        try:
            mobile = validate_mobile(data.contact_mobile)
        except ValidationError as exc:
            errors.add("contact_mobile", exc.messages[0], Err.MOBILE_INVALID)
    _eligible(errors, "unit", community, [unit])
    _raise(errors)
    with transaction.atomic():
        role = ActorRole.objects.select_for_update().filter(community=community, unit=unit).first()
        before = None
        if role is None:
            role = ActorRole(community=community, unit=unit)
        else:
            before = {"responsibilities": role.responsibilities, "contact": role.contact_name_masked}
        role.responsibilities, role.note, role.updated_by = responsibilities, note, user_of(actor)
        if not data.keep_contact:
            for key, value in encryption.contact_fields(name, mobile).items():
                setattr(role, key, value)
        role.save()
        audit.record(
            actor=actor,
            action="coordination.role_saved",
            obj=role,
            before=before,
            after={
                "community": community.name,
                "unit": unit.name,
                "responsibilities": responsibilities,
                "contact": role.contact_name_masked,
            },
        )
    return role


@write_service("coordination.reveal")
def contact_reveal(*, actor: Any, role: ActorRole, reason: str) -> dict[str, str]:
    """Return the contact person's full name and mobile; every reveal is audited with its reason."""
    require(actor, "coordination.reveal", role)
    errors = FieldErrors()
    reason = _text(errors, "reason", reason, required=False, limit=100)
    if not reason and "reason" not in errors:
        errors.add("reason", _("须填写查看原因"), Err.REASON_REQUIRED)
    _raise(errors)
    with transaction.atomic():
        audit.record(actor=actor, action="coordination.contact_revealed", obj=role, after={"reason": reason})
    return encryption.contact_of(role)


# --- joint meetings ------------------------------------------------------------------------------------------


@dataclass
class FollowUpInput:
    text: str
    lead_unit: Any = None
    due_on: date | None = None


@dataclass
class MeetingInput:
    held_on: date | None
    topic: str
    minutes: str
    participants: list[Any] = field(default_factory=list)  # units
    convened_by: Any = None  # a unit; default: the community's Party organisation
    place: str = ""
    attendees: str = ""
    follow_ups: list[FollowUpInput] = field(default_factory=list)


def _check_follow_up(errors: FieldErrors, prefix: str, community: Any, held_on: date, data: FollowUpInput) -> str:
    text = _text(errors, f"{prefix}text", data.text, required=False, limit=domain.FOLLOW_UP_LIMIT)
    problems = domain.check_follow_up(text=text, due_on=data.due_on, held_on=held_on)
    _problems(errors, [domain.Problem(prefix + p.field, p.message, p.code) for p in problems])
    if data.lead_unit is not None:
        _eligible(errors, f"{prefix}lead_unit", community, [data.lead_unit])
    return text


def _follow_up_row(meeting: JointMeeting, text: str, data: FollowUpInput) -> FollowUp:
    return FollowUp(meeting=meeting, text=text, lead_unit=data.lead_unit, due_on=data.due_on)


@write_service("coordination.manage")
def meeting_record(*, actor: Any, community: Any, data: MeetingInput, now: Any = None) -> JointMeeting:
    """Record a joint meeting of the community with its participants, minutes and follow-ups, in one transaction.

    The convener (by default the community's Party organisation) takes part; at least two units take part, each
    placed in the community or above it; minutes are required; the meeting is not in the future; a follow-up's
    due date is not before the meeting.
    """
    require(actor, "coordination.manage", community)
    today = _today(now)
    errors = FieldErrors()
    topic = _text(errors, "topic", data.topic, required=False, limit=domain.TOPIC_LIMIT)
    minutes = _text(errors, "minutes", data.minutes, required=False, limit=domain.MINUTES_LIMIT)
    place = _text(errors, "place", data.place, required=False, limit=100)
    attendees = _text(errors, "attendees", data.attendees, required=False, limit=300)
    participants = list({u.pk: u for u in data.participants}.values())
    convener = data.convened_by
    if convener is None:
        centre = selectors.centre_of(community)
        convener = centre.unit if centre is not None else None
    if convener is None:
        errors.add("convened_by", _("须选择召集单位（本社区尚未设立社区党组织）"), Err.PARTICIPANTS_TOO_FEW)
    problems = domain.check_meeting(
        held_on=data.held_on,
        today=today,
        topic=topic,
        minutes=minutes,
        participants=len(participants),
        convener_takes_part=convener is None or any(u.pk == convener.pk for u in participants),
    )
    _problems(errors, problems)
    _eligible(errors, "participants", community, participants + ([convener] if convener is not None else []))
    follow_ups = []
    if data.held_on is not None:
        for i, f in enumerate(data.follow_ups):
            follow_ups.append((_check_follow_up(errors, f"follow_ups[{i}].", community, data.held_on, f), f))
    _raise(errors)
    assert data.held_on is not None and convener is not None
    with transaction.atomic():
        meeting = JointMeeting.objects.create(
            community=community,
            convened_by=convener,
            held_on=data.held_on,
            place=place,
            topic=topic,
            attendees=attendees,
            minutes=minutes,
            recorded_by=user_of(actor),
        )
        meeting.participants.set(participants)
        FollowUp.objects.bulk_create(_follow_up_row(meeting, text, f) for text, f in follow_ups)
        audit.record(
            actor=actor,
            action="coordination.meeting_recorded",
            obj=meeting,
            after={
                "community": community.name,
                "held_on": str(data.held_on),
                "topic": topic,
                "participants": [u.name for u in participants],
                "follow_ups": len(follow_ups),
            },
        )
    return meeting


@write_service("coordination.manage")
def follow_up_add(*, actor: Any, meeting: JointMeeting, data: FollowUpInput) -> FollowUp:
    """Add a follow-up to a recorded meeting (a matter agreed and written down later)."""
    require(actor, "coordination.manage", meeting)
    errors = FieldErrors()
    text = _check_follow_up(errors, "", meeting.community, meeting.held_on, data)
    _raise(errors)
    with transaction.atomic():
        JointMeeting.objects.select_for_update().get(pk=meeting.pk)
        row = _follow_up_row(meeting, text, data)
        row.save()
        audit.record(
            actor=actor,
            action="coordination.follow_up_added",
            obj=row,
            after={"meeting": str(meeting.public_id), "text": text, "due_on": str(data.due_on or "")},
        )
    return row


def _lock(follow_up: FollowUp) -> FollowUp:
    return FollowUp.objects.select_for_update().select_related("meeting__community").get(pk=follow_up.pk)


@write_service("coordination.manage")
def follow_up_complete(
    *, actor: Any, follow_up: FollowUp, done_on: date | None, result: str, now: Any = None
) -> FollowUp:
    """Close an open follow-up on `done_on` with its result (办结); a follow-up already done is refused."""
    require(actor, "coordination.manage", follow_up)
    errors = FieldErrors()
    result = _text(errors, "result", result, required=False, limit=domain.RESULT_LIMIT)
    problems = domain.check_completion(
        done_on=done_on, held_on=follow_up.meeting.held_on, today=_today(now), result=result
    )
    _problems(errors, problems)
    _raise(errors)
    with transaction.atomic():
        locked = _lock(follow_up)
        if locked.status != domain.Status.OPEN:
            raise invalid("status", _("该事项已办结"), Err.ALREADY_HANDED_OVER)
        locked.status = domain.next_status(locked.status, domain.Event.COMPLETE).value
        locked.done_on, locked.result = done_on, result
        locked.save(update_fields=["status", "done_on", "result", "updated_at"])
        audit.record(
            actor=actor,
            action="coordination.follow_up_done",
            obj=locked,
            after={"done_on": str(done_on), "result": result},
        )
    return locked


def _hand_over_check(locked: FollowUp) -> None:
    refusal = domain.hand_over_refusal(locked.status, locked.kind)
    if refusal:
        raise invalid("kind", refusal, Err.ALREADY_HANDED_OVER)


@write_service("coordination.manage", "cases.submit")
def follow_up_to_case(
    *, actor: Any, follow_up: FollowUp, title: str = "", description: str = "", case_type: str = CaseType.HELP.value
) -> FollowUp:
    """File a case (立案) in the meeting's community from an open follow-up not yet handed over, through the cases
    service (which asks `cases.submit` of the actor), and keep the link; refused a second time."""
    require(actor, "coordination.manage", follow_up)
    with transaction.atomic():
        locked = _lock(follow_up)
        _hand_over_check(locked)
        meeting = locked.meeting
        data = case_services.CaseInput(
            case_type=case_type,
            title=(title or locked.text)[:100],
            description=description
            or _("联席会议（%(day)s，%(topic)s）议定事项：%(text)s")
            % {"day": meeting.held_on.isoformat(), "topic": meeting.topic, "text": locked.text},
            channel=Channel.STAFF.value,
            community=meeting.community,
        )
        case = case_services.case_submit(actor=actor, data=data)
        next_status = domain.next_status(locked.status, domain.Event.TO_CASE)
        locked.status, locked.kind, locked.case = next_status.value, domain.Kind.CASE.value, case
        locked.save(update_fields=["status", "kind", "case", "updated_at"])
        audit.record(
            actor=actor,
            action="coordination.follow_up_to_case",
            obj=locked,
            after={"case": case.tracking_number, "meeting": str(meeting.public_id)},
        )
    return locked


@write_service("coordination.manage", "deliberation.propose")
def follow_up_to_proposal(*, actor: Any, follow_up: FollowUp, title: str = "", description: str = "") -> FollowUp:
    """Turn an open follow-up not yet handed over into a proposal of the community's deliberation (转为议题), its
    source the Party organisation, through the deliberation service; refused a second time."""
    require(actor, "coordination.manage", follow_up)
    with transaction.atomic():
        locked = _lock(follow_up)
        _hand_over_check(locked)
        meeting = locked.meeting
        proposal = proposal_services.proposal_submit(
            actor=actor,
            community=meeting.community,
            title=(title or locked.text)[:100],
            description=description
            or _("联席会议（%(day)s，%(topic)s）议定事项：%(text)s")
            % {"day": meeting.held_on.isoformat(), "topic": meeting.topic, "text": locked.text},
            source=Source.PARTY.value,
        )
        next_status = domain.next_status(locked.status, domain.Event.TO_PROPOSAL)
        locked.status, locked.kind, locked.proposal = next_status.value, domain.Kind.PROPOSAL.value, proposal
        locked.save(update_fields=["status", "kind", "proposal", "updated_at"])
        audit.record(
            actor=actor,
            action="coordination.follow_up_to_proposal",
            obj=locked,
            after={"proposal": str(proposal.public_id), "meeting": str(meeting.public_id)},
        )
    return locked
