"""Reads of the Party side, always scoped to the actor (see permissions.py for who reaches what).

Organisations are visible to whoever may `party.view` them; members, attendance and meeting records only within
the actor's reach (`permissions.reach_q`). Out of reach answers the same "not found" as missing.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from shequ.core.errors import NotFound
from shequ.core.lookup import get_by_public_id
from shequ.core.scoping import scope_of

from . import domain
from .domain import MeetingKind, MemberStatus, OrgLevel
from .models import Attendance, Decision, MemberTransfer, PartyMeeting, PartyMember, PartyOrg, Post
from .permissions import VIEW_ROLES, reach_q

ACTIVE_POSTS = Q(ended_on__isnull=True)


def _orgs() -> QuerySet[PartyOrg]:
    return PartyOrg.objects.select_related("unit", "unit__area", "unit__compound", "unit__building", "parent__unit")


def orgs_reached(actor: Any) -> QuerySet[PartyOrg]:
    """Organisations whose members the actor may see and manage."""
    return _orgs().filter(reach_q(actor))


def orgs_visible(actor: Any) -> QuerySet[PartyOrg]:
    """Organisations the actor may see (without members): reached, or placed in the actor's territorial scope."""
    return _orgs().filter(reach_q(actor) | scope_of(actor).q("unit__area__path", VIEW_ROLES))


def get_org_for(actor: Any, public_id: Any) -> PartyOrg:
    return get_by_public_id(orgs_visible(actor), public_id)


def get_reached_org_for(actor: Any, public_id: Any) -> PartyOrg:
    return get_by_public_id(orgs_reached(actor), public_id)


def subtree(org: PartyOrg) -> QuerySet[PartyOrg]:
    """The organisation and every organisation below it."""
    return _orgs().filter(tree_path__startswith=org.tree_path)


def members_of(org: PartyOrg, *, on: date | None = None) -> QuerySet[PartyMember]:
    """Members of the organisation, its groups included (a member of a group is a member of its branch).

    Without `on`: the members now on the roll. With `on`: those on its roll that day, from the transfer history
    (the organisation the member's latest transfer on or before that day brought them to; a transfer out brings
    them nowhere), so a member moved or transferred out since still counts where they were, and one not yet
    transferred in does not.
    """
    if on is None:
        rows = PartyMember.objects.filter(org__tree_path__startswith=org.tree_path, active=True)
        return rows.select_related("org__unit")
    latest = MemberTransfer.objects.filter(member=OuterRef("pk"), on__lte=on).order_by("-on", "-id")
    rows = PartyMember.objects.annotate(path_then=Subquery(latest.values("to_org__tree_path")[:1]))
    rows = rows.filter(path_then__startswith=org.tree_path, joined_on__lte=on)
    return rows.select_related("org__unit")


def meeting_roll(org: PartyOrg, kind: str, on: date) -> QuerySet[PartyMember]:
    """Who is expected at a meeting of `kind` on `on`: the members on the roll that day; at a committee meeting
    (支部委员会会议, 党委会议) only those of them who hold a committee post that day (a group leader is not one)."""
    rows = members_of(org, on=on)
    if kind != MeetingKind.COMMITTEE:
        return rows
    holders = (
        Post.objects.filter(org=org, term_starts_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .exclude(post=domain.Post.GROUP_LEADER)
        .values("member")
    )
    return rows.filter(pk__in=holders)


def members_for(actor: Any, *, org: PartyOrg | None = None, text: str = "", status: str = "") -> QuerySet[PartyMember]:
    """Members in the actor's reach (of `org` when given), searchable by exact full name."""
    rows = PartyMember.objects.filter(reach_q(actor, "org__")).select_related("org__unit")
    if org is not None:
        rows = rows.filter(org__tree_path__startswith=org.tree_path)
    if status == "left":
        rows = rows.filter(active=False)
    else:
        rows = rows.filter(active=True)
        if status:
            rows = rows.filter(status=status)
    if text:
        from shequ.core import crypto

        from .encryption import NAME_PURPOSE

        rows = rows.filter(name_hash__in=crypto.lookup_hashes(text, purpose=NAME_PURPOSE))
    return rows.order_by("org__tree_path", "name_masked", "id")


def get_member_for(actor: Any, public_id: Any) -> PartyMember:
    rows = PartyMember.objects.filter(reach_q(actor, "org__")).select_related("org__unit", "org__unit__area")
    return get_by_public_id(rows, public_id)


def transfers_of(member: PartyMember) -> QuerySet[MemberTransfer]:
    return member.transfers.select_related("from_org__unit", "to_org__unit", "recorded_by").order_by("on", "id")


def posts_of(org: PartyOrg, *, current: bool = True) -> QuerySet[Post]:
    rows = Post.objects.filter(org=org).select_related("member")
    return rows.filter(ACTIVE_POSTS) if current else rows


LEADERS_ONLY = frozenset({domain.Post.SECRETARY.value, domain.Post.DEPUTY_SECRETARY.value})


def committee_size(org: PartyOrg, *, adding: tuple[Any, str] | None = None) -> int:
    """Members holding a committee post now (with `adding`, a (member, post) about to be given).

    A group leader is not a committee member; a secretary and deputy secretary alone are not a committee (a branch
    under 7 full members has just them), so the size is 0 until some other committee post is held."""
    rows = list(posts_of(org).exclude(post=domain.Post.GROUP_LEADER).values_list("member_id", "post"))
    if adding is not None and adding[1] != domain.Post.GROUP_LEADER:
        rows.append((adding[0].pk, adding[1]))
    if all(post in LEADERS_ONLY for _member, post in rows):
        return 0
    return len({member for member, _post in rows})


def full_member_count(org: PartyOrg) -> int:
    return members_of(org).filter(status=MemberStatus.FULL).count()


@dataclass(frozen=True)
class Health:
    """What the rules say of an organisation now: refusals it should fix and advice."""

    full_members: int
    probationary: int
    committee: int
    errors: tuple[str, ...]
    warnings: tuple[str, ...]


def health_of(org: PartyOrg) -> Health:
    counts = dict(members_of(org).values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    full, probationary = counts.get(MemberStatus.FULL.value, 0), counts.get(MemberStatus.PROBATIONARY.value, 0)
    committee = committee_size(org)
    errors: list[str] = []
    warnings: list[str] = []
    if org.level == OrgLevel.BRANCH:
        for check in (domain.check_branch_size(full, org.joint), domain.check_committee_size(committee, full)):
            errors += check.errors
            warnings += check.warnings
    return Health(full, probationary, committee, tuple(errors), tuple(warnings))


def meeting_kinds_of(org: PartyOrg) -> list[MeetingKind]:
    """The 三会一课 an organisation holds: a branch its general meeting, Party lessons and themed Party days, and
    committee meetings when it has a committee; a group its group meetings; a general branch or committee its
    committee meetings and lessons."""
    if org.level == OrgLevel.GROUP:
        return [MeetingKind.GROUP]
    if org.level == OrgLevel.BRANCH:
        kinds = [MeetingKind.GENERAL, MeetingKind.LESSON, MeetingKind.THEMED_DAY]
        if domain.committee_required(full_member_count(org)) or committee_size(org) >= domain.COMMITTEE_USUAL_MIN:
            kinds.insert(1, MeetingKind.COMMITTEE)
        return kinds
    return [MeetingKind.COMMITTEE, MeetingKind.LESSON]


def schedule_of(org: PartyOrg, today: date) -> list[domain.MeetingDue]:
    """For each kind of meeting the organisation holds: whether it is due in the current period."""
    last = dict(
        PartyMeeting.objects.filter(org=org, held_on__lte=today)
        .values_list("kind")
        .annotate(last=Max("held_on"))
        .values_list("kind", "last")
    )
    return [domain.due_periods(kind, last.get(kind.value), today) for kind in meeting_kinds_of(org)]


def due_for(actor: Any, today: date) -> list[tuple[PartyOrg, domain.MeetingDue]]:
    """Meetings due this period in the organisations the actor reaches, most overdue first."""
    out = [(org, due) for org in orgs_reached(actor) for due in schedule_of(org, today) if due.due]
    return sorted(out, key=lambda pair: (-pair[1].missed_periods, pair[1].period_end, pair[0].tree_path))


def meetings_for(actor: Any, *, org: PartyOrg | None = None, kind: str = "") -> QuerySet[PartyMeeting]:
    rows = PartyMeeting.objects.filter(reach_q(actor, "org__")).select_related("org__unit")
    if org is not None:
        rows = rows.filter(org=org)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-held_on", "-id")


def get_meeting_for(actor: Any, public_id: Any) -> PartyMeeting:
    rows = PartyMeeting.objects.filter(reach_q(actor, "org__")).select_related("org__unit", "org__unit__area")
    return get_by_public_id(rows, public_id)


def attendance_of(meeting: PartyMeeting) -> QuerySet[Attendance]:
    """The meeting's roll as recorded: every member on it that day, present or absent, with their status then."""
    return meeting.attendance.select_related("member").order_by("member__name_masked", "member_id")


def decisions_of(meeting: PartyMeeting) -> QuerySet[Decision]:
    return meeting.decisions.order_by("id")


@dataclass(frozen=True)
class AreaCoverage:
    area: Any
    compounds: domain.Coverage
    micro_grids: domain.Coverage


def coverage_of(area: Any) -> AreaCoverage:
    """Share of the compounds of `area` with a Party organisation, of its micro-grids with a Party group."""
    from shequ.territory.selectors import compounds_under, micro_grids_under

    compounds = compounds_under(area)
    with_org = (
        PartyOrg.objects.filter(unit__compound__in=compounds, unit__is_active=True)
        .values("unit__compound")
        .distinct()
        .count()
    )
    grids = micro_grids_under(area)
    with_group = (
        PartyOrg.objects.filter(level=OrgLevel.GROUP, unit__area__in=grids, unit__is_active=True)
        .values("unit__area")
        .distinct()
        .count()
    )
    return AreaCoverage(area, domain.coverage(with_org, compounds.count()), domain.coverage(with_group, grids.count()))


def require_found(value: Any) -> Any:
    if value is None:
        raise NotFound()
    return value
