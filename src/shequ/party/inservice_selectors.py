"""Reads of in-service members reporting to their residence community (在职党员双报到), scoped to the actor.

Staff see the registrations, needs, claims and services of the communities they reach
(`permissions.service_community_ids`); a resident sees the open needs of the community they live in and only
their own registration, claims and services. Out of reach answers the same "not found" as missing.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from shequ.core.lookup import get_by_public_id

from . import domain
from .domain import EntryStatus, NeedStatus, RegistrationStatus
from .models import InServiceMember, NeedClaim, PartyOrg, ServiceEntry, ServiceNeed
from .permissions import service_community_ids


def communities_for(actor: Any) -> Any:
    """The communities whose 双报到 the actor manages, by name."""
    from shequ.territory.models import Area

    return Area.objects.filter(pk__in=service_community_ids(actor)).order_by("path")


def community_org_name(community: Any) -> str:
    """The name of the community's Party organisation (the top one placed in it); the community's name with
    "党组织" when none is recorded."""
    top = (
        PartyOrg.objects.filter(unit__area=community)
        .filter(Q(parent__isnull=True) | ~Q(parent__unit__area=F("unit__area")))
        .select_related("unit")
        .order_by("tree_path")
        .first()
    )
    return top.unit.name if top is not None else f"{community.name}党组织"


# --- registrations ----------------------------------------------------------------------------------------------


def _registrations() -> QuerySet[InServiceMember]:
    return InServiceMember.objects.select_related("community", "own_org__unit")


def registrations_for(
    actor: Any, *, community: Any = None, text: str = "", status: str = RegistrationStatus.ACTIVE.value
) -> QuerySet[InServiceMember]:
    """Registrations in the communities the actor reaches; `text` matches an exact full name or the employer."""
    rows = _registrations().filter(community_id__in=service_community_ids(actor))
    if community is not None:
        rows = rows.filter(community=community)
    if status:
        rows = rows.filter(status=status)
    if text:
        from shequ.core import crypto

        from .encryption import NAME_PURPOSE

        hashes = crypto.lookup_hashes(text, purpose=NAME_PURPOSE)
        rows = rows.filter(Q(name_hash__in=hashes) | Q(employer__icontains=text))
    return rows.order_by("community__path", "-registered_on", "id")


def get_registration_for(actor: Any, public_id: Any) -> InServiceMember:
    return get_by_public_id(_registrations().filter(community_id__in=service_community_ids(actor)), public_id)


def registration_of(resident: Any) -> InServiceMember | None:
    """The resident's active registration with the community they live in, if any."""
    return (
        _registrations()
        .filter(resident=resident, community_id=resident.community_id, status=RegistrationStatus.ACTIVE)
        .first()
    )


def preferred_kinds(member: InServiceMember) -> list[str]:
    return [k for k in member.preferred_kinds.split(",") if k]


# --- needs ------------------------------------------------------------------------------------------------------


def _needs() -> QuerySet[ServiceNeed]:
    holding = Count("claims", filter=Q(claims__status__in=domain.HOLDING_CLAIMS))
    return ServiceNeed.objects.select_related("community").annotate(holding=holding)


def needs_for(actor: Any, *, community: Any = None, status: str = "", kind: str = "") -> QuerySet[ServiceNeed]:
    rows = _needs().filter(community_id__in=service_community_ids(actor))
    if community is not None:
        rows = rows.filter(community=community)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("status", "-open_from", "-id")


def get_need_for(actor: Any, public_id: Any) -> ServiceNeed:
    return get_by_public_id(_needs().filter(community_id__in=service_community_ids(actor)), public_id)


def open_needs_of(resident: Any, today: date) -> QuerySet[ServiceNeed]:
    """Needs of the resident's community taking claims today."""
    rows = _needs().filter(community_id=resident.community_id, status=NeedStatus.OPEN, open_from__lte=today)
    return rows.filter(Q(open_until__isnull=True) | Q(open_until__gte=today)).order_by("open_until", "-id")


def get_resident_need(resident: Any, public_id: Any) -> ServiceNeed:
    """A need of the resident's community (open or not)."""
    return get_by_public_id(_needs().filter(community_id=resident.community_id), public_id)


def places_left(need: ServiceNeed) -> int:
    holding = getattr(need, "holding", None)
    if holding is None:
        holding = need.claims.filter(status__in=domain.HOLDING_CLAIMS).count()
    return domain.places_left(need.wanted, holding)


# --- claims and entries -------------------------------------------------------------------------------------


def claims_of_need(need: ServiceNeed) -> QuerySet[NeedClaim]:
    return need.claims.select_related("member").order_by("claimed_at", "id")


def claims_of(member: InServiceMember) -> QuerySet[NeedClaim]:
    return member.claims.select_related("need").order_by("-claimed_at", "-id")


def get_claim_of(member: InServiceMember, public_id: Any) -> NeedClaim:
    return get_by_public_id(claims_of(member), public_id)


def claims_for(actor: Any) -> QuerySet[NeedClaim]:
    rows = NeedClaim.objects.filter(member__community_id__in=service_community_ids(actor))
    return rows.select_related("need", "member")


def get_claim_for(actor: Any, public_id: Any) -> NeedClaim:
    return get_by_public_id(claims_for(actor), public_id)


def entries_of(member: InServiceMember) -> QuerySet[ServiceEntry]:
    return member.entries.select_related("claim__need").order_by("-served_on", "-id")


def entries_for(actor: Any, *, status: str = "") -> QuerySet[ServiceEntry]:
    rows = ServiceEntry.objects.filter(member__community_id__in=service_community_ids(actor))
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("member", "member__community", "claim__need").order_by("-served_on", "-id")


def get_entry_for(actor: Any, public_id: Any) -> ServiceEntry:
    return get_by_public_id(entries_for(actor), public_id)


def pending_count(actor: Any) -> int:
    return entries_for(actor, status=EntryStatus.PENDING).count()


def quarter_entries(member: InServiceMember, year: int, quarter: int) -> QuerySet[ServiceEntry]:
    """The member's confirmed services of a quarter, oldest first (what goes on the record for the employer)."""
    first, last = domain.quarter_range(year, quarter)
    rows = member.entries.filter(status=EntryStatus.CONFIRMED, served_on__gte=first, served_on__lte=last)
    return rows.select_related("claim__need").order_by("served_on", "id")


def total_hours(entries: QuerySet[ServiceEntry]) -> Decimal:
    """Sum of the hours of `entries`, exact."""
    return entries.aggregate(total=Sum("hours"))["total"] or Decimal(0)


def quarters_of(member: InServiceMember) -> list[tuple[int, int]]:
    """The quarters (newest first) in which the member has services recorded, confirmed or not."""
    days = member.entries.values_list("served_on", flat=True)
    return sorted({domain.quarter_of(d) for d in days}, reverse=True)


def residents_for_registration(actor: Any) -> QuerySet:
    """Residents on the register of the communities the actor manages 双报到 for (whom staff may register on their
    behalf)."""
    from shequ.registry.models import Resident

    return Resident.objects.filter(community_id__in=service_community_ids(actor), status="active")
