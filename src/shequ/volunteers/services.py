"""Writes of volunteer service: the registry, guardians' consent, the record's other items, activities, sign-ups,
attendance and confirmed hours, corrections and proofs.

Every write: `require` first, validate with Chinese messages (each with a stable code), then one transaction that
locks what concurrent writers race on (an activity's slots, a sign-up, a record, the community's proof numbers),
writes, and appends the audit record. Audit records never carry a volunteer's name, mobile or ID number: only
public ids and masked names.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.actors import user_of
from shequ.core.errors import FieldErrors, ValidationError, invalid
from shequ.core.masking import mask_text
from shequ.core.permissions import require, write_service
from shequ.core.validators import birth_date_from_resident_id, validate_mobile, validate_resident_id
from shequ.registry import encryption as registry_encryption
from shequ.territory.models import Area

from . import domain, encryption, selectors
from .domain import ActivityEvent, CorrectionEvent, CorrectionStatus, EntryKind, SignupEvent
from .errors import VolunteerError as Err
from .models import Activity, Correction, Entry, GuardianConsent, Proof, ServiceRecord, Signup, Volunteer

MAX_SLOTS = 1000


def _text(errors: FieldErrors, name: str, value: str, *, required: bool = True, limit: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(name, _("须填写内容"), Err.TEXT_REQUIRED)
    elif len(value) > limit:
        errors.add(name, _("内容过长（不超过%(n)s字）") % {"n": limit}, Err.TEXT_TOO_LONG)
    elif value and mask_text(value) != value:
        errors.add(name, _("请勿填写手机号码或身份证号码"), Err.PERSONAL_NUMBER)
    return value


def _raise(errors: FieldErrors) -> None:
    if errors:
        raise ValidationError(errors)


def _now(now: Any = None) -> Any:
    return now if now is not None else timezone.now()


def _today(now: Any = None) -> date:
    return timezone.localdate(now) if now is not None else timezone.localdate()


def _status(table: dict, status: str, event: str) -> str:
    try:
        return str(domain.next_status(table, status, event))
    except domain.InvalidStatusChange as exc:
        raise invalid("status", str(exc), Err.STATUS_INVALID) from exc


# --- the registry --------------------------------------------------------------------------------------------


@dataclass
class VolunteerInput:
    community: Any
    name: str
    birth_date: date | None = None
    mobile: str = ""
    id_number: str = ""
    gender: str = "U"
    skills: str = ""
    categories: str = ""
    registered_on: date | None = None


def _clean_profile(errors: FieldErrors, skills: str, categories: str) -> tuple[str, str]:
    return (
        _text(errors, "skills", skills, required=False, limit=200),
        _text(errors, "categories", categories, required=False, limit=200),
    )


@write_service("volunteers.manage")
def volunteer_register(*, actor: Any, data: VolunteerInput, now: Any = None) -> Volunteer:
    """Register a volunteer of `data.community` (a community worker or secretary of it). The birth date is needed
    (a minor signs up only with a guardian's consent); without one it is read from the ID number."""
    require(actor, "volunteers.manage", data.community)
    today = _today(now)
    errors = FieldErrors()
    name = _text(errors, "name", data.name, limit=50)
    mobile = id_number = ""
    birth = data.birth_date
    if data.mobile:
        try:
            mobile = validate_mobile(data.mobile)
        except ValidationError as exc:
            errors.add("mobile", exc.messages[0], Err.MOBILE_INVALID)
    if data.id_number:
        try:
            id_number = validate_resident_id(data.id_number, today=today)
        except ValidationError as exc:
            errors.add("id_number", exc.messages[0], Err.ID_NUMBER_INVALID)
        else:
            id_birth = birth_date_from_resident_id(id_number)
            if birth is None:
                birth = id_birth
            elif birth != id_birth:
                errors.add("birth_date", _("出生日期与身份证号码不符"), Err.DATE_INVALID)
    if birth is None:
        errors.add("birth_date", _("须登记出生日期（用于判断是否未成年）"), Err.BIRTH_DATE_REQUIRED)
    elif birth > today:
        errors.add("birth_date", _("出生日期不能晚于今天"), Err.DATE_INVALID)
    if data.gender not in domain.GENDER_LABELS:
        errors.add("gender", _("须选择性别"), Err.TEXT_REQUIRED)
    skills, categories = _clean_profile(errors, data.skills, data.categories)
    registered_on = data.registered_on or today
    if registered_on > today:
        errors.add("registered_on", _("日期不能晚于今天"), Err.DATE_INVALID)
    _raise(errors)
    with transaction.atomic():
        Area.objects.select_for_update().get(pk=data.community.pk)
        document = encryption.document_fields(id_number)
        if (
            id_number
            and Volunteer.objects.filter(community=data.community, id_number_hash=document["id_number_hash"]).exists()
        ):
            raise invalid("id_number", _("该居民已注册为志愿者"), Err.ALREADY_REGISTERED)
        volunteer = Volunteer.objects.create(
            community=data.community,
            gender=data.gender,
            skills=skills,
            categories=categories,
            registered_on=registered_on,
            registered_by=user_of(actor),
            **encryption.name_fields(name),
            **encryption.mobile_fields(mobile),
            **document,
            **encryption.birth_fields(birth),
        )
        audit.record(
            actor=actor,
            action="volunteers.registered",
            obj=volunteer,
            after={"community": data.community.code, "name": volunteer.name_masked},
        )
    return volunteer


@dataclass
class JoinInput:
    skills: str = ""
    categories: str = ""
    birth_date: date | None = None  # asked only when the register does not hold it


@write_service("volunteers.self")
def volunteer_join(*, actor: Any, resident: Any, data: JoinInput, now: Any = None) -> Volunteer:
    """Register the signed-in resident as a volunteer of their community. Name, mobile, ID number and birth date come
    from the register (never asked again); a volunteer entry staff made earlier with the same ID number is linked
    instead of duplicated."""
    require(actor, "volunteers.self", resident)
    today = _today(now)
    errors = FieldErrors()
    skills, categories = _clean_profile(errors, data.skills, data.categories)
    birth = selectors.resident_birth_date(resident) or data.birth_date
    if birth is None:
        errors.add("birth_date", _("须登记出生日期（用于判断是否未成年）"), Err.BIRTH_DATE_REQUIRED)
    elif birth > today:
        errors.add("birth_date", _("出生日期不能晚于今天"), Err.DATE_INVALID)
    _raise(errors)
    id_number = (
        registry_encryption.decrypt_document(resident.id_number_encrypted) if resident.id_number_encrypted else ""
    )
    mobile = registry_encryption.decrypt_mobile(resident.mobile_encrypted) if resident.mobile_encrypted else ""
    with transaction.atomic():
        Area.objects.select_for_update().get(pk=resident.community_id)
        if Volunteer.objects.filter(resident=resident).exists():
            raise invalid("resident", _("您已注册为志愿者"), Err.ALREADY_REGISTERED)
        document = encryption.document_fields(id_number)
        fields = {
            "skills": skills,
            "categories": categories,
            "gender": resident.gender if resident.gender in domain.GENDER_LABELS else "U",
            **encryption.name_fields(resident.name),
            **encryption.mobile_fields(mobile),
            **document,
            **encryption.birth_fields(birth),
        }
        earlier = None
        if id_number:
            earlier = Volunteer.objects.filter(
                community_id=resident.community_id, id_number_hash=document["id_number_hash"], resident__isnull=True
            ).first()
        if earlier is not None:
            for key, value in fields.items():
                setattr(earlier, key, value)
            earlier.resident, earlier.active = resident, True
            earlier.save()
            volunteer = earlier
        else:
            volunteer = Volunteer.objects.create(
                community_id=resident.community_id, resident=resident, registered_on=today, **fields
            )
        audit.record(
            actor=actor,
            action="volunteers.joined",
            obj=volunteer,
            after={"community": resident.community.code, "linked": earlier is not None},
        )
    return volunteer


@dataclass
class ConsentInput:
    guardian_name: str
    relation: str
    guardian_mobile: str = ""
    consented_on: date | None = None


@write_service("volunteers.manage")
def consent_record(*, actor: Any, volunteer: Volunteer, data: ConsentInput, now: Any = None) -> GuardianConsent:
    """Record (or replace) the guardian's consent to a minor volunteer's service (志愿服务条例第十五条)."""
    require(actor, "volunteers.manage", volunteer)
    today = _today(now)
    errors = FieldErrors()
    name = _text(errors, "guardian_name", data.guardian_name, limit=50)
    relation = _text(errors, "relation", data.relation, limit=20)
    mobile = ""
    if data.guardian_mobile:
        try:
            mobile = validate_mobile(data.guardian_mobile)
        except ValidationError as exc:
            errors.add("guardian_mobile", exc.messages[0], Err.MOBILE_INVALID)
    on = data.consented_on or today
    if on > today:
        errors.add("consented_on", _("日期不能晚于今天"), Err.DATE_INVALID)
    birth = encryption.birth_date_of(volunteer)
    if birth is not None and not domain.is_minor(birth, today):
        errors.add("volunteer", _("该志愿者已成年，不需要监护人同意"), Err.NOT_A_MINOR)
    _raise(errors)
    with transaction.atomic():
        Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        consent, _created = GuardianConsent.objects.update_or_create(
            volunteer=volunteer,
            defaults={
                "relation": relation,
                "consented_on": on,
                "recorded_by": user_of(actor),
                **encryption.guardian_fields(name, mobile),
            },
        )
        audit.record(
            actor=actor,
            action="volunteers.consent_recorded",
            obj=volunteer,
            after={"guardian": consent.guardian_name_masked, "relation": relation, "on": str(on)},
        )
    return consent


@write_service("volunteers.manage")
def entry_record(
    *, actor: Any, volunteer: Volunteer, kind: str, on: date | None, title: str, issuer: str = "", now: Any = None
) -> Entry:
    """Record a training, a commendation or a complaint on the volunteer's record."""
    require(actor, "volunteers.manage", volunteer)
    errors = FieldErrors()
    if kind not in {k.value for k in EntryKind}:
        errors.add("kind", _("须选择记录类别"), Err.KIND_INVALID)
    title = _text(errors, "title", title, limit=200)
    issuer = _text(errors, "issuer", issuer, required=False, limit=100)
    if on is None:
        errors.add("on", _("须填写日期"), Err.DATE_INVALID)
    elif on > _today(now):
        errors.add("on", _("日期不能晚于今天"), Err.DATE_INVALID)
    _raise(errors)
    assert on is not None
    with transaction.atomic():
        entry = Entry.objects.create(
            volunteer=volunteer, kind=kind, on=on, title=title, issuer=issuer, recorded_by=user_of(actor)
        )
        audit.record(
            actor=actor, action="volunteers.entry_recorded", obj=volunteer, after={"kind": kind, "on": str(on)}
        )
    return entry


# --- activities ----------------------------------------------------------------------------------------------


@dataclass
class ActivityInput:
    organiser: Any  # an organisations.Unit placed in the community
    community: Any
    title: str
    content: str
    place: str
    starts_at: Any
    ends_at: Any
    slots: int | None


@write_service("volunteers.organise")
def activity_create(*, actor: Any, data: ActivityInput) -> Activity:
    """Publish an activity of `data.organiser` (a unit the actor holds, or any unit of a community the actor keeps)
    in its community, open for sign-up."""
    require(actor, "volunteers.organise", data.organiser)
    errors = FieldErrors()
    title = _text(errors, "title", data.title, limit=100)
    content = _text(errors, "content", data.content, limit=2000)
    place = _text(errors, "place", data.place, limit=100)
    community = data.community
    if community is None or community.level != "community" or not data.organiser.area.path.startswith(community.path):
        errors.add("organiser", _("组织单位须位于该社区"), Err.ORGANISER_INVALID)
    if data.starts_at is None or data.ends_at is None:
        errors.add("starts_at", _("须填写开始和结束时间"), Err.TIME_INVALID)
    elif data.ends_at <= data.starts_at:
        errors.add("ends_at", _("结束时间须晚于开始时间"), Err.TIME_INVALID)
    if data.slots is None or not 1 <= data.slots <= MAX_SLOTS:
        errors.add("slots", _("招募人数须为 1 至 1000"), Err.SLOTS_INVALID)
    _raise(errors)
    assert data.slots is not None  # checked above
    with transaction.atomic():
        activity = Activity.objects.create(
            organiser=data.organiser,
            community=community,
            title=title,
            content=content,
            place=place,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            slots=data.slots,
            created_by=user_of(actor),
        )
        audit.record(
            actor=actor,
            action="volunteers.activity_created",
            obj=activity,
            after={"organiser": data.organiser.name, "title": title, "slots": data.slots},
        )
    return activity


@write_service("volunteers.organise")
def activity_change(*, actor: Any, activity: Activity, event: str) -> Activity:
    """Close sign-up, reopen it, or cancel the activity (an activity with confirmed hours cannot be cancelled)."""
    require(actor, "volunteers.organise", activity)
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        after = _status(domain.ACTIVITY_TRANSITIONS, locked.status, event)
        if event == ActivityEvent.CANCEL and ServiceRecord.objects.filter(activity=locked).exists():
            raise invalid("status", _("已确认服务时长的活动不能取消"), Err.STATUS_INVALID)
        before, locked.status = locked.status, after
        locked.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            action="volunteers.activity_status_changed",
            obj=locked,
            before={"status": before},
            after={"status": after},
        )
    return locked


# --- sign-ups ------------------------------------------------------------------------------------------------


def _check_minor(volunteer: Volunteer, on: date) -> None:
    birth = encryption.birth_date_of(volunteer)
    if birth is None:
        raise invalid("volunteer", _("须登记出生日期（用于判断是否未成年）"), Err.BIRTH_DATE_REQUIRED)
    minor = domain.is_minor(birth, on)
    if not domain.signup_allowed(minor, GuardianConsent.objects.filter(volunteer=volunteer).exists()):
        raise invalid("volunteer", str(domain.MINOR_NEEDS_CONSENT), Err.MINOR_NEEDS_CONSENT)


@write_service("volunteers.self")
def signup_create(*, actor: Any, volunteer: Volunteer, activity: Activity, now: Any = None) -> Signup:
    """Sign the volunteer up for an open activity of their community that has not ended, while a place is free
    (counted under a lock of the activity). A minor needs the guardian's consent recorded; signing up again after
    withdrawing reuses the sign-up."""
    require(actor, "volunteers.self", volunteer)
    require(actor, "volunteers.self", activity)
    moment = _now(now)
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if locked.community_id != volunteer.community_id:
            raise invalid("activity", _("只能报名本社区的活动"), Err.OTHER_COMMUNITY)
        if locked.status != domain.ActivityStatus.OPEN:
            raise invalid("activity", _("活动不在报名中"), Err.ACTIVITY_NOT_OPEN)
        if locked.ends_at <= moment:
            raise invalid("activity", _("活动已结束"), Err.ACTIVITY_ENDED)
        _check_minor(volunteer, timezone.localdate(locked.starts_at))
        existing = Signup.objects.select_for_update().filter(activity=locked, volunteer=volunteer).first()
        if existing is not None:
            after = _status(domain.SIGNUP_TRANSITIONS, existing.status, SignupEvent.SIGN_UP)
        taken = Signup.objects.filter(activity=locked, status__in=[s.value for s in domain.HOLDS_SLOT]).count()
        if domain.slots_left(locked.slots, taken) == 0:
            raise invalid("activity", _("活动名额已满"), Err.ACTIVITY_FULL)
        if existing is not None:
            existing.status, existing.signed_up_at = after, moment
            existing.save(update_fields=["status", "signed_up_at", "updated_at"])
            signup = existing
        else:
            signup = Signup.objects.create(activity=locked, volunteer=volunteer, signed_up_at=moment)
        audit.record(actor=actor, action="volunteers.signed_up", obj=signup, after={"activity": str(locked.public_id)})
    return signup


@write_service("volunteers.self")
def signup_withdraw(*, actor: Any, signup: Signup) -> Signup:
    """Withdraw the volunteer's sign-up (only before attendance is recorded); the place is freed."""
    require(actor, "volunteers.self", signup)
    with transaction.atomic():
        locked = Signup.objects.select_for_update().get(pk=signup.pk)
        locked.status = _status(domain.SIGNUP_TRANSITIONS, locked.status, SignupEvent.WITHDRAW)
        locked.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="volunteers.withdrawn", obj=locked, after={"status": locked.status})
    return locked


@write_service("volunteers.organise")
def signup_mark_absent(*, actor: Any, signup: Signup) -> Signup:
    """Record that a signed-up volunteer did not come (their hours can still be confirmed if that was a mistake)."""
    require(actor, "volunteers.organise", signup)
    with transaction.atomic():
        locked = Signup.objects.select_for_update().get(pk=signup.pk)
        locked.status = _status(domain.SIGNUP_TRANSITIONS, locked.status, SignupEvent.MARK_ABSENT)
        locked.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="volunteers.marked_absent", obj=locked, after={"status": locked.status})
    return locked


def _check_hours(activity: Activity | None, hours: Any, travel_hours: Any) -> domain.HoursCheck:
    if not isinstance(hours, Decimal) or not isinstance(travel_hours, Decimal):
        raise invalid("hours", _("服务时长须为数字"), Err.HOURS_INVALID)
    start, end = (activity.starts_at, activity.ends_at) if activity is not None else (None, None)
    check = domain.check_service_hours(start, end, hours, travel_hours)
    if not check.ok:
        errors = FieldErrors()
        for message in check.errors:
            errors.add("travel_hours" if "交通" in message else "hours", message, Err.HOURS_INVALID)
        _raise(errors)
    return check


@write_service("volunteers.organise")
def hours_confirm(
    *, actor: Any, signup: Signup, hours: Any, travel_hours: Any = Decimal(0), now: Any = None
) -> ServiceRecord:
    """Record that the volunteer attended and confirm the hours served (travel there and back excluded, at most the
    activity's span and a day): the service record the proofs count. Only once the activity has started."""
    require(actor, "volunteers.organise", signup)
    moment = _now(now)
    activity = signup.activity
    if activity.starts_at > moment:
        raise invalid("hours", _("活动尚未开始，不能确认服务时长"), Err.NOT_STARTED)
    check = _check_hours(activity, hours, travel_hours)
    with transaction.atomic():
        locked = Signup.objects.select_for_update().select_related("activity").get(pk=signup.pk)
        locked.status = _status(domain.SIGNUP_TRANSITIONS, locked.status, SignupEvent.CONFIRM)
        locked.save(update_fields=["status", "updated_at"])
        record = ServiceRecord.objects.create(
            volunteer_id=locked.volunteer_id,
            activity=activity,
            signup=locked,
            organiser_id=activity.organiser_id,
            title=activity.title,
            served_on=timezone.localdate(activity.starts_at),
            place=activity.place,
            content=activity.content[:500],
            hours=check.hours,
            travel_hours=check.travel_hours,
            confirmed_by=user_of(actor),
            confirmed_at=moment,
        )
        audit.record(
            actor=actor,
            action="volunteers.hours_confirmed",
            obj=record,
            after={"hours": str(check.hours), "travel_hours": str(check.travel_hours)},
        )
    return record


# --- corrections ---------------------------------------------------------------------------------------------


@write_service("volunteers.self")
def correction_ask(*, actor: Any, record: ServiceRecord, text: str, now: Any = None) -> Correction:
    """Ask the organiser to correct one of the volunteer's own service records (one open request per record)."""
    require(actor, "volunteers.self", record)
    errors = FieldErrors()
    text = _text(errors, "text", text, limit=500)
    _raise(errors)
    with transaction.atomic():
        ServiceRecord.objects.select_for_update().get(pk=record.pk)
        if Correction.objects.filter(record=record, status=CorrectionStatus.PENDING).exists():
            raise invalid("text", _("该记录已有待答复的更正请求"), Err.CORRECTION_PENDING)
        correction = Correction.objects.create(
            record=record, volunteer_id=record.volunteer_id, text=text, asked_at=_now(now)
        )
        audit.record(actor=actor, action="volunteers.correction_asked", obj=correction, after={"text": text})
    return correction


@dataclass
class AnswerInput:
    accept: bool
    answer: str = ""
    hours: Decimal | None = None  # corrected values (accepted only); None keeps the record's
    travel_hours: Decimal | None = None
    place: str = ""
    content: str = ""


@write_service("volunteers.organise")
def correction_answer(*, actor: Any, correction: Correction, data: AnswerInput, now: Any = None) -> Correction:
    """Answer a correction request: accept it with the corrected values (checked like confirmed hours) or refuse it
    with a reason. Both the answer and the record's change are audited with the values before and after."""
    require(actor, "volunteers.organise", correction)
    errors = FieldErrors()
    answer = _text(errors, "answer", data.answer, required=not data.accept, limit=500)
    place = _text(errors, "place", data.place, required=False, limit=100)
    content = _text(errors, "content", data.content, required=False, limit=500)
    if not data.accept and not answer:
        errors["answer"] = [ValidationError(_("不予更正须说明理由"), code=Err.REASON_REQUIRED)]
    _raise(errors)
    record = correction.record
    fields: dict[str, Any] = {}
    if data.accept:
        hours = data.hours if data.hours is not None else record.hours
        travel = data.travel_hours if data.travel_hours is not None else record.travel_hours
        check = _check_hours(record.activity, hours, travel)
        fields = {"hours": check.hours, "travel_hours": check.travel_hours}
        if place:
            fields["place"] = place
        if content:
            fields["content"] = content
    with transaction.atomic():
        locked = Correction.objects.select_for_update().get(pk=correction.pk)
        event = CorrectionEvent.ACCEPT if data.accept else CorrectionEvent.REFUSE
        locked.status = _status(domain.CORRECTION_TRANSITIONS, locked.status, event)
        locked.answer, locked.answered_by, locked.answered_at = answer, user_of(actor), _now(now)
        locked.save(update_fields=["status", "answer", "answered_by", "answered_at", "updated_at"])
        before: dict[str, Any] = {}
        if fields:
            row = ServiceRecord.objects.select_for_update().get(pk=record.pk)
            before = {k: str(getattr(row, k)) for k in fields}
            for key, value in fields.items():
                setattr(row, key, value)
            row.save(update_fields=[*fields, "updated_at"])
        audit.record(
            actor=actor,
            action="volunteers.correction_answered",
            obj=locked,
            before=before or None,
            after={"status": locked.status, "answer": answer, **{k: str(v) for k, v in fields.items()}},
        )
    return locked


# --- proofs --------------------------------------------------------------------------------------------------


def _issue(actor: Any, volunteer: Volunteer, now: Any) -> Proof:
    from .proofs import snapshot_of

    moment = _now(now)
    with transaction.atomic():
        community = Area.objects.select_for_update().get(pk=volunteer.community_id)
        records = list(ServiceRecord.objects.filter(volunteer=volunteer).select_related("organiser"))
        if not records:
            raise invalid("volunteer", _("还没有已确认的服务记录，不能出具证明"), Err.NO_RECORDS)
        year = timezone.localdate(moment).year
        sequence = Proof.objects.filter(number__startswith=f"{domain.PROOF_PREFIX}-{community.code}-{year}-").count()
        number = domain.proof_number(community.code, year, sequence + 1)
        entries = list(Entry.objects.filter(volunteer=volunteer))
        totals = domain.service_totals(r.hours for r in records)
        snapshot = snapshot_of(volunteer, community, records, entries, number, moment)
        proof = Proof.objects.create(
            volunteer=volunteer,
            number=number,
            issued_at=moment,
            total_hours=totals.hours,
            services=totals.services,
            snapshot=snapshot,
            issued_by=user_of(actor),
        )
        audit.record(
            actor=actor,
            action="volunteers.proof_issued",
            obj=proof,
            after={"number": number, "hours": str(totals.hours), "services": totals.services},
        )
    return proof


@write_service("volunteers.self")
def proof_request(*, actor: Any, volunteer: Volunteer, now: Any = None) -> Proof:
    """Issue the volunteer, on their own request, a proof of their confirmed services, free of charge (办法第十二条)."""
    require(actor, "volunteers.self", volunteer)
    return _issue(actor, volunteer, now)


@write_service("volunteers.manage")
def proof_issue(*, actor: Any, volunteer: Volunteer, now: Any = None) -> Proof:
    """Issue a proof for a volunteer who asked at the community's desk, free of charge."""
    require(actor, "volunteers.manage", volunteer)
    return _issue(actor, volunteer, now)
