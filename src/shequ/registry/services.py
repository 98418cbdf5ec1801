"""Writes on the register: registration, changes with effective dates, reveal, consent withdrawal, erasure.

Every function checks permission, validates, writes in one transaction and appends an audit record with
personal information masked (audit never holds an ID or mobile number or a birth date in clear). Reads that
reveal (a value in clear, an age filter, the elderly birthday list) are here too, because they are audited.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shequ.core import audit
from shequ.core.actors import system_job, user_of
from shequ.core.errors import FieldErrors, PermissionDenied, ValidationError, invalid
from shequ.core.permissions import require, write_service
from shequ.core.validators import validate_mobile, validate_uscc

from . import disclosures, encryption, selectors
from .documents import validate_document
from .domain import (
    BIRTHDAY_AGES,
    CARE_TAG_BY_CODE,
    AgeBand,
    DisclosureKind,
    IdType,
    LegalBasis,
    ResidentStatus,
    birth_range,
    birthday_year,
    split_decades,
)
from .errors import RegistryError
from .models import Household, Ownership, Residence, Resident, ResidentEvent, ResidentTag
from .permissions import REVEAL_IDENTITY_ROLES

ERASE_AFTER = timedelta(days=15)  # PIPL §47: delete "in time" once consent is withdrawn
REVEAL_FIELDS = ("mobile", "id_number", "birth_date", "sensitive_tags", "notes")


@dataclass
class ResidentInput:
    name: str
    community: Any
    gender: str = "U"
    birth_date: date | None = None
    id_type: str = IdType.RESIDENT_ID
    id_number: str = ""
    mobile: str = ""
    household: Household | None = None
    relation: str = ""
    dwelling: Any = None
    residence_type: str = "permanent"
    care_tags: list[str] = field(default_factory=list)
    notes: str = ""
    legal_basis: str = LegalBasis.STATUTORY
    moved_in_on: date | None = None


def _snapshot(r: Resident) -> dict[str, Any]:
    """What the audit log keeps of a resident: masked identifiers only."""
    return {
        "name": r.name,
        "gender": r.gender,
        "id_type": r.id_type,
        "id_number": r.id_number_masked,
        "mobile": r.mobile_masked,
        "household": r.household.number if r.household_id else None,
        "dwelling": r.dwelling_id,
        "residence_type": r.residence_type,
        "plain_tags": r.plain_tags,
        "has_sensitive_tags": r.has_sensitive_tags,
        "legal_basis": r.legal_basis,
        "status": r.status,
    }


def normalise_input(data: ResidentInput) -> ResidentInput:
    """Validate and normalise documents, mobile, tags and dwelling; raise ValidationError per field."""
    errors = FieldErrors()
    data.name = (data.name or "").strip()
    if not data.name or len(data.name) > 50:
        errors.add("name", _("请填写姓名（不超过50字）"), RegistryError.NAME_REQUIRED)
    try:
        doc = validate_document(data.id_type or IdType.RESIDENT_ID, data.id_number or "")
        data.id_type, data.id_number = str(doc.id_type), doc.number
        if doc.birth_date:
            if data.birth_date and data.birth_date != doc.birth_date:
                errors.add("birth_date", _("出生日期与证件号码不一致"), RegistryError.BIRTH_DATE_MISMATCH)
            data.birth_date = doc.birth_date
        if doc.gender and data.gender in ("", "U"):
            data.gender = doc.gender
    except ValidationError as exc:
        errors.extend("id_number", exc)
    if data.birth_date and data.birth_date > timezone.localdate():
        errors.add("birth_date", _("出生日期不能晚于今天"), RegistryError.BIRTH_DATE_IN_FUTURE)
    elif data.birth_date and data.birth_date < date(1900, 1, 1):
        errors.add("birth_date", _("出生日期不能早于1900年1月1日"), RegistryError.BIRTH_DATE_TOO_EARLY)
    if data.mobile:
        try:
            data.mobile = validate_mobile(data.mobile)
        except ValidationError as exc:
            errors.extend("mobile", exc)
    data.care_tags = list(dict.fromkeys(data.care_tags))
    unknown = [t for t in data.care_tags if t not in CARE_TAG_BY_CODE]
    if unknown:
        message = _("未知的关怀标签：%(tags)s") % {"tags": "、".join(unknown)}
        errors.add("care_tags", message, RegistryError.CARE_TAG_UNKNOWN)
    if data.dwelling is not None and not data.dwelling.building.compound.community.path.startswith(data.community.path):
        errors.add("dwelling", _("住址不在该社区"), RegistryError.DWELLING_OUTSIDE_COMMUNITY)
    if data.household is not None and data.household.community_id != data.community.pk:
        errors.add("household", _("该户不属于本社区"), RegistryError.HOUSEHOLD_OUTSIDE_COMMUNITY)
    if errors:
        raise ValidationError(errors)
    return data


def _apply_fields(r: Resident, data: ResidentInput, earliest_fact: date) -> None:
    r.name, r.pinyin_index = data.name, encryption.pinyin_index(data.name)
    r.community, r.gender = data.community, data.gender or "U"
    for k, v in encryption.birth_fields(data.birth_date, earliest_fact).items():
        setattr(r, k, v)
    r.id_type = data.id_type
    for k, v in encryption.document_fields(data.id_number).items():
        setattr(r, k, v)
    for k, v in encryption.mobile_fields(data.mobile).items():
        setattr(r, k, v)
    r.household, r.relation, r.dwelling = data.household, data.relation or "", data.dwelling
    r.residence_type, r.legal_basis = data.residence_type, data.legal_basis
    for k, v in encryption.tag_fields(data.care_tags).items():
        setattr(r, k, v)
    for k, v in encryption.notes_fields(data.notes).items():
        setattr(r, k, v)
    if data.legal_basis == LegalBasis.CONSENT and r.consent_at is None:
        r.consent_at = timezone.now()


def _refresh_birth_decades(resident_ids: list[int]) -> None:
    """Recompute the clear birth decade of these residents after a dated fact about them was recorded.

    An earlier date (a backdated stay or ownership) can make the decade too telling (domain.clear_birth_decade).
    """
    facts = selectors.earliest_facts(resident_ids)
    rows = Resident.objects.filter(pk__in=resident_ids).exclude(birth_date_encrypted="")
    for pk, ciphertext, decade in rows.values_list("pk", "birth_date_encrypted", "birth_decade"):
        fields = encryption.birth_fields(encryption.decrypt_birth_date(ciphertext), facts.get(pk))
        if fields["birth_decade"] != decade:
            Resident.objects.filter(pk=pk).update(birth_decade=fields["birth_decade"])


def _sync_tags(r: Resident, codes: list[str]) -> None:
    codes = list(dict.fromkeys(codes))
    ResidentTag.objects.filter(resident=r).delete()
    ResidentTag.objects.bulk_create([ResidentTag(resident=r, tag_hash=h) for h in encryption.tag_hashes(codes)])


def duplicate_of(id_number: str) -> Resident | None:
    """The resident already registered with this document anywhere in the city (not scoped: used to refuse)."""
    if not id_number:
        return None
    return Resident.objects.filter(id_number_hash__in=encryption.document_lookup_hashes(id_number)).first()


@write_service("registry.edit")
def resident_register(*, actor: Any, data: ResidentInput) -> Resident:
    """Register a resident in a community; refuses a document already registered (elsewhere: without saying where).

    Opens a Residence row from `moved_in_on` (default today). Audited with masked identifiers.
    """
    require(actor, "registry.edit", data.community if data.dwelling is None else _probe(data))
    data = normalise_input(data)
    existing = duplicate_of(data.id_number)
    if existing is not None:
        if existing.community_id == data.community.pk:
            raise invalid("id_number", _("该证件号码已在本社区登记"), RegistryError.ID_NUMBER_REGISTERED_HERE)
        raise invalid(
            "id_number", _("该居民已在其他社区登记，请联系街道办事处"), RegistryError.ID_NUMBER_REGISTERED_ELSEWHERE
        )
    with transaction.atomic():
        r = Resident()
        r.moved_in_on = data.moved_in_on or timezone.localdate()
        _apply_fields(r, data, min(r.moved_in_on, timezone.localdate()))
        try:
            with transaction.atomic():
                r.save()
        except IntegrityError as exc:  # a concurrent registration of the same document won the race
            raise invalid("id_number", _("该证件号码已登记"), RegistryError.ID_NUMBER_REGISTERED) from exc
        _sync_tags(r, data.care_tags)
        Residence.objects.create(
            resident=r,
            community=data.community,
            dwelling=data.dwelling,
            household=data.household,
            relation=r.relation,
            valid_from=r.moved_in_on,
        )
        if data.household is not None and data.relation == "head":
            Household.objects.filter(pk=data.household.pk).update(head=r)
        ResidentEvent.objects.create(resident=r, kind="move_in", effective_date=r.moved_in_on, recorded_by=_user(actor))
        audit.record(actor=actor, action="registry.resident_registered", obj=r, after=_snapshot(r))
    return r


def _probe(data: ResidentInput) -> Resident:
    """An unsaved resident placed where `data` says, for the location-based permission check."""
    return Resident(community=data.community, dwelling=data.dwelling)


def _user(actor: Any) -> Any:
    return user_of(actor)


@write_service("registry.edit")
def resident_update(*, actor: Any, resident: Resident, data: ResidentInput) -> Resident:
    """Correct a resident's particulars (not a move: use the dated changes for that)."""
    require(actor, "registry.edit", resident)
    require(actor, "registry.edit", _probe(data))
    data = normalise_input(data)
    existing = duplicate_of(data.id_number)
    if existing is not None and existing.pk != resident.pk:
        raise ValidationError({"id_number": _("该证件号码已登记为另一位居民")})
    with transaction.atomic():
        before = _snapshot(resident)
        _apply_fields(resident, data, selectors.earliest_facts([resident.pk])[resident.pk])
        resident.save()
        _sync_tags(resident, data.care_tags)
        audit.record(
            actor=actor, action="registry.resident_updated", obj=resident, before=before, after=_snapshot(resident)
        )
    return resident


@write_service("registry.reveal_mobile", "registry.reveal_identity")
def resident_reveal(*, actor: Any, resident: Resident, field: str, reason_code: str, reason: str) -> str:
    """Return one personal value in clear for an allowed role, recording who, what, when and why.

    Needs a reason from the list plus a detail, and counts toward the actor's daily reveal limit
    (disclosures.count_disclosure: DisclosureLimitReached when reached, with an alert to the security admins).
    """
    if field not in REVEAL_FIELDS:
        raise invalid("field", _("未知字段"), RegistryError.REVEAL_FIELD_UNKNOWN)
    reason_code, reason = disclosures.clean_reason(reason_code, reason)
    require(actor, "registry.reveal_mobile" if field == "mobile" else "registry.reveal_identity", resident)
    if resident.status in (ResidentStatus.WITHDRAWN, ResidentStatus.ERASED) and field != "id_number":
        raise PermissionDenied(_("该居民已撤回同意，相关信息已隐藏"), code=RegistryError.CONSENT_WITHDRAWN)
    disclosures.count_disclosure(actor=actor, kind=DisclosureKind.REVEAL)
    if field == "mobile":
        value = encryption.decrypt_mobile(resident.mobile_encrypted)
    elif field == "id_number":
        value = encryption.decrypt_document(resident.id_number_encrypted)
    elif field == "birth_date":
        birth = encryption.decrypt_birth_date(resident.birth_date_encrypted)
        value = birth.isoformat() if birth else ""
    elif field == "sensitive_tags":
        value = "、".join(
            CARE_TAG_BY_CODE[c].label for c in encryption.decrypt_sensitive_tags(resident.sensitive_tags_encrypted)
        )
    else:
        value = encryption.decrypt_notes(resident.notes_encrypted)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="registry.reveal",
            obj=resident,
            after={"field": field, "reason_code": reason_code, "reason": reason},
        )
    return value


def resident_current_input(resident: Resident) -> ResidentInput:
    """The resident's stored particulars as a ResidentInput, decrypted here so a form can keep what it leaves blank.

    The values go from the database back into `resident_update` and are never rendered.
    """
    return ResidentInput(
        name=resident.name,
        community=resident.community,
        gender=resident.gender,
        birth_date=encryption.decrypt_birth_date(resident.birth_date_encrypted),
        id_type=resident.id_type,
        id_number=encryption.decrypt_document(resident.id_number_encrypted),
        mobile=encryption.decrypt_mobile(resident.mobile_encrypted),
        household=resident.household,
        relation=resident.relation,
        dwelling=resident.dwelling,
        residence_type=resident.residence_type,
        care_tags=care_tags_of(resident),
        notes=encryption.decrypt_notes(resident.notes_encrypted),
        legal_basis=resident.legal_basis,
    )


def care_tags_of(resident: Resident) -> list[str]:
    """All tag codes (decrypting the sensitive ones): for edit forms of roles that may reveal."""
    plain = [c for c in resident.plain_tags.split(",") if c]
    return plain + encryption.decrypt_sensitive_tags(resident.sensitive_tags_encrypted)


def _close_residence(resident: Resident, on: date) -> None:
    Residence.objects.filter(resident=resident, valid_to__isnull=True).update(valid_to=on)


@write_service("registry.edit")
def resident_move_out(*, actor: Any, resident: Resident, on: date, note: str = "") -> Resident:
    """Record that the resident moved out on `on`: the stay closes, the resident leaves the current list."""
    require(actor, "registry.edit", resident)
    if on > timezone.localdate():
        raise ValidationError({"on": _("迁出日期不能晚于今天")})
    with transaction.atomic():
        _close_residence(resident, on)
        resident.status, resident.moved_out_on = ResidentStatus.MOVED_OUT, on
        resident.save(update_fields=["status", "moved_out_on", "updated_at"])
        ResidentEvent.objects.create(
            resident=resident,
            kind="move_out",
            effective_date=on,
            details={"note": note[:200]},
            recorded_by=_user(actor),
        )
        _refresh_birth_decades([resident.pk])
        audit.record(actor=actor, action="registry.moved_out", obj=resident, after={"on": on.isoformat()})
    return resident


@write_service("registry.edit")
def resident_death(*, actor: Any, resident: Resident, on: date) -> Resident:
    require(actor, "registry.edit", resident)
    if on > timezone.localdate():
        raise ValidationError({"on": _("死亡日期不能晚于今天")})
    with transaction.atomic():
        _close_residence(resident, on)
        resident.status, resident.died_on = ResidentStatus.DECEASED, on
        resident.save(update_fields=["status", "died_on", "updated_at"])
        ResidentEvent.objects.create(resident=resident, kind="death", effective_date=on, recorded_by=_user(actor))
        _refresh_birth_decades([resident.pk])
        audit.record(actor=actor, action="registry.death_recorded", obj=resident, after={"on": on.isoformat()})
    return resident


@write_service("registry.edit")
def resident_change_household(
    *, actor: Any, resident: Resident, household: Household | None, relation: str, on: date, dwelling: Any = None
) -> Resident:
    """Move a resident into another household (and dwelling) from date `on`, keeping the old stay on record."""
    require(actor, "registry.edit", resident)
    target = dwelling if dwelling is not None else (household.dwelling if household else resident.dwelling)
    require(actor, "registry.edit", Resident(community=resident.community, dwelling=target))
    if household is not None and household.community_id != resident.community_id:
        raise ValidationError({"household": _("该户不属于本社区")})
    with transaction.atomic():
        before = _snapshot(resident)
        _close_residence(resident, on)
        resident.household, resident.relation, resident.dwelling = household, relation or "", target
        resident.save(update_fields=["household", "relation", "dwelling", "updated_at"])
        Residence.objects.create(
            resident=resident,
            community=resident.community,
            dwelling=target,
            household=household,
            relation=resident.relation,
            valid_from=on,
        )
        if household is not None and relation == "head":
            Household.objects.filter(pk=household.pk).update(head=resident)
        ResidentEvent.objects.create(
            resident=resident,
            kind="household_change",
            effective_date=on,
            details={"household": household.number if household else None},
            recorded_by=_user(actor),
        )
        _refresh_birth_decades([resident.pk])
        audit.record(
            actor=actor, action="registry.household_changed", obj=resident, before=before, after=_snapshot(resident)
        )
    return resident


@write_service("registry.edit")
def household_create(*, actor: Any, community: Any, number: str, dwelling: Any = None) -> Household:
    require(actor, "registry.edit", community if dwelling is None else Resident(community=community, dwelling=dwelling))
    number = (number or "").strip()
    if not number or len(number) > 40:
        raise ValidationError({"number": _("请填写户号（不超过40个字符）")})
    if Household.objects.filter(community=community, number=number).exists():
        raise ValidationError({"number": _("本社区已有该户号")})
    with transaction.atomic():
        h = Household.objects.create(community=community, number=number, dwelling=dwelling)
        audit.record(actor=actor, action="registry.household_created", obj=h, after={"number": number})
    return h


@dataclass(frozen=True)
class OwnerInput:
    kind: str  # person | developer | organisation
    share: Decimal
    resident: Resident | None = None
    organisation_name: str = ""
    organisation_uscc: str = ""


@write_service("registry.edit")
def ownership_transfer(*, actor: Any, dwelling: Any, owners: list[OwnerInput], on: date) -> list[Ownership]:
    """Record the owners of a dwelling from date `on`; the previous owners' rows end on that date.

    Shares must add up to 1. Registered area is the dwelling's registered floor area times the share.
    """
    community = dwelling.building.compound.community
    require(actor, "registry.edit", Resident(community=community, dwelling=dwelling))
    if not owners:
        raise ValidationError({"owners": _("至少需要一位产权人")})
    total = sum((o.share for o in owners), Decimal(0))
    if total != Decimal(1):
        raise ValidationError({"owners": _("产权份额合计应为1（当前为%(total)s）") % {"total": total}})
    for o in owners:
        if o.kind == "person" and o.resident is None:
            raise ValidationError({"owners": _("个人产权人须是已登记的居民")})
        if o.kind != "person":
            if not o.organisation_name.strip():
                raise ValidationError({"owners": _("请填写单位名称")})
            if o.organisation_uscc:
                validate_uscc(o.organisation_uscc)
    with transaction.atomic():
        previous = list(Ownership.objects.select_for_update().filter(dwelling=dwelling, valid_to__isnull=True))
        if any(p.valid_from > on for p in previous):
            raise ValidationError({"on": _("转移日期早于现有产权登记日期")})
        Ownership.objects.filter(pk__in=[p.pk for p in previous]).update(valid_to=on)
        created = [
            Ownership.objects.create(
                dwelling=dwelling,
                owner_kind=o.kind,
                resident=o.resident,
                organisation_name=o.organisation_name.strip(),
                organisation_uscc=validate_uscc(o.organisation_uscc) if o.organisation_uscc else "",
                share=o.share,
                registered_area=(dwelling.floor_area * o.share).quantize(Decimal("0.01")),
                valid_from=on,
            )
            for o in owners
        ]
        for o in owners:
            if o.resident is not None:
                ResidentEvent.objects.create(
                    resident=o.resident,
                    kind="ownership_acquired",
                    effective_date=on,
                    details={"dwelling": dwelling.pk},
                    recorded_by=_user(actor),
                )
        _refresh_birth_decades([o.resident.pk for o in owners if o.resident is not None])
        audit.record(
            actor=actor,
            action="registry.ownership_transferred",
            obj=dwelling,
            before={"owners": [p.organisation_name or f"resident:{p.resident_id}" for p in previous]},
            after={
                "owners": [o.organisation_name or f"resident:{o.resident.pk}" for o in owners],
                "on": on.isoformat(),
            },
        )
    return created


@write_service("registry.manage_consent")
def consent_withdraw(*, actor: Any, resident: Resident) -> Resident:
    """Record a withdrawal of consent: the resident is hidden at once and erased after ERASE_AFTER.

    Only for data collected by consent; statutory records cannot be withdrawn this way.
    """
    require(actor, "registry.manage_consent", resident)
    if resident.legal_basis != LegalBasis.CONSENT:
        raise ValidationError({"legal_basis": _("该居民信息依法定职责采集，不适用撤回同意")})
    if resident.status in (ResidentStatus.WITHDRAWN, ResidentStatus.ERASED):
        raise ValidationError({"status": _("已撤回同意")})
    with transaction.atomic():
        now = timezone.now()
        resident.status, resident.consent_withdrawn_at = ResidentStatus.WITHDRAWN, now
        resident.erase_due_at = now + ERASE_AFTER
        resident.save(update_fields=["status", "consent_withdrawn_at", "erase_due_at", "updated_at"])
        audit.record(
            actor=actor,
            action="registry.consent_withdrawn",
            obj=resident,
            after={"erase_due_at": resident.erase_due_at.isoformat()},
        )
    return resident


ERASURE = system_job("registry.erasure", _lazy("到期删除个人信息"))


@write_service("registry.erase_withdrawn")
def erase_due_residents(*, actor: Any = ERASURE, now: Any = None) -> int:
    """Delete the personal information of residents whose withdrawal period has passed (background task)."""
    require(actor, "registry.erase_withdrawn")
    now = now or timezone.now()
    erased = 0
    due = Resident.objects.filter(status=ResidentStatus.WITHDRAWN, erase_due_at__lte=now)
    for resident in due.iterator():
        with transaction.atomic():
            resident.name, resident.pinyin_index = _("（已删除）"), ""
            resident.gender = "U"
            resident.id_type = IdType.NONE
            for k, v in {
                **encryption.birth_fields(None, None),
                **encryption.document_fields(""),
                **encryption.mobile_fields(""),
                **encryption.tag_fields([]),
                **encryption.notes_fields(""),
            }.items():
                setattr(resident, k, v)
            resident.status = ResidentStatus.ERASED
            resident.save()
            ResidentTag.objects.filter(resident=resident).delete()
            audit.record(actor=ERASURE, action="registry.resident_erased", obj=resident)
            erased += 1
    return erased


# --- ages: reveals of the birth date, audited -------------------------------------------------------------


@write_service("registry.reveal_identity")
def residents_in_age_band(*, actor: Any, queryset: QuerySet, band: str, filters: dict[str, str]) -> QuerySet:
    """Narrow a resident list to an age band (60岁及以上, 80岁及以上, 18岁以下) on today's date; audited.

    An age is a reveal of the birth date: requires registry.reveal_identity and keeps only the residents of the
    actor's reveal scope. Whole decades are selected in SQL; only the residents of the decades the band cuts
    through (and those whose decade is withheld) are decrypted and checked by date. The result is a queryset
    (other filters and pagination still apply). One audit record: the band, the names of the other filters used
    (not their values: a name search that isolates one person would turn the sealed record into a one-sided bound
    on that person's birth date, readable without any key) and the count.
    """
    require(actor, "registry.reveal_identity")
    try:
        births = birth_range(AgeBand(band), timezone.localdate())
    except ValueError:
        raise ValidationError({"age": _("未知的年龄段")}) from None
    queryset = queryset.filter(selectors.resident_scope_q(actor, roles=REVEAL_IDENTITY_ROLES))
    whole, partial = split_decades(births, timezone.localdate())
    to_check = queryset.filter(Q(birth_decade__in=partial) | Q(birth_decade__isnull=True)).exclude(
        birth_date_encrypted=""
    )
    exact = [pk for pk, birth in selectors.birth_dates(to_check).items() if birth in births]
    narrowed = queryset.filter(Q(birth_decade__in=whole) | Q(pk__in=exact))
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="registry.age_filter",
            object_type="registry.resident",
            object_label=_("居民名单"),
            after={"age_band": band, "filters": sorted(k for k, v in filters.items() if v), "count": narrowed.count()},
        )
    return narrowed


@dataclass(frozen=True)
class Birthday:
    """A resident's birthday in the month of a birthday list: the day (month, day) and the age they turn."""

    resident: Resident
    month: int
    day: int
    turning: int


@write_service("registry.reveal_identity")
def elderly_birthdays(*, actor: Any, month: int, min_age: int, purpose: str = "view") -> tuple[int, list[Birthday]]:
    """The residents of the actor's reveal scope turning `min_age` or more on a birthday in `month`; audited.

    The year is that of the month's next occurrence (domain.birthday_year). Birthdays and ages are a reveal:
    requires registry.reveal_identity. Decrypts the birth dates of the residents born early enough (whole
    decades in SQL). One audit record per call (`purpose`: "view" or "export") with the month, the age and the
    count, never a date. Each call counts toward the daily limit of birthday lists (DisclosureLimitReached).
    Returns (year, birthdays by day then name).
    """
    require(actor, "registry.reveal_identity")
    if month not in range(1, 13) or min_age not in BIRTHDAY_AGES or purpose not in ("view", "export"):
        raise ValidationError({"month": _("请选择月份和年龄")})
    disclosures.count_disclosure(actor=actor, kind=DisclosureKind.BIRTHDAY_LIST)
    year = birthday_year(month, timezone.localdate())
    latest = date(year - min_age, 12, 31)
    candidates = (
        selectors.residents_for(actor)
        .filter(selectors.resident_scope_q(actor, roles=REVEAL_IDENTITY_ROLES))
        .filter(Q(birth_decade__lte=latest.year) | Q(birth_decade__isnull=True))
        .exclude(birth_date_encrypted="")
    )
    births = {pk: b for pk, b in selectors.birth_dates(candidates).items() if b.month == month and b <= latest}
    residents = candidates.filter(pk__in=list(births)).select_related(
        "household", "dwelling", "dwelling__unit", "dwelling__building", "dwelling__building__compound"
    )
    found = sorted(
        (Birthday(r, month, births[r.pk].day, year - births[r.pk].year) for r in residents),
        key=lambda b: (b.day, b.resident.name, b.resident.pk),
    )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="registry.birthday_list_export" if purpose == "export" else "registry.birthday_list",
            object_type="registry.resident",
            object_label=_("老年人生日名单"),
            after={"year": year, "month": month, "min_age": min_age, "count": len(found)},
        )
    return year, found
