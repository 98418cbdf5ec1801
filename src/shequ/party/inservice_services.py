"""Writes of in-service members reporting to their residence community (在职党员双报到): registration slips, the
community's needs list, claims, services and the quarterly record for the member's employer.

Every write: `require` first (``party.service`` for the community's Party organisation, ``party.service_self`` for
what a member does for themself or staff do on their behalf), validate with Chinese messages and stable codes,
then one transaction that locks what concurrent writers race on (a need while it is claimed), writes, and appends
the audit record. Audit records carry the masked name, never the full one.

Services recorded by the member on the portal wait for the community to confirm them; services recorded by staff
are confirmed as they are recorded. Only confirmed services go on the quarterly record for the employer: the
record is the community's attestation. Hours follow ``shequ.volunteers.domain.check_service_hours`` (more than 0,
at most a day's 24 hours, two decimals).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.actors import user_of
from shequ.core.errors import FieldErrors, InvalidTransition, invalid
from shequ.core.permissions import can, require, write_service
from shequ.volunteers.domain import check_service_hours, hours_text

from . import domain, encryption
from .domain import ClaimEvent, ClaimStatus, EntryStatus, NeedKind, NeedStatus, RegistrationStatus
from .errors import PartyError as Err
from .models import InServiceMember, NeedClaim, PartyOrg, ServiceEntry, ServiceNeed
from .services import _raise, _text, _today

MAX_WANTED = 200


# --- registrations (报到登记) -----------------------------------------------------------------------------------


@dataclass
class RegistrationInput:
    own_org_name: str
    employer: str
    job_title: str = ""
    skills: str = ""
    preferred_kinds: list[str] = field(default_factory=list)
    own_org: PartyOrg | None = None
    registered_on: date | None = None  # default: today


@write_service("party.service_self")
def registration_create(*, actor: Any, resident: Any, data: RegistrationInput, now: Any = None) -> InServiceMember:
    """Register `resident` as an in-service member with the community they live in (the resident themself, or
    staff of the community's Party organisation on their behalf). One active registration per community."""
    require(actor, "party.service_self", resident)
    today = _today(now)
    errors = FieldErrors()
    own_org_name = _text(errors, "own_org_name", data.own_org_name, limit=100)
    employer = _text(errors, "employer", data.employer, limit=100)
    job_title = _text(errors, "job_title", data.job_title, required=False, limit=50)
    skills = _text(errors, "skills", data.skills, required=False, limit=300)
    kinds = list(dict.fromkeys(data.preferred_kinds))
    if any(k not in {n.value for n in NeedKind} for k in kinds):
        errors.add("preferred_kinds", _("须选择需求类别"), Err.NEED_KIND_INVALID)
    registered_on = data.registered_on or today
    if registered_on > today:
        errors.add("registered_on", _("日期不能晚于今天"), Err.FUTURE_DATE)
    if getattr(resident, "status", "active") != "active":
        errors.add("resident", _("须是本社区在册居民"), Err.RESIDENT_INVALID)
    _raise(errors)
    with transaction.atomic():
        if InServiceMember.objects.filter(
            resident=resident, community_id=resident.community_id, status=RegistrationStatus.ACTIVE
        ).exists():
            raise invalid("resident", _("已在本社区报到"), Err.REGISTRATION_DUPLICATE)
        member = InServiceMember.objects.create(
            resident=resident,
            community_id=resident.community_id,
            own_org_name=own_org_name,
            own_org=data.own_org,
            employer=employer,
            job_title=job_title,
            skills=skills,
            preferred_kinds=",".join(kinds),
            registered_on=registered_on,
            **encryption.name_fields(resident.name),
        )
        audit.record(
            actor=actor,
            action="party.inservice_registered",
            obj=member,
            after={"name": member.name_masked, "employer": employer, "own_org": own_org_name},
        )
    return member


@write_service("party.service_self")
def registration_end(*, actor: Any, member: InServiceMember, on: date | None = None, now: Any = None) -> Any:
    """End a registration (the member moved, or asked to end it); claims not yet served are withdrawn."""
    require(actor, "party.service_self", member)
    today = _today(now)
    on = on or today
    if on > today or on < member.registered_on:
        raise invalid("on", _("结束日期须在报到日期之后且不晚于今天"), Err.DATE_INVALID)
    with transaction.atomic():
        locked = InServiceMember.objects.select_for_update().get(pk=member.pk)
        if locked.status != RegistrationStatus.ACTIVE:
            raise invalid("member", _("报到已结束"), Err.REGISTRATION_ENDED)
        locked.status, locked.ended_on = RegistrationStatus.ENDED.value, on
        locked.save(update_fields=["status", "ended_on", "updated_at"])
        withdrawn = NeedClaim.objects.filter(member=locked, status=ClaimStatus.CLAIMED).update(
            status=ClaimStatus.WITHDRAWN
        )
        audit.record(
            actor=actor,
            action="party.inservice_ended",
            obj=locked,
            after={"on": str(on), "claims_withdrawn": withdrawn},
        )
    return locked


@write_service("party.service")
def registration_reveal(*, actor: Any, member: InServiceMember, reason: str) -> dict[str, str]:
    """Return the registered member's full name; every reveal is audited with its reason."""
    require(actor, "party.service", member)
    errors = FieldErrors()
    reason = _text(errors, "reason", reason, limit=100)
    _raise(errors)
    audit.record(actor=actor, action="party.inservice_revealed", obj=member, after={"reason": reason})
    return {"name": encryption.name_of(member)}


# --- the needs list (需求清单) ---------------------------------------------------------------------------------


@dataclass
class NeedInput:
    title: str
    kind: str
    wanted: int | None
    open_from: date | None = None  # default: today
    open_until: date | None = None
    description: str = ""
    place: str = ""


@write_service("party.service")
def need_publish(*, actor: Any, community: Any, data: NeedInput, now: Any = None) -> ServiceNeed:
    """Publish a need on the community's needs list; open for claims from `open_from` until `open_until` (or until
    closed)."""
    require(actor, "party.service", community)
    today = _today(now)
    errors = FieldErrors()
    title = _text(errors, "title", data.title, limit=100)
    description = _text(errors, "description", data.description, required=False, limit=2000)
    place = _text(errors, "place", data.place, required=False, limit=100)
    if data.kind not in {k.value for k in NeedKind}:
        errors.add("kind", _("须选择需求类别"), Err.NEED_KIND_INVALID)
    if data.wanted is None or not 1 <= data.wanted <= MAX_WANTED:
        errors.add("wanted", _("需要人数须为 1 至 200 人"), Err.WANTED_INVALID)
    open_from = data.open_from or today
    if data.open_until is not None and data.open_until < open_from:
        errors.add("open_until", _("认领截止日期不能早于开始日期"), Err.DATE_INVALID)
    _raise(errors)
    assert data.wanted is not None  # checked above
    with transaction.atomic():
        need = ServiceNeed.objects.create(
            community=community,
            title=title,
            kind=data.kind,
            description=description,
            place=place,
            wanted=data.wanted,
            open_from=open_from,
            open_until=data.open_until,
            posted_by=user_of(actor),
        )
        audit.record(
            actor=actor,
            action="party.need_published",
            obj=need,
            after={"title": title, "kind": data.kind, "wanted": data.wanted, "open_from": str(open_from)},
        )
    return need


@write_service("party.service")
def need_close(*, actor: Any, need: ServiceNeed) -> ServiceNeed:
    """Close a need: it takes no more claims; claims already made and their services stay."""
    require(actor, "party.service", need)
    with transaction.atomic():
        locked = ServiceNeed.objects.select_for_update().get(pk=need.pk)
        if locked.status != NeedStatus.OPEN:
            raise invalid("need", _("该需求已关闭"), Err.NEED_NOT_OPEN)
        locked.status = NeedStatus.CLOSED.value
        locked.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="party.need_closed", obj=locked, after={"title": locked.title})
    return locked


def _holding(need: ServiceNeed) -> int:
    return NeedClaim.objects.filter(need=need, status__in=domain.HOLDING_CLAIMS).count()


@write_service("party.service_self")
def need_claim(*, actor: Any, need: ServiceNeed, member: InServiceMember, now: Any = None) -> NeedClaim:
    """Claim a need for a member registered in its community, while it is open and has a place left.

    Locks the need, so two members cannot both take its last place. A member holds at most one claim of a need."""
    require(actor, "party.service_self", member)
    require(actor, "party.service_self", need)
    today = _today(now)
    if need.community_id != member.community_id:
        raise invalid("need", _("只能认领报到社区的需求"), Err.NEED_NOT_OPEN)
    with transaction.atomic():
        locked = ServiceNeed.objects.select_for_update().get(pk=need.pk)
        if InServiceMember.objects.filter(pk=member.pk, status=RegistrationStatus.ACTIVE).count() == 0:
            raise invalid("member", _("报到已结束"), Err.REGISTRATION_ENDED)
        if not domain.need_open_on(locked.status, locked.open_from, locked.open_until, today):
            raise invalid("need", _("该需求当前不接受认领"), Err.NEED_NOT_OPEN)
        if NeedClaim.objects.filter(need=locked, member=member, status__in=domain.HOLDING_CLAIMS).exists():
            raise invalid("need", _("您已认领该需求"), Err.CLAIM_DUPLICATE)
        if domain.places_left(locked.wanted, _holding(locked)) == 0:
            raise invalid("need", _("该需求认领人数已满"), Err.NEED_FULL)
        claim = NeedClaim.objects.create(need=locked, member=member, claimed_at=now or timezone.now())
        audit.record(
            actor=actor,
            action="party.need_claimed",
            obj=claim,
            after={"need": locked.title, "member": member.name_masked},
        )
    return claim


@write_service("party.service_self")
def claim_withdraw(*, actor: Any, claim: NeedClaim) -> NeedClaim:
    """Withdraw a claim no service was recorded on yet; its place is free again."""
    require(actor, "party.service_self", claim)
    with transaction.atomic():
        ServiceNeed.objects.select_for_update().get(pk=claim.need_id)
        locked = NeedClaim.objects.select_for_update().get(pk=claim.pk)
        try:
            locked.status = domain.next_claim_status(locked.status, ClaimEvent.WITHDRAW).value
        except InvalidTransition:
            raise invalid("claim", _("已记录服务或已放弃的认领不能放弃"), Err.CLAIM_STATUS) from None
        locked.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="party.claim_withdrawn", obj=locked, after={"need": claim.need.title})
    return locked


# --- services (服务记录) ---------------------------------------------------------------------------------------


@dataclass
class EntryInput:
    served_on: date | None
    hours: Any  # Decimal, or text typed in a form / sent to the API
    content: str
    claim: NeedClaim | None = None


def _hours(errors: FieldErrors, value: Any) -> Decimal:
    try:
        hours = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add("hours", _("服务时长无效"), Err.HOURS_INVALID)
        return Decimal(0)
    check = check_service_hours(None, None, hours)
    for message in check.errors:
        errors.add("hours", message, Err.HOURS_INVALID)
    return hours


@write_service("party.service_self")
def entry_record(*, actor: Any, member: InServiceMember, data: EntryInput, now: Any = None) -> ServiceEntry:
    """Record a service the member did (on a claim of theirs, or without one): its day, hours and content.

    Hours: more than 0, at most a day (24 hours), two decimals. The day is not in the future nor before the
    registration. Recorded by the member: waiting for the community's confirmation; by staff: confirmed."""
    require(actor, "party.service_self", member)
    today = _today(now)
    errors = FieldErrors()
    content = _text(errors, "content", data.content, limit=300)
    hours = _hours(errors, data.hours)
    if data.served_on is None:
        errors.add("served_on", _("须填写服务日期"), Err.DATE_INVALID)
    elif data.served_on > today:
        errors.add("served_on", _("日期不能晚于今天"), Err.FUTURE_DATE)
    elif data.served_on < member.registered_on:
        errors.add("served_on", _("服务日期不能早于报到日期"), Err.DATE_INVALID)
    claim = data.claim
    if claim is not None and claim.member_id != member.pk:
        errors.add("claim", _("只能记录本人认领的需求"), Err.CLAIM_STATUS)
    _raise(errors)
    assert data.served_on is not None  # checked above
    staff = bool(can(actor, "party.service", member))
    with transaction.atomic():
        locked = InServiceMember.objects.select_for_update().get(pk=member.pk)
        if locked.status != RegistrationStatus.ACTIVE:
            raise invalid("member", _("报到已结束"), Err.REGISTRATION_ENDED)
        if claim is not None:
            claim = NeedClaim.objects.select_for_update().select_related("need").get(pk=claim.pk)
            try:
                claim.status = domain.next_claim_status(claim.status, ClaimEvent.SERVE).value
            except InvalidTransition:
                raise invalid("claim", _("已放弃的认领不能记录服务"), Err.CLAIM_STATUS) from None
            claim.save(update_fields=["status", "updated_at"])
        entry = ServiceEntry.objects.create(
            member=locked,
            claim=claim,
            served_on=data.served_on,
            hours=hours,
            content=content,
            status=EntryStatus.CONFIRMED if staff else EntryStatus.PENDING,
            recorded_by=user_of(actor),
            confirmed_by=user_of(actor) if staff else None,
            confirmed_at=timezone.now() if staff else None,
        )
        audit.record(
            actor=actor,
            action="party.service_recorded",
            obj=entry,
            after={
                "member": locked.name_masked,
                "served_on": str(data.served_on),
                "hours": hours_text(hours),
                "need": claim.need.title if claim is not None else "",
                "status": entry.status,
            },
        )
    return entry


@write_service("party.service")
def entry_confirm(*, actor: Any, entry: ServiceEntry) -> ServiceEntry:
    """Confirm a service recorded by the member: from now on it is on the member's quarterly record."""
    require(actor, "party.service", entry)
    with transaction.atomic():
        locked = ServiceEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.status != EntryStatus.PENDING:
            raise invalid("entry", _("该服务记录已确认"), Err.ENTRY_CONFIRMED)
        locked.status = EntryStatus.CONFIRMED.value
        locked.confirmed_by, locked.confirmed_at = user_of(actor), timezone.now()
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
        audit.record(
            actor=actor, action="party.service_confirmed", obj=locked, after={"served_on": str(locked.served_on)}
        )
    return locked


# --- the quarterly record (在职党员到社区报到服务情况反馈) ------------------------------------------------------


@write_service("party.service_self")
def quarterly_record(*, actor: Any, member: InServiceMember, year: int, quarter: int, now: Any = None) -> bytes:
    """The member's quarterly service record for their employer as a PDF (with the member's full name: the employer
    needs it); audited. Only services the community confirmed are on it."""
    require(actor, "party.service_self", member)
    from . import service_pdf
    from .inservice_selectors import community_org_name, quarter_entries

    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= _today(now).year:
        raise invalid("quarter", _("季度不正确"), Err.QUARTER_INVALID)
    generated_at = timezone.localtime(now) if now is not None else timezone.localtime()
    entries = list(quarter_entries(member, year, quarter))
    total = sum((e.hours for e in entries), Decimal(0))
    content = service_pdf.RecordContent(
        name=encryption.name_of(member),
        own_org=member.own_org_name,
        employer=member.employer,
        job_title=member.job_title,
        community=member.community.name,
        community_org=community_org_name(member.community),
        registered_on=member.registered_on,
        quarter=domain.quarter_label(year, quarter),
        rows=tuple(
            service_pdf.RecordRow(
                served_on=e.served_on,
                need=e.claim.need.title if e.claim is not None else "",
                content=e.content,
                hours=hours_text(e.hours),
            )
            for e in entries
        ),
        total_hours=hours_text(total),
        issued_on=generated_at.date(),
        generated_at=generated_at,
    )
    data = service_pdf.render(content)
    audit.record(
        actor=actor,
        action="party.service_record_issued",
        obj=member,
        after={"year": year, "quarter": quarter, "entries": len(entries), "hours": hours_text(total)},
    )
    return data
