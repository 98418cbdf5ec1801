"""Reads of deliberation, scoped to the actor (outside the scope answers NotFound, as missing does).

Staff see the bodies, proposals, meetings, groups and requests of the communities their community, street or
district roles cover; a resident sees the proposals of their own community.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Min, Q, QuerySet

from shequ.core.errors import NotFound
from shequ.core.lookup import get_by_public_id
from shequ.core.scoping import scope_of
from shequ.organisations.models import Unit
from shequ.registry import selectors as registry_selectors

from .domain import ADULT_AGE, BODY_KINDS, TERM_REMINDER_DAYS, Basis, Status, age_on, is_serving
from .models import (
    AgendaItem,
    BodyRules,
    Meeting,
    MeetingRequest,
    Membership,
    ProgressUpdate,
    Proposal,
    ProposalComment,
    RequestSupport,
    ResidentsGroup,
    ResidentsMeeting,
    Resolution,
)
from .permissions import VIEW_ROLES

# --- bodies ------------------------------------------------------------------------------------------------------


def bodies_for(actor: Any) -> QuerySet[Unit]:
    """Bodies (units of a body kind) whose community lies in the actor's scope."""
    return (
        Unit.objects.filter(kind__in=BODY_KINDS, is_active=True)
        .filter(scope_of(actor).q("area__path", roles=VIEW_ROLES))
        .select_related("area", "compound")
    )


def get_body_for(actor: Any, public_id: Any) -> Unit:
    return get_by_public_id(bodies_for(actor), public_id)


def bodies_with_term_ending(actor: Any, today: date) -> QuerySet[Unit]:
    """Bodies with a serving member whose term ends within the reminder period (任期即将届满)."""
    ending = Membership.objects.filter(
        left_on__isnull=True, term_end__gte=today, term_end__lte=today + timedelta(days=TERM_REMINDER_DAYS)
    )
    return bodies_for(actor).filter(pk__in=ending.values("body_id"))


def search_bodies(actor: Any, *, queue: str = "", today: date) -> QuerySet[Unit]:
    qs = bodies_with_term_ending(actor, today) if queue == "term_ending" else bodies_for(actor)
    return qs.order_by("area__name", "kind", "name")


def term_end_of(body: Unit, today: date) -> date | None:
    """The earliest term end among the body's serving members (None when no term end is set)."""
    value: date | None = serving_members(body, today).exclude(term_end__isnull=True).aggregate(m=Min("term_end"))["m"]
    return value


def rules_of(body: Unit) -> BodyRules:
    """The body's rules; the defaults (unsaved) when none were set."""
    return BodyRules.objects.filter(body=body).first() or BodyRules(body=body)


def members_of(body: Unit) -> QuerySet[Membership]:
    return Membership.objects.filter(body=body).select_related("resident").order_by("left_on", "role", "name", "id")


def serving_members(body: Unit, on: date) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(body=body, term_start__lte=on)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=on))
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .select_related("resident")
        .order_by("role", "name", "id")
    )


def serving_bodies_of_resident(resident: Any, on: date) -> list[Unit]:
    """The bodies of the resident's community they currently serve on (as a member)."""
    rows = Membership.objects.filter(resident=resident, body__area=resident.community).select_related("body")
    return [m.body for m in rows if is_serving(m.term_start, m.term_end, m.left_on, on)]


def bodies_of_community(community: Any) -> QuerySet[Unit]:
    return Unit.objects.filter(kind__in=BODY_KINDS, is_active=True, area=community).order_by("kind", "name")


# --- meetings ----------------------------------------------------------------------------------------------------


def meetings_for(actor: Any) -> QuerySet[Meeting]:
    return Meeting.objects.filter(body__in=bodies_for(actor)).select_related("body", "body__area")


def get_meeting_for(actor: Any, public_id: Any) -> Meeting:
    return get_by_public_id(meetings_for(actor), public_id)


def meetings_of(body: Unit) -> QuerySet[Meeting]:
    return Meeting.objects.filter(body=body).order_by("-held_at", "-id")


def agenda_of(meeting: Meeting) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(meeting=meeting).select_related("proposal").order_by("position", "id")


def resolutions_of(meeting: Meeting) -> QuerySet[Resolution]:
    return (
        Resolution.objects.filter(meeting=meeting)
        .select_related("agenda_item", "agenda_item__proposal")
        .prefetch_related("votes")
        .order_by("created_at", "id")
    )


def attendance_of(meeting: Meeting) -> dict[int, bool]:
    """Membership id -> present, for the members whose attendance was recorded."""
    return dict(meeting.attendance.values_list("membership_id", "present"))


# --- proposals ---------------------------------------------------------------------------------------------------


def proposals_for(actor: Any) -> QuerySet[Proposal]:
    """Proposals of the communities in the staff actor's scope, with their support counts."""
    return (
        Proposal.objects.filter(scope_of(actor).q("community__path", roles=VIEW_ROLES))
        .select_related("community", "body")
        .annotate(support_count=Count("supports", distinct=True))
    )


def search_proposals(actor: Any, *, text: str = "", status: str = "") -> QuerySet[Proposal]:
    qs = proposals_for(actor)
    if status:
        qs = qs.filter(status=status)
    text = (text or "").strip()
    if text:
        qs = qs.filter(Q(title__contains=text) | Q(description__contains=text))
    return qs.order_by("-submitted_at", "-id")


def get_proposal_for(actor: Any, public_id: Any) -> Proposal:
    return get_by_public_id(proposals_for(actor), public_id)


def proposals_of_community(resident: Any) -> QuerySet[Proposal]:
    """What a resident sees: the proposals of their own community (withdrawn ones only when they are the author)."""
    return (
        Proposal.objects.filter(community_id=resident.community_id)
        .exclude(Q(status=Status.WITHDRAWN) & ~Q(author_resident=resident))
        .annotate(support_count=Count("supports", distinct=True))
        .order_by("-submitted_at", "-id")
    )


def get_resident_proposal(resident: Any, public_id: Any) -> Proposal:
    return get_by_public_id(proposals_of_community(resident), public_id)


def proposal_of_case(case: Any) -> Proposal | None:
    return Proposal.objects.filter(case=case).first()


def supports_count(proposal: Proposal) -> int:
    return proposal.supports.count()


def has_supported(proposal: Proposal, resident: Any) -> bool:
    return proposal.supports.filter(resident=resident).exists()


def comments_of(proposal: Proposal, *, include_hidden: bool) -> QuerySet[ProposalComment]:
    qs = ProposalComment.objects.filter(proposal=proposal).select_related("author_resident", "author_user")
    return qs if include_hidden else qs.filter(hidden_at__isnull=True)


def get_comment(proposal: Proposal, public_id: Any) -> ProposalComment:
    return get_by_public_id(ProposalComment.objects.filter(proposal=proposal), public_id)


def progress_of(proposal: Proposal) -> QuerySet[ProgressUpdate]:
    return ProgressUpdate.objects.filter(proposal=proposal).prefetch_related("photos").order_by("happened_on", "id")


def agenda_items_of(proposal: Proposal) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(proposal=proposal).select_related("meeting", "resolution").order_by("id")


def open_meetings_for_proposal(actor: Any, proposal: Proposal, now: Any) -> QuerySet[Meeting]:
    """Meetings of the proposal's community still to come, where it may be put on the agenda."""
    return meetings_for(actor).filter(body__area=proposal.community, held_at__gte=now - timedelta(days=1))


def get_photo(proposal: Proposal, public_id: Any) -> Any:
    from .models import ProgressPhoto

    return get_by_public_id(ProgressPhoto.objects.filter(update__proposal=proposal), public_id)


# --- residents' groups and meetings --------------------------------------------------------------------------------


def groups_for(actor: Any) -> QuerySet[ResidentsGroup]:
    return (
        ResidentsGroup.objects.filter(scope_of(actor).q("community__path", roles=VIEW_ROLES))
        .select_related("community", "leader")
        .prefetch_related("buildings", "dwellings")
        .order_by("community__name", "name")
    )


def get_group_for(actor: Any, public_id: Any) -> ResidentsGroup:
    return get_by_public_id(groups_for(actor), public_id)


def requests_for(actor: Any) -> QuerySet[MeetingRequest]:
    return (
        MeetingRequest.objects.filter(scope_of(actor).q("community__path", roles=VIEW_ROLES))
        .select_related("community")
        .annotate(support_count=Count("supporters", distinct=True))
        .order_by("-created_at", "-id")
    )


def get_request_for(actor: Any, public_id: Any) -> MeetingRequest:
    return get_by_public_id(requests_for(actor), public_id)


def supporters_of(request: MeetingRequest) -> QuerySet[RequestSupport]:
    return RequestSupport.objects.filter(request=request).select_related("resident", "household", "group")


def supporter_count(request: MeetingRequest) -> int:
    """Supporters counted on the request's basis: residents, distinct households, or residents' groups."""
    rows = RequestSupport.objects.filter(request=request)
    if request.basis == Basis.HOUSEHOLDS:
        return rows.exclude(household__isnull=True).values("household_id").distinct().count()
    if request.basis == Basis.GROUPS:
        return rows.exclude(group__isnull=True).count()
    return rows.exclude(resident__isnull=True).count()


def residents_meetings_for(actor: Any) -> QuerySet[ResidentsMeeting]:
    return ResidentsMeeting.objects.filter(scope_of(actor).q("community__path", roles=VIEW_ROLES)).select_related(
        "community"
    )


@dataclass(frozen=True)
class Entitled:
    """Those entitled in a community, counted from the register (城市居民委员会组织法 §9–10)."""

    residents: int  # active residents aged 18+ (a resident whose birth date is unknown counts as an adult)
    households: int  # households with at least one active resident
    groups: int  # active residents' groups

    def of(self, basis: str) -> int:
        return {Basis.RESIDENTS: self.residents, Basis.HOUSEHOLDS: self.households, Basis.GROUPS: self.groups}[
            Basis(basis)
        ]


def entitled_in(actor: Any, community: Any, on: date) -> Entitled:
    """Count those entitled in `community` on `on`: decrypts birth dates to count adults, reveals none."""
    residents = registry_selectors.residents_for(actor).filter(community=community)
    births = registry_selectors.birth_dates(residents)
    minors = sum(1 for birth in births.values() if age_on(birth, on) < ADULT_AGE)
    households = (
        registry_selectors.households_for(actor)
        .filter(community=community, pk__in=residents.exclude(household__isnull=True).values("household_id"))
        .count()
    )
    groups = ResidentsGroup.objects.filter(community=community, is_active=True).count()
    return Entitled(residents=residents.count() - minors, households=households, groups=groups)


def get_resident_in(actor: Any, community: Any, public_id: Any) -> Any:
    """A resident of `community` in the actor's scope (NotFound otherwise)."""
    resident = registry_selectors.get_resident_for(actor, public_id)
    if resident.community_id != community.pk:
        raise NotFound()
    return resident


def managed_communities(actor: Any) -> list[Any]:
    """The communities the actor manages deliberation in (community staff roles)."""
    from shequ.territory import selectors as territory_selectors

    from .permissions import COMMUNITY_ROLES

    return list(
        territory_selectors.areas_for(actor)
        .filter(level="community")
        .filter(scope_of(actor).q("path", roles=COMMUNITY_ROLES))
        .order_by("name")
    )


def buildings_of_communities(actor: Any, communities: list[Any]) -> list[Any]:
    from shequ.territory import selectors as territory_selectors

    return list(
        territory_selectors.buildings_for(actor)
        .filter(compound__community__in=communities)
        .select_related("compound")
        .order_by("compound__name", "number")[:500]
    )
