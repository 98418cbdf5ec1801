"""Party organisations, their organisers and members for tests, made through the services (so units, tree paths,
encrypted names, masks and transfer history are real)."""

from datetime import date
from typing import Any

from shequ.accounts.models import User
from shequ.accounts.tests.factories import staff
from shequ.core.models import AuditRecord
from shequ.organisations.models import Unit
from shequ.party import services
from shequ.party.models import Attendance, Decision, MemberTransfer, PartyMeeting, PartyMember, PartyOrg, Post
from shequ.territory.tests.factories import make_tree

JOINED = date(2015, 7, 1)  # joined the Party (入党)
FULL_ON = date(2016, 7, 1)  # became a full member (转正)
SINCE = date(2024, 1, 1)  # recorded in the organisation from (the "in" transfer)

# Distinct two-character names (masked "周*" …), enough for the largest branch of the tests.
NAMES = ("周华", "吴敏", "郑强", "王芳", "冯军", "陈静", "褚亮", "卫东", "蒋丽", "沈涛", "韩梅", "杨帆")


def org(
    actor: Any,
    level: str,
    name: str,
    area: Any,
    *,
    parent: PartyOrg | None = None,
    compound: Any = None,
    building: Any = None,
    joint: bool = False,
    joint_units: str = "",
) -> PartyOrg:
    """Set up a Party organisation through services.org_create."""
    data = services.OrgInput(
        level=level,
        name=name,
        area=area,
        compound=compound,
        building=building,
        parent=parent,
        joint=joint,
        joint_units=joint_units,
    )
    return services.org_create(actor=actor, data=data)


def organiser(party_org: PartyOrg, username: str | None = None) -> User:
    """A Party organiser (党务工作者) holding the organisation's unit, assigned where the unit is placed."""
    return staff("party_organiser", party_org.unit.area, username=username, unit=party_org.unit)


def member(
    actor: Any,
    party_org: PartyOrg,
    name: str,
    *,
    status: str = "full",
    joined_on: date = JOINED,
    full_on: date | None = None,
    mobile: str = "",
    on: date = SINCE,
) -> PartyMember:
    """Record a member through services.member_add: a full member by default (转正 FULL_ON), on the roll from
    SINCE; a probationary member has no full_on."""
    if full_on is None and status == "full":
        full_on = FULL_ON
    data = services.MemberInput(name=name, status=status, joined_on=joined_on, full_on=full_on, mobile=mobile, on=on)
    return services.member_add(actor=actor, org=party_org, data=data)


def members(actor: Any, party_org: PartyOrg, count: int, *, status: str = "full", start: int = 0) -> list[PartyMember]:
    """`count` members named NAMES[start:start + count]."""
    if start + count > len(NAMES):
        raise ValueError(f"NAMES holds {len(NAMES)} names")
    return [member(actor, party_org, name, status=status) for name in NAMES[start : start + count]]


def make_party_world() -> dict[str, Any]:
    """make_tree() plus the Party tree of community c1 and the staff around it. No members.

    - committee 洗面桥社区党委 (c1), set up by the community secretary
      - branch1 锦苑小区党支部 (c1, compound1)
        - group1 锦苑小区1栋党小组 (micro-grid m111, compound1, building b1)
      - branch2 洗面桥社区第二党支部 (c1, no compound)
    - users: secretary (community_secretary of c1), organiser1 / organiser2 (party_organiser of branch1 /
      branch2), worker (community_worker of c1), street (street_officer of s1), district_officer (district_officer of
      the district), other_secretary and other_worker (community_secretary and community_worker of c2)
    """
    w = make_tree()
    w["secretary"] = staff("community_secretary", w["c1"], username="secretary")
    w["committee"] = org(w["secretary"], "committee", "洗面桥社区党委", w["c1"])
    w["branch1"] = org(
        w["secretary"], "branch", "锦苑小区党支部", w["c1"], parent=w["committee"], compound=w["compound1"]
    )
    w["branch2"] = org(w["secretary"], "branch", "洗面桥社区第二党支部", w["c1"], parent=w["committee"])
    w["group1"] = org(
        w["secretary"],
        "group",
        "锦苑小区1栋党小组",
        w["m111"],
        parent=w["branch1"],
        compound=w["compound1"],
        building=w["b1"],
    )
    w["organiser1"] = organiser(w["branch1"], "organiser1")
    w["organiser2"] = organiser(w["branch2"], "organiser2")
    w["worker"] = staff("community_worker", w["c1"], username="worker")
    w["street"] = staff("street_officer", w["s1"], username="street")
    w["district_officer"] = staff("district_officer", w["district"], username="district_officer")
    w["other_secretary"] = staff("community_secretary", w["c2"], username="other_secretary")
    w["other_worker"] = staff("community_worker", w["c2"], username="other_worker")
    return w


def party_state() -> tuple[Any, ...]:
    """Every table a Party service writes (audit included) and the mutable columns of members and posts: equal
    before and after a refused write."""
    return (
        Unit.objects.count(),
        PartyOrg.objects.count(),
        PartyMember.objects.count(),
        MemberTransfer.objects.count(),
        Post.objects.count(),
        PartyMeeting.objects.count(),
        Attendance.objects.count(),
        Decision.objects.count(),
        AuditRecord.objects.count(),
        sorted(PartyMember.objects.values_list("id", "org_id", "status", "full_on", "active", "left_on")),
        sorted(Post.objects.values_list("id", "ended_on")),
    )
