"""Reads of the register, scoped to the actor (outside the scope answers NotFound, as missing does)."""

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Min, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from shequ.core.errors import NotFound
from shequ.core.lookup import get_by_public_id
from shequ.core.permissions import can
from shequ.core.scoping import scope_of

from . import encryption
from .domain import CARE_TAG_BY_CODE, ExportStatus, ResidentStatus, decade_label
from .models import (
    FullExportRequest,
    Household,
    ImportBatch,
    ImportRow,
    Ownership,
    Residence,
    Resident,
    ResidentEvent,
)
from .permissions import APPROVE_EXPORT_ROLES, IMPORT_ROLES, VIEW_ROLES

LISTED_STATUSES = ("active",)
# What staff lists may show; withdrawn (hidden, awaiting deletion) and erased residents never appear in lists.
LISTABLE_STATUSES = ("active", "moved_out", "deceased")


def resident_scope_q(actor: Any, prefix: str = "", roles: frozenset[str] = VIEW_ROLES) -> Q:
    """Residents in scope: in a building of a scoped micro-grid, or (no building micro-grid) in a scoped community."""
    paths = scope_of(actor).paths(roles=roles)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= Q(**{f"{prefix}dwelling__building__micro_grid__path__startswith": p})
        q |= Q(**{f"{prefix}dwelling__building__micro_grid__isnull": True, f"{prefix}community__path__startswith": p})
    return q


def residents_for(actor: Any, *, statuses: tuple[str, ...] | None = LISTED_STATUSES) -> QuerySet[Resident]:
    qs = Resident.objects.filter(resident_scope_q(actor))
    if statuses is not None:
        qs = qs.filter(status__in=statuses)
    return qs


def get_resident_for(actor: Any, public_id: Any) -> Resident:
    qs = (
        residents_for(actor, statuses=None)
        .exclude(status="erased")
        .select_related(
            "community",
            "household",
            "dwelling",
            "dwelling__building",
            "dwelling__building__compound",
            "dwelling__building__micro_grid",
        )
    )
    return get_by_public_id(qs, public_id)


@dataclass(frozen=True)
class ResidentFilters:
    text: str = ""  # name or pinyin (initials or full)
    household: str = ""  # household number
    building: str = ""  # building public id
    area: str = ""  # area public id (community/grid/micro-grid)
    tag: str = ""  # care tag code
    residence_type: str = ""
    status: str = "active"
    age: str = ""  # domain.AgeBand: applied by services.residents_in_age_band (a reveal), not by search_residents


def search_residents(actor: Any, f: ResidentFilters) -> QuerySet[Resident]:
    """List residents in scope matching the filters (name, pinyin initials, household, building, area, tag)."""
    if f.status == "all":
        statuses: tuple[str, ...] = LISTABLE_STATUSES
    elif f.status in LISTABLE_STATUSES:
        statuses = (f.status,)
    elif f.status:
        return Resident.objects.none()
    else:
        statuses = LISTED_STATUSES
    qs = residents_for(actor, statuses=statuses)
    text = f.text.strip()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(pinyin_index__contains="|" + text.lower()))
    if f.household:
        qs = qs.filter(household__number=f.household.strip())
    if f.building:
        qs = qs.filter(dwelling__building__public_id=f.building)
    if f.area:
        from shequ.territory.selectors import areas_for

        area = areas_for(actor).filter(public_id=f.area).first()
        if area is None:
            return qs.none()
        qs = qs.filter(
            Q(dwelling__building__micro_grid__path__startswith=area.path)
            | Q(dwelling__building__micro_grid__isnull=True, community__path__startswith=area.path)
        )
    if f.tag:
        tag = CARE_TAG_BY_CODE.get(f.tag)
        if tag is None:
            return qs.none()
        qs = qs.filter(tag_hashes__tag_hash__in=encryption.tag_lookup_hashes(tag.code)).distinct()
    if f.residence_type:
        qs = qs.filter(residence_type=f.residence_type)
    return qs.select_related("household", "dwelling", "dwelling__building", "dwelling__building__compound")


def find_by_document(actor: Any, number: str) -> QuerySet[Resident]:
    """Exact search by document number through its keyed hash (the number itself is never stored)."""
    normalised = (number or "").strip().upper().replace(" ", "")
    if len(normalised) == 15 and normalised.isdigit():
        from shequ.core.validators import convert_15_to_18

        try:
            normalised = convert_15_to_18(normalised)
        except Exception:  # noqa: BLE001 - an unconvertible number simply finds nothing
            return Resident.objects.none()
    if not normalised:
        return Resident.objects.none()
    return residents_for(actor, statuses=LISTABLE_STATUSES).filter(
        id_number_hash__in=encryption.document_lookup_hashes(normalised)
    )


def find_by_mobile(actor: Any, number: str) -> QuerySet[Resident]:
    from shequ.core.validators import validate_mobile

    try:
        normalised = validate_mobile(number or "")
    except Exception:  # noqa: BLE001 - not a mobile number: nothing matches
        return Resident.objects.none()
    return residents_for(actor, statuses=LISTABLE_STATUSES).filter(
        mobile_hash__in=encryption.mobile_lookup_hashes(normalised)
    )


def households_for(actor: Any) -> QuerySet[Household]:
    """Households with at least one member in scope, or whose dwelling/community lies in scope."""
    from shequ.territory.selectors import building_scope_q

    visible_members = Resident.objects.filter(resident_scope_q(actor)).values("household_id")
    paths = scope_of(actor).paths(roles=VIEW_ROLES)
    q = Q(pk__in=visible_members)
    if paths:
        q |= Q(dwelling__isnull=False) & building_scope_q(actor, prefix="dwelling__building__", roles=VIEW_ROLES)
        for p in paths:
            q |= Q(dwelling__isnull=True, community__path__startswith=p)
    else:
        return Household.objects.none()
    return Household.objects.filter(q)


def get_household_for(actor: Any, public_id: Any) -> Household:
    return get_by_public_id(households_for(actor).select_related("community", "dwelling", "head"), public_id)


def members_of(actor: Any, household: Household) -> QuerySet[Resident]:
    """Members in scope: the head first, then the elder by birth decade (unknown last), then by name."""
    head_first = Case(When(relation="head", then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        residents_for(actor)
        .filter(household=household)
        .order_by(head_first, F("birth_decade").asc(nulls_last=True), "name")
    )


def occupants_of_building(actor: Any, building: Any) -> dict[int, list[Resident]]:
    """Residents in scope per dwelling of a building."""
    out: dict[int, list[Resident]] = {}
    for r in residents_for(actor).filter(dwelling__building=building).order_by("name"):
        out.setdefault(r.dwelling_id, []).append(r)
    return out


def residents_as_of(actor: Any, community: Any, on: date) -> QuerySet[Resident]:
    """Residents who lived in `community` (in scope) on date `on`, from the residence history."""
    stays = Residence.objects.filter(community__path__startswith=community.path, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )
    return (
        Resident.objects.filter(resident_scope_q(actor), pk__in=stays.values("resident_id"))
        .exclude(status="erased")
        .filter(Q(died_on__isnull=True) | Q(died_on__gt=on))
    )


def owners_as_of(dwelling_ids: list[int], on: date) -> QuerySet[Ownership]:
    """Ownership rows of record on date `on` (owners' votes need the owners on the vote's date)."""
    return (
        Ownership.objects.filter(dwelling_id__in=dwelling_ids, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .select_related("resident")
    )


def ownerships_of_dwelling(dwelling: Any) -> QuerySet[Ownership]:
    return Ownership.objects.filter(dwelling=dwelling).select_related("resident").order_by("-valid_from")


def display_tags(resident: Resident) -> list[str]:
    labels = [CARE_TAG_BY_CODE[c].label for c in resident.plain_tags.split(",") if c in CARE_TAG_BY_CODE]
    return labels


def display_decade(resident: Resident) -> str:
    """The birth decade as lists show it to every role ("1960年代"), "" when unknown or withheld."""
    return decade_label(resident.birth_decade)


def birth_dates(queryset: QuerySet[Resident]) -> dict[int, date]:
    """Resident id -> birth date, decrypted (for the audited age filters and birthday list only)."""
    out: dict[int, date] = {}
    for pk, ciphertext in queryset.exclude(birth_date_encrypted="").values_list("pk", "birth_date_encrypted"):
        birth = encryption.decrypt_birth_date(ciphertext)
        if birth is not None:
            out[pk] = birth
    return out


def earliest_facts(resident_ids: list[int]) -> dict[int, date]:
    """Resident id -> the earliest date in clear about them that cannot precede their birth.

    Registered on, moved in, moved out, died, consent dates, stays, dated changes and ownerships: each bounds
    the birth from above, which domain.clear_birth_decade takes into account.
    """
    out: dict[int, date] = {}

    def keep(pk: int, day: Any) -> None:
        if day is None:
            return
        if hasattr(day, "date"):
            day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
        if pk not in out or day < out[pk]:
            out[pk] = day

    columns = ("created_at", "moved_in_on", "moved_out_on", "died_on", "consent_at", "consent_withdrawn_at")
    for row in Resident.objects.filter(pk__in=resident_ids).values_list("pk", *columns):
        for day in row[1:]:
            keep(row[0], day)
    for model, column in ((Residence, "valid_from"), (ResidentEvent, "effective_date"), (Ownership, "valid_from")):
        earliest = model.objects.filter(resident_id__in=resident_ids).values("resident_id").annotate(d=Min(column))
        for item in earliest.order_by():
            keep(item["resident_id"], item["d"])
    return out


def import_batches_for(actor: Any, *, status: str = "") -> QuerySet[ImportBatch]:
    """Import batches of communities in the actor's import scope; with `status`, only those (e.g. "validated")."""
    paths = scope_of(actor).paths(roles=IMPORT_ROLES)
    if not paths:
        return ImportBatch.objects.none()
    q = Q()
    for p in paths:
        q |= Q(community__path__startswith=p)
    qs = ImportBatch.objects.filter(q).select_related("community", "uploaded_by")
    return qs.filter(status=status) if status else qs


IMPORT_WAITING = "validated"  # validated, waiting for the uploader's confirmation (待确认)


def get_import_batch_for(actor: Any, public_id: Any) -> ImportBatch:
    return get_by_public_id(import_batches_for(actor), public_id)


def import_rows(batch: ImportBatch, outcome: str = "") -> QuerySet[ImportRow]:
    qs = ImportRow.objects.filter(batch=batch)
    return qs.filter(outcome=outcome) if outcome else qs


def import_outcome_counts(batch: ImportBatch) -> dict[str, int]:
    return dict(ImportRow.objects.filter(batch=batch).values_list("outcome").annotate(n=Count("id")).order_by())


def residents_prefetch() -> Prefetch:
    return Prefetch("members", queryset=Resident.objects.order_by("relation"))


def demo_portal_resident() -> Resident | None:
    """A household head with a mobile in the first demo community (for the portal's demo sign-in)."""
    return (
        Resident.objects.filter(status="active", relation="head", community__code="510107001002")
        .exclude(mobile_encrypted="")
        .order_by("id")
        .first()
    )


def dwelling_location(dwelling: Any) -> Any:
    """The area a dwelling's residents fall under for permissions: its building's micro-grid, else the community."""
    building = dwelling.building
    return building.micro_grid if building.micro_grid_id else building.compound.community


# --- full-export requests (registry.disclosures) -------------------------------------------------------------


def export_requests_of(actor: Any) -> QuerySet[FullExportRequest]:
    """The actor's own full-export requests, newest first."""
    if not getattr(actor, "is_authenticated", False):
        return FullExportRequest.objects.none()
    return FullExportRequest.objects.filter(requester=actor).select_related("approver").order_by("-created_at", "-id")


def export_requests_to_decide(actor: Any) -> list[FullExportRequest]:
    """Waiting requests of other people that the actor may approve (registry.approve_export), oldest first."""
    paths = scope_of(actor).paths(roles=APPROVE_EXPORT_ROLES)
    if not paths:
        return []
    waiting = (
        FullExportRequest.objects.filter(status=ExportStatus.REQUESTED)
        .exclude(requester=actor)
        .select_related("requester")
        .order_by("created_at", "id")
    )
    return [r for r in waiting[:500] if can(actor, "registry.approve_export", r)]


def get_export_request_for(actor: Any, public_id: Any) -> FullExportRequest:
    """A request its requester or a possible approver may see; NotFound otherwise (as for a missing one)."""
    req = get_by_public_id(FullExportRequest.objects.select_related("requester", "approver"), public_id)
    if req.requester_id == getattr(actor, "pk", None) or can(actor, "registry.approve_export", req):
        return req
    raise NotFound()


def listed_residents(actor: Any, f: ResidentFilters) -> QuerySet:
    """Residents for lists and exports: scoped, filtered, and never those whose consent was withdrawn.

    An age filter is a reveal: the service refuses it (PermissionDenied) to a role that may not reveal
    identity, and audits its use.
    """
    from . import services  # the age filter is a reveal, audited by the service (services reads through here)

    qs = search_residents(actor, f).exclude(status=ResidentStatus.WITHDRAWN)
    if f.age:
        others = {k.name: getattr(f, k.name) for k in fields(f) if k.name != "age" and getattr(f, k.name)}
        if others.get("status") == ResidentStatus.ACTIVE.value:
            del others["status"]
        qs = services.residents_in_age_band(actor=actor, queryset=qs, band=f.age, filters=others)
    return qs.order_by("name", "id")


def exact_matches(actor: Any, number: str) -> list:
    """Residents in scope whose ID number or mobile is exactly `number` (keyed-hash lookup)."""
    found: dict[int, Any] = {}
    for qs in (find_by_document(actor, number), find_by_mobile(actor, number)):
        for r in qs.exclude(status=ResidentStatus.WITHDRAWN).select_related(
            "household", "dwelling", "dwelling__building", "dwelling__building__compound"
        ):
            found.setdefault(r.pk, r)
    return sorted(found.values(), key=lambda r: (r.name, r.pk))
