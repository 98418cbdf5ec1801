"""Reads of "one core, many actors" and joint meetings, scoped to the actor (see permissions.py for who sees what).

A community, role, meeting or follow-up the actor may not see answers the same "not found" as a missing one.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from shequ.core.errors import NotFound
from shequ.core.lookup import get_by_public_id
from shequ.core.permissions import can
from shequ.core.scoping import scope_of
from shequ.organisations.models import PARTY_KINDS, Unit
from shequ.party import selectors as party_selectors
from shequ.party.domain import Post
from shequ.party.permissions import organiser_paths
from shequ.territory.models import Area

from . import domain
from .models import ActorRole, FollowUp, JointMeeting
from .permissions import MANAGE_ROLES, UNIT_ROLES, VIEW_ROLES

LEVEL_RANK = {"committee": 0, "general_branch": 1, "branch": 2, "group": 3}


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


# --- the centre and who reaches which community ------------------------------------------------------------------


def centre_of(community: Any) -> Any:
    """The community's Party organisation (a `party.PartyOrg`), or None: the top Party organisation placed at the
    community itself (not in one of its compounds)."""
    units = Unit.objects.filter(
        kind__in=PARTY_KINDS,
        area=community,
        compound__isnull=True,
        building__isnull=True,
        is_active=True,
        party_org__isnull=False,
    ).select_related("party_org", "area")
    orgs = [u.party_org for u in units]
    return min(orgs, key=lambda o: (o.tree_path.count("/"), LEVEL_RANK.get(o.level, 9), o.pk), default=None)


def organiser_community_ids(actor: Any) -> set[int]:
    """Communities whose Party organisation a Party organiser of the actor's reaches."""
    paths = organiser_paths(actor)
    if not paths:
        return set()
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(tree_path__startswith=p)
    reached = party_selectors.orgs_reached(actor).filter(q).filter(unit__area__level="community")
    out = set()
    for area_id in set(reached.values_list("unit__area_id", flat=True)):
        centre = centre_of(Area(pk=area_id))
        if centre is not None and any(centre.tree_path.startswith(p) for p in paths):
            out.add(area_id)
    return out


def present_community_ids(actor: Any) -> set[int]:
    """Communities where a unit the actor works for (org_staff, department_officer) is present: placed in the
    community or one of its compounds, or with a role written there."""
    unit_ids = scope_of(actor).unit_ids(UNIT_ROLES)
    if not unit_ids:
        return set()
    out = set(ActorRole.objects.filter(unit_id__in=unit_ids).values_list("community_id", flat=True))
    for u in Unit.objects.filter(pk__in=unit_ids, is_active=True).select_related("area", "compound"):
        if u.compound_id:
            out.add(u.compound.community_id)
        else:
            out |= set(
                Area.objects.filter(level="community", path__in=_prefixes(u.area.path)).values_list("pk", flat=True)
            )
    return out


def _community_q(actor: Any, lookup: str) -> Q:
    """Rows whose community (at `lookup`, e.g. "community" or "meeting__community") the actor may see."""
    q = scope_of(actor).q(f"{lookup}__path", VIEW_ROLES)
    extra = organiser_community_ids(actor) | present_community_ids(actor)
    return q | Q(**{f"{lookup}_id__in": extra}) if extra else q


def communities_for(actor: Any, *, text: str = "") -> QuerySet[Area]:
    """Communities whose page the actor may see, searchable by name."""
    rows = Area.objects.filter(level="community")
    q = scope_of(actor).q("path", VIEW_ROLES)
    extra = organiser_community_ids(actor) | present_community_ids(actor)
    rows = rows.filter(q | Q(pk__in=extra)) if extra else rows.filter(q)
    if text:
        rows = rows.filter(name__icontains=text)
    return rows.order_by("path")


def get_community_for(actor: Any, public_id: Any) -> Area:
    return get_by_public_id(communities_for(actor), public_id)


def managed_community_ids(actor: Any) -> set[int]:
    paths = scope_of(actor).paths(MANAGE_ROLES)
    ids = set(organiser_community_ids(actor))
    if paths:
        q = Q()
        for p in paths:
            q |= Q(path__startswith=p)
        ids |= set(Area.objects.filter(q, level="community").values_list("pk", flat=True))
    return ids


# --- the actors of a community ------------------------------------------------------------------------------------


def placed_units(community: Any) -> QuerySet[Unit]:
    """Active units placed in the community: at it or below it in the territory, or in one of its compounds."""
    q = Q(area__path__startswith=community.path) | Q(compound__community=community)
    return Unit.objects.filter(q, is_active=True).select_related("area", "compound", "building").distinct()


def eligible_units(community: Any) -> QuerySet[Unit]:
    """Units that may have a role in, or take part in a joint meeting of, the community: those placed in it and
    those placed above it (a street or district department, a unit serving the street) but not in a compound."""
    above = Q(area__path__in=_prefixes(community.path)[:-1], compound__isnull=True)
    q = Q(area__path__startswith=community.path) | Q(compound__community=community) | above
    return Unit.objects.filter(q, is_active=True).select_related("area", "compound", "building").distinct()


def get_eligible_unit(community: Any, public_id: Any) -> Unit:
    return get_by_public_id(eligible_units(community), public_id)


@dataclass
class ActorRow:
    unit: Any
    role: Any  # ActorRole or None (nothing written yet)
    present_only: bool  # placed elsewhere, present through its role


@dataclass
class RingGroup:
    key: str
    label: Any
    rows: list[ActorRow] = field(default_factory=list)


@dataclass
class Centre:
    org: Any  # party.PartyOrg or None
    secretary: str  # masked name of the secretary when the actor may see posts, else ""
    role: Any  # the centre unit's ActorRole or None


def centre_for(actor: Any, community: Any) -> Centre:
    org = centre_of(community)
    if org is None:
        return Centre(None, "", None)
    secretary = ""
    if can(actor, "party.view", org):
        post = party_selectors.posts_of(org).filter(post=Post.SECRETARY).first()
        secretary = post.member.name_masked if post is not None else ""
    role = ActorRole.objects.filter(community=community, unit=org.unit).first()
    return Centre(org, secretary, role)


def ring_of(community: Any, *, text: str = "") -> list[RingGroup]:
    """Every unit placed in the community (the centre apart) and every unit with a role there, grouped by kind in
    the domain's order; each with its role (or None). `text` filters by unit name."""
    centre = centre_of(community)
    roles = {r.unit_id: r for r in ActorRole.objects.filter(community=community).select_related("unit__area")}
    placed = list(placed_units(community))
    placed_ids = {u.pk for u in placed}
    units = placed + [r.unit for r in roles.values() if r.unit_id not in placed_ids]
    groups = {key: RingGroup(key, label) for key, label, _kinds in domain.RING_GROUPS}
    for u in sorted(units, key=lambda u: (u.name, u.pk)):
        if centre is not None and u.pk == centre.unit_id:
            continue
        if text and text not in u.name:
            continue
        groups[domain.group_of(u.kind)].rows.append(ActorRow(u, roles.get(u.pk), u.pk not in placed_ids))
    return [g for g in groups.values() if g.rows]


def roles_for(actor: Any, *, community: Any = None, kind: str = "") -> QuerySet[ActorRole]:
    rows = ActorRole.objects.filter(_community_q(actor, "community")).select_related(
        "community", "unit", "unit__area", "updated_by"
    )
    if community is not None:
        rows = rows.filter(community=community)
    if kind:
        rows = rows.filter(unit__kind=kind)
    return rows.order_by("community__path", "unit__kind", "unit__name", "id")


def get_role_for(actor: Any, public_id: Any) -> ActorRole:
    return get_by_public_id(roles_for(actor), public_id)


def role_of(community: Any, unit: Any) -> ActorRole | None:
    return ActorRole.objects.filter(community=community, unit=unit).first()


# --- joint meetings and follow-ups -------------------------------------------------------------------------------


def meetings_for(actor: Any, *, community: Any = None, text: str = "") -> QuerySet[JointMeeting]:
    rows = JointMeeting.objects.filter(_community_q(actor, "community")).select_related("community", "convened_by")
    if community is not None:
        rows = rows.filter(community=community)
    if text:
        rows = rows.filter(Q(topic__icontains=text) | Q(minutes__icontains=text))
    rows = rows.annotate(
        n_follow_ups=Count("follow_ups", distinct=True),
        n_open=Count("follow_ups", filter=Q(follow_ups__status=domain.Status.OPEN), distinct=True),
    )
    return rows.order_by("-held_on", "-id")


def get_meeting_for(actor: Any, public_id: Any) -> JointMeeting:
    return get_by_public_id(meetings_for(actor), public_id)


def participants_of(meeting: JointMeeting) -> QuerySet[Unit]:
    return meeting.participants.select_related("area").order_by("kind", "name")


def follow_ups_of(meeting: JointMeeting) -> QuerySet[FollowUp]:
    return meeting.follow_ups.select_related("lead_unit", "case", "proposal").order_by("id")


def follow_ups_for(actor: Any) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(_community_q(actor, "meeting__community")).select_related(
        "meeting", "meeting__community", "lead_unit", "case", "proposal"
    )


def get_follow_up_for(actor: Any, public_id: Any) -> FollowUp:
    return get_by_public_id(follow_ups_for(actor), public_id)


def overdue_for(actor: Any, today: date) -> QuerySet[FollowUp]:
    """Open follow-ups past their due date in the communities the actor manages, most overdue first."""
    ids = managed_community_ids(actor)
    rows = follow_ups_for(actor).filter(meeting__community_id__in=ids, status=domain.Status.OPEN, due_on__lt=today)
    return rows.order_by("due_on", "id")


def require_found(value: Any) -> Any:
    if value is None:
        raise NotFound()
    return value


def follow_up_of_case(actor: Any, case: Any) -> FollowUp | None:
    """The joint-meeting follow-up a case was filed from, when the actor may read the meeting; else None."""
    community = getattr(case, "community", None)
    if community is None or not can(actor, "coordination.view", community):
        return None
    return follow_ups_for(actor).filter(case=case).first()
