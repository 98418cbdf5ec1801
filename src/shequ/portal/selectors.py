"""Reads of the register for the resident portal: a resident sees only themselves and their own household.

Staff selectors (`registry.selectors`) are scoped to a staff actor's territory; a resident is not a staff
actor, so the portal reads residents here, always starting from the signed-in resident (or from the keyed
hash of the number that is signing in) and only ever in the ACTIVE state: a resident who moved out, died,
or withdrew consent cannot sign in, and loses a running portal session at the next request.
"""

from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from shequ.registry import encryption
from shequ.registry.domain import RELATION_LABELS, Relation, ResidentStatus
from shequ.registry.models import Resident

_HEAD_FIRST = Case(
    When(Q(relation=Relation.HEAD) | Q(household__head=F("pk")), then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


def active_residents_with_mobile(mobile: str) -> QuerySet[Resident]:
    """Active residents registered with this (normalised) mobile number, household heads first, then by name."""
    return (
        Resident.objects.filter(status=ResidentStatus.ACTIVE, mobile_hash__in=encryption.mobile_lookup_hashes(mobile))
        .annotate(head_first=_HEAD_FIRST)
        .order_by("head_first", "name", "id")
    )


def resident_for_mobile(mobile: str) -> Resident | None:
    """The resident a number signs in as.

    A number may be registered for several people (an elderly couple sharing one phone, a parent's number on
    a child's record). The portal then signs in the household head among them, else the first by name: one
    session is one person. Choosing among them on the phone is left for later.
    """
    return active_residents_with_mobile(mobile).first()


def active_resident(public_id: str) -> Resident | None:
    """The active resident with this public id, with what the portal home shows, or None."""
    return (
        Resident.objects.filter(public_id=public_id, status=ResidentStatus.ACTIVE)
        .select_related(
            "community",
            "household",
            "dwelling",
            "dwelling__unit",
            "dwelling__building",
            "dwelling__building__compound",
        )
        .first()
    )


@dataclass(frozen=True)
class Member:
    name: str
    relation: str
    is_self: bool


def household_members(resident: Resident) -> list[Member]:
    """Active members of the resident's household (names and relation only), the head first."""
    if resident.household_id is None:
        return [Member(resident.name, _relation_label(resident.relation), True)]
    rows = (
        Resident.objects.filter(household_id=resident.household_id, status=ResidentStatus.ACTIVE)
        .annotate(head_first=_HEAD_FIRST)
        .order_by("head_first", "name", "id")
        .values_list("pk", "name", "relation")
    )
    return [Member(name, _relation_label(relation), pk == resident.pk) for pk, name, relation in rows]


def _relation_label(code: str) -> str:
    try:
        return str(RELATION_LABELS[Relation(code)])
    except ValueError:  # no relation recorded
        return ""


def address_of(resident: Resident) -> str:
    """The resident's address as the register holds it: community, compound, building, unit, dwelling."""
    parts = [resident.community.name]
    dwelling = resident.dwelling
    if dwelling is not None:
        parts += [dwelling.building.compound.name, dwelling.building.name, dwelling.unit.name, dwelling.number]
    return " ".join(p for p in parts if p)
