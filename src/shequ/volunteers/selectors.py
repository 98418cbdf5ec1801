"""Reads of volunteer service, always scoped to the actor (see permissions.py for who may see what).

Staff: the registry of the communities in their territorial scope (`volunteers.view`); activities of the units
they hold or of the communities they keep or see, with their sign-ups; corrections they may answer. A resident:
their own volunteer record and the activities of their community. Outside the scope answers the same "not found"
as missing.
"""

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from shequ.core.lookup import get_by_public_id
from shequ.core.scoping import scope_of
from shequ.organisations.models import Unit
from shequ.registry import encryption as registry_encryption

from . import domain, encryption
from .domain import ActivityStatus, CorrectionStatus
from .models import Activity, Correction, Entry, GuardianConsent, Proof, ServiceRecord, Signup, Volunteer
from .permissions import KEEPER_ROLES, VIEW_ROLES, organiser_unit_ids

# --- staff ---------------------------------------------------------------------------------------------------


def volunteers_for(
    actor: Any, *, text: str = "", community: Any = None, active: bool = True, roles: frozenset[str] = VIEW_ROLES
) -> QuerySet[Volunteer]:
    """Volunteers of the communities in the actor's scope (through `roles`), searchable by exact full name."""
    rows = Volunteer.objects.filter(scope_of(actor).q("community__path", roles), active=active)
    if community is not None:
        rows = rows.filter(community=community)
    if text:
        rows = rows.filter(name_hash__in=encryption.name_lookup_hashes(text.strip()))
    rows = rows.select_related("community").annotate(
        confirmed_hours=Sum("records__hours"), services=Count("records", distinct=True)
    )
    return rows.order_by("community__path", "name_masked", "id")


def get_volunteer_for(actor: Any, public_id: Any) -> Volunteer:
    rows = Volunteer.objects.filter(scope_of(actor).q("community__path", VIEW_ROLES)).select_related("community")
    return get_by_public_id(rows, public_id)


def _activity_q(actor: Any) -> Q:
    scope = scope_of(actor)
    return Q(organiser_id__in=organiser_unit_ids(actor)) | scope.q("community__path", VIEW_ROLES)


def activities_for(actor: Any, *, status: str = "") -> QuerySet[Activity]:
    """Activities of the units the actor holds and of the communities in their scope, newest first."""
    rows = Activity.objects.filter(_activity_q(actor)).select_related("organiser", "community")
    if status:
        rows = rows.filter(status=status)
    held = [s.value for s in domain.HOLDS_SLOT]
    return rows.annotate(taken=Count("signups", filter=Q(signups__status__in=held))).order_by("-starts_at", "-id")


def get_activity_for(actor: Any, public_id: Any) -> Activity:
    rows = Activity.objects.filter(_activity_q(actor)).select_related("organiser", "community", "organiser__area")
    return get_by_public_id(rows, public_id)


def organiser_units_for(actor: Any) -> QuerySet[Unit]:
    """Units the actor may publish activities for: those they hold, and the units placed in the communities they
    keep (the residents' committee, social organisations, Party branches …)."""
    q = Q(pk__in=organiser_unit_ids(actor)) | scope_of(actor).q("area__path", KEEPER_ROLES)
    return Unit.objects.filter(q, is_active=True).select_related("area").order_by("area__path", "kind", "name")


def community_of_area(area: Any) -> Any:
    """The community an area lies in (itself when it is one); None above the community level."""
    node = area
    while node is not None and node.level != "community":
        node = node.parent
    return node


def signups_of(activity: Activity) -> QuerySet[Signup]:
    return activity.signups.select_related("volunteer", "record").order_by("signed_up_at", "id")


def taken_slots(activity: Activity) -> int:
    return activity.signups.filter(status__in=[s.value for s in domain.HOLDS_SLOT]).count()


def get_signup_for(actor: Any, public_id: Any) -> Signup:
    rows = Signup.objects.filter(activity__in=Activity.objects.filter(_activity_q(actor)))
    return get_by_public_id(rows.select_related("activity__organiser", "activity__community", "volunteer"), public_id)


def records_of(volunteer: Volunteer) -> QuerySet[ServiceRecord]:
    return volunteer.records.select_related("organiser", "activity").order_by("-served_on", "-id")


def entries_of(volunteer: Volunteer) -> QuerySet[Entry]:
    return volunteer.entries.order_by("-on", "-id")


def consent_of(volunteer: Volunteer) -> GuardianConsent | None:
    return GuardianConsent.objects.filter(volunteer=volunteer).first()


def proofs_of(volunteer: Volunteer) -> QuerySet[Proof]:
    return volunteer.proofs.order_by("-issued_at", "-id")


def totals_of(volunteer: Volunteer) -> domain.ServiceTotals:
    return domain.service_totals(volunteer.records.values_list("hours", flat=True))


def is_minor_now(volunteer: Volunteer, on: Any) -> bool | None:
    birth = encryption.birth_date_of(volunteer)
    return None if birth is None else domain.is_minor(birth, on)


def _correction_q(actor: Any) -> Q:
    """Corrections the actor may answer: of records of the units they hold, or of activities (or, without one,
    volunteers) of the communities they keep."""
    scope = scope_of(actor)
    return (
        Q(record__organiser_id__in=organiser_unit_ids(actor))
        | scope.q("record__activity__community__path", KEEPER_ROLES)
        | (Q(record__activity__isnull=True) & scope.q("volunteer__community__path", KEEPER_ROLES))
    )


def corrections_for(actor: Any, *, status: str = "") -> QuerySet[Correction]:
    rows = Correction.objects.filter(_correction_q(actor))
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("record__organiser", "record__activity", "volunteer").order_by("asked_at", "id")


def pending_corrections_count(actor: Any) -> int:
    return Correction.objects.filter(_correction_q(actor), status=CorrectionStatus.PENDING).count()


def get_correction_for(actor: Any, public_id: Any) -> Correction:
    rows = Correction.objects.filter(_correction_q(actor))
    return get_by_public_id(
        rows.select_related("record__organiser", "record__activity__community", "volunteer"), public_id
    )


def get_proof_for(actor: Any, public_id: Any) -> Proof:
    rows = Proof.objects.filter(scope_of(actor).q("volunteer__community__path", VIEW_ROLES))
    return get_by_public_id(rows.select_related("volunteer"), public_id)


# --- a resident (the portal) ---------------------------------------------------------------------------------


def resident_birth_date(resident: Any) -> Any:
    """The birth date the register holds for `resident` (None when it holds none)."""
    return registry_encryption.decrypt_birth_date(resident.birth_date_encrypted)


def volunteer_of_resident(resident: Any) -> Volunteer | None:
    """The resident's own volunteer record (None when they have not registered)."""
    return Volunteer.objects.filter(resident=resident, active=True).select_related("community").first()


def open_activities_for_resident(resident: Any, now: Any) -> QuerySet[Activity]:
    """Activities of the resident's community open for sign-up and not yet ended, soonest first."""
    held = [s.value for s in domain.HOLDS_SLOT]
    rows = Activity.objects.filter(community_id=resident.community_id, status=ActivityStatus.OPEN, ends_at__gt=now)
    rows = rows.select_related("organiser").annotate(taken=Count("signups", filter=Q(signups__status__in=held)))
    return rows.order_by("starts_at", "id")


def get_resident_activity(resident: Any, public_id: Any) -> Activity:
    rows = Activity.objects.filter(community_id=resident.community_id).select_related("organiser", "community")
    return get_by_public_id(rows, public_id)


def signups_of_volunteer(volunteer: Volunteer) -> QuerySet[Signup]:
    return volunteer.signups.select_related("activity__organiser").order_by("-activity__starts_at", "-id")


def signup_of(volunteer: Volunteer | None, activity: Activity) -> Signup | None:
    if volunteer is None:
        return None
    return Signup.objects.filter(volunteer=volunteer, activity=activity).first()


def get_own_signup(volunteer: Volunteer, public_id: Any) -> Signup:
    return get_by_public_id(volunteer.signups.select_related("activity"), public_id)


def get_own_record(volunteer: Volunteer, public_id: Any) -> ServiceRecord:
    return get_by_public_id(volunteer.records.select_related("organiser", "activity"), public_id)


def get_own_proof(volunteer: Volunteer, public_id: Any) -> Proof:
    return get_by_public_id(volunteer.proofs.all(), public_id)


def corrections_of_volunteer(volunteer: Volunteer) -> QuerySet[Correction]:
    return volunteer.corrections.select_related("record").order_by("-asked_at", "-id")
