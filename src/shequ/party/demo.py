"""The demo's Party building (党建): the district's Party tree and a year of 三会一课.

What it makes:

- the district committee (武侯区委) at the top and a working committee (党工委) for each street under it;
- in each community a community Party committee (社区党委) with 2–4 branches: compound branches placed at a compound
  (70% of the first community's compounds, rounded, at least one; about a third elsewhere), residents' branches, and
  one joint branch
  (联合党支部) of the community's small units; Party groups at some micro-grids (half of the first community's, about
  a quarter elsewhere), under the branch of the compound most of the micro-grid's buildings belong to;
- members with fictitious names drawn with the demo's seed from fixed lists, mostly full members who joined over the
  decades, some probationary; about a fifth of them are registered adult residents of their community (linked, under
  the resident's name); a few transfers in and out, and probationary members made full during the year after their
  general meeting decided it;
- posts: a secretary in every branch, a committee (secretary, organisation and publicity members, a discipline member
  from 12 full members) where a branch has 7 or more full members, five members of each community committee, a leader
  of each group;
- twelve months of 三会一课 up to today: general meetings and Party lessons each quarter, themed Party days, committee
  and group meetings each month, with attendance and a few decisions. One general meeting of the first community fell
  short of its quorum and is kept as not valid. About half of the current period's meetings are not held yet, so the
  due list (party:due) has work; one group of the first community missed last month's meeting (overdue);
- 在职党员双报到 and 党员中心户 of the first community (needs list, registrations, claims, a year of services, two
  hubs): see demo_service.py;
- two staff accounts: organiser0, the Party organiser (党务工作者) of the district committee, and organiser1, of the
  first community's first branch. secretary1 (community secretary of the first community) reaches its whole tree.

How it is written. The district committee directly, with the audit record `services.org_create` writes: no one may
set it up through the services (an organiser sets up organisations under their own, a community secretary the top
organisation of their community; a district's committee is set up outside the system). The street committees and
the whole first community go through the party services in date order, as organiser0, secretary1 and organiser1, so
permissions, validation and audit records are what the product does. The other communities' plans are written in
bulk (`demo_bulk.py`, the same rows and audit records; through the services they would take about a minute).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from shequ.accounts.demo import DemoAccount
from shequ.accounts.models import RoleAssignment, User
from shequ.core import audit
from shequ.core.demo import DemoContext
from shequ.organisations.models import Unit
from shequ.registry.models import Resident
from shequ.territory.demo import first_community
from shequ.territory.models import Building, Compound

from . import services
from .demo_bulk import BulkWriter
from .demo_plan import (
    LEFT_NOTE,
    Candidate,
    CommunityPlan,
    MeetingPlan,
    MemberPlan,
    Names,
    OrgPlan,
    Planner,
    Window,
    day_in,
)
from .domain import OrgLevel
from .models import PartyOrg

RNG_OFFSET = 1921  # the party step draws from its own stream: the steps before it keep theirs
ORGANISER_ROLE = "party_organiser"


# --- writing through the services ----------------------------------------------------------------------------------


def write_orgs(plan: CommunityPlan) -> None:
    """Set up the plan's organisations through `services.org_create`, each by the actor of its parent."""
    for o in plan.orgs:
        assert o.parent is not None
        o.org = services.org_create(actor=o.parent.actor, data=o.input())


def _add(m: MemberPlan, residents: dict[int, Resident]) -> None:
    data = services.MemberInput(
        name=m.name,
        status=m.status_added,
        joined_on=m.joined_on,
        full_on=m.full_on,
        mobile=m.mobile,
        resident=residents[m.resident.pk] if m.resident is not None else None,
        transferred_from=m.transferred_from,
        on=m.since,
    )
    m.member = services.member_add(actor=m.org.actor, org=m.org.org, data=data)


def _record(meeting: MeetingPlan) -> None:
    data = services.MeetingInput(
        kind=meeting.kind,
        held_on=meeting.held_on,
        topic=meeting.topic,
        place=meeting.place,
        minutes=meeting.minutes,
        present=[m.member for m in meeting.present],
        absence_reasons={m.member.public_id: reason for m, reason in meeting.reasons.items()},
        decisions=list(meeting.decisions),
    )
    services.meeting_record(actor=meeting.org.actor, org=meeting.org.org, data=data)


def write_activity(plan: CommunityPlan, window: Window) -> None:
    """Record the plan's members, posts and year through the services, in date order: the members on the roll
    before the year, the posts, then day by day that day's admissions, transfers and conversions and then its
    meetings (a conversion decided at a meeting is recorded the day after)."""
    residents = Resident.objects.in_bulk([m.resident.pk for m in plan.members if m.resident is not None])
    for m in plan.members:
        if m.since < window.start:
            _add(m, residents)
    for p in plan.posts:
        services.post_assign(
            actor=p.org.actor,
            org=p.org.org,
            member=p.holder.member,
            post=p.post,
            term_starts_on=p.starts_on,
            term_ends_on=p.ends_on,
        )
    events: list[tuple[date, int, int, Callable[[], Any]]] = []

    def at(day: date, order: int, write: Callable[[], Any]) -> None:
        events.append((day, order, len(events), write))

    for m in plan.members:
        if m.since >= window.start:
            at(m.since, 0, lambda m=m: _add(m, residents))
        if m.full_recorded_on is not None:
            at(
                m.full_recorded_on,
                0,
                lambda m=m: services.member_make_full(actor=m.org.actor, member=m.member, full_on=m.made_full_on),
            )
        if m.left_on is not None:
            at(
                m.left_on,
                0,
                lambda m=m: services.member_transfer(
                    actor=m.org.actor, member=m.member, on=m.left_on, outside_org=m.left_to, note=LEFT_NOTE
                ),
            )
    for meeting in plan.meetings:
        at(meeting.held_on, 1, lambda meeting=meeting: _record(meeting))
    for *_when, write in sorted(events, key=lambda e: e[:3]):
        write()


# --- the step ------------------------------------------------------------------------------------------------------


@dataclass
class PartyDemo:
    root: PartyOrg
    organisers: list[User]  # organiser0 (the district committee), organiser1 (the first community's first branch)
    plans: list[CommunityPlan]


def _district_committee(district: Any, loader: Any, founded_on: date) -> PartyOrg:
    """The top of the tree, written as `services.org_create` writes an organisation (which no one may call for it)."""
    name = f"{district.name}委"
    unit = Unit.objects.create(kind=services.UNIT_KIND[OrgLevel.COMMITTEE], name=name, area=district)
    org = PartyOrg.objects.create(
        unit=unit, level=OrgLevel.COMMITTEE, tree_path=f"tmp-{unit.public_id}", founded_on=founded_on
    )
    org.tree_path = f"{org.pk}/"
    org.save(update_fields=["tree_path"])
    after = {"name": name, "level": OrgLevel.COMMITTEE.value, "area": district.code, "joint": False}
    audit.record(actor=loader, action="party.org_created", obj=org, after=after)
    return org


def _organiser(username: str, org: PartyOrg, display_name: str, password: str) -> User:
    """A Party organiser (党务工作者) holding `org`'s unit, assigned where the unit is placed (as the accounts step
    makes staff: `password` is the demo password's hash)."""
    unit = org.unit
    user = User(username=username, display_name=display_name, unit_name=unit.name, home_area=unit.area)
    user.password = password
    user.save()
    RoleAssignment.objects.create(user=user, role=ORGANISER_ROLE, area=unit.area, unit=unit)
    return user


def _places(communities: list[Any]) -> tuple[dict, dict, dict]:
    """Per community: its compounds (by code), its micro-grids (by code) each with the compound most of its
    buildings belong to, and adult residents who may be linked to members."""
    from collections import Counter

    from shequ.territory.domain import Level
    from shequ.territory.models import Area

    ids = {c.pk for c in communities}
    compounds: dict[int, list] = {pk: [] for pk in ids}
    for compound in Compound.objects.filter(community_id__in=ids).order_by("code"):
        compounds[compound.community_id].append(compound)
    counts: dict[int, Counter] = {}
    for micro_id, compound_id in Building.objects.filter(compound__community_id__in=ids).values_list(
        "micro_grid_id", "compound_id"
    ):
        counts.setdefault(micro_id, Counter())[compound_id] += 1
    micro: dict[int, list] = {pk: [] for pk in ids}
    grids = dict(Area.objects.filter(parent_id__in=ids, level=Level.GRID).values_list("id", "parent_id"))
    # Without their boundaries: a group needs a micro-grid's name and place, not its shape.
    areas = Area.objects.filter(parent_id__in=grids, level=Level.MICRO_GRID).only(
        "code", "name", "path", "level", "parent"
    )
    for area in areas.order_by("code"):
        main = counts[area.pk].most_common(1)[0][0] if area.pk in counts else None
        micro[grids[area.parent_id]].append((area, main))
    residents: dict[int, list] = {pk: [] for pk in ids}
    rows = (
        Resident.objects.filter(community_id__in=ids, status="active", birth_decade__lte=1990)
        .order_by("id")
        .values_list("id", "name", "birth_decade", "community_id")
    )
    for pk, name, decade, community_id in rows:
        if len(residents[community_id]) < 60:
            residents[community_id].append(Candidate(pk, name, decade))
    return compounds, micro, residents


def build_party(
    *,
    district: Any,
    streets: list[Any],
    communities: list[Any],
    first: Any,
    rng: random.Random,
    today: date,
    loader: Any,
    password: str,
    first_in_bulk: bool = False,
) -> PartyDemo:
    """Build the district's Party tree and year: `first` through the services (in bulk too with `first_in_bulk`, to
    compare), the other communities in bulk. `loader` sets up the district committee; `password` is a hash."""
    window = Window(today)
    names = Names(rng)
    root = _district_committee(district, loader, date(1952, 10, 1))
    organiser0 = _organiser("organiser0", root, names.take(date(1995, 1, 1)), password)
    street_plans: dict[int, OrgPlan] = {}
    for street in streets:
        name = street.name.removesuffix("办事处") + "党工委"
        founded = day_in(rng.randint(1980, 2005), rng.randint(1, 12), rng.randint(1, 28))
        data = services.OrgInput(level=OrgLevel.COMMITTEE, name=name, area=street, parent=root, founded_on=founded)
        org = services.org_create(actor=organiser0, data=data)
        street_plans[street.pk] = OrgPlan(OrgLevel.COMMITTEE, name, street, org=org, actor=organiser0)
    secretaries = {
        a.area_id: a.user
        for a in RoleAssignment.objects.filter(role="community_secretary", area__in=communities).select_related("user")
    }
    compounds, micro, residents = _places(communities)
    planner = Planner(rng, window)
    plans = []
    for community in communities:
        secretary = secretaries.get(community.pk)
        plan = planner.plan(
            community=community,
            street_org=street_plans[community.parent_id],
            compounds=compounds[community.pk],
            micro_grids=micro[community.pk],
            residents=residents[community.pk],
            detailed=community.pk == first.pk,
            secretary_name=secretary.display_name if secretary is not None else "",
        )
        for o in plan.orgs:
            o.actor = secretary or organiser0
        plans.append(plan)
    first_plan = next(p for p in plans if p.community.pk == first.pk)
    others = [p for p in plans if p is not first_plan]
    bulk = BulkWriter()
    if first_in_bulk:
        bulk.orgs([first_plan])
    else:
        write_orgs(first_plan)
    branch = first_plan.orgs[1]
    organiser1 = _organiser("organiser1", branch.org, names.take(date(2005, 1, 1)), password)
    for o in first_plan.orgs:
        if o.within(branch):
            o.actor = organiser1
    if first_in_bulk:
        bulk.activity([first_plan], window)
    else:
        write_activity(first_plan, window)
    bulk.orgs(others)
    bulk.activity(others, window)
    bulk.close()
    return PartyDemo(root, [organiser0, organiser1], plans)


def seed(ctx: DemoContext) -> None:
    """Build the Party side of the demo and add its two organiser accounts to "accounts.staff"."""
    staff = ctx.get("accounts.staff")
    # Every demo account has the demo password. Hashing it takes a quarter of a second, so the organisers take the
    # hash the accounts step stored for its first account.
    password = User.objects.get(username=staff[0].username).password
    made = build_party(
        district=ctx.get("territory.district"),
        streets=ctx.get("territory.streets"),
        communities=ctx.get("territory.communities"),
        first=first_community(ctx),
        rng=ctx.fresh_rng(RNG_OFFSET),
        today=timezone.localdate(),
        loader=ctx.actor,
        password=password,
    )
    for user in made.organisers:
        staff.append(DemoAccount(user.username, ORGANISER_ROLE, user.home_area.code))
    ctx.counts["accounts"] = len(staff)
    ctx.counts["party_orgs"] = PartyOrg.objects.count()
    ctx.counts["party_members"] = sum(len(p.members) for p in made.plans)
    ctx.counts["party_meetings"] = sum(len(p.meetings) for p in made.plans)
    ctx.put("party.demo", made)
    from .demo_service import seed_service

    first = first_community(ctx)
    ctx.counts.update(seed_service(first, ctx.fresh_rng(RNG_OFFSET + 1), timezone.localdate()))
