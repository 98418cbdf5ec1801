"""The Party organisations of the access matrix's world (test_api_access_matrix.py).

Per community, a Party committee set up by a community Party secretary of that community; per cluster
(micro-grid), a branch of the cluster's compound (placed in its community) under its community's committee, with
three full members (the first its secretary) and one probationary member, and a general meeting they all attended
with one decision. The matrix's Party organiser (role `party_organiser`) holds the unit of m1's branch: it reaches
that branch and nothing else, not even m2's branch in the same community.
"""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from shequ.accounts.tests.factories import staff
from shequ.core.models import AuditRecord
from shequ.organisations.models import Unit
from shequ.party import services as party_services
from shequ.party.models import Attendance, Decision, MemberTransfer, PartyMeeting, PartyMember, PartyOrg, Post

ORGANISER = "party_organiser"
# (name, status): the first three are full members, the last a probationary member.
MEMBERS = (("程丽", "full"), ("王建国", "full"), ("李秀英", "full"), ("赵小龙", "probationary"))


def mobile(i: int, j: int) -> str:
    """The mobile of the j-th member (from 0) of the i-th cluster's branch."""
    return f"1390000{i:02d}{j + 1:02d}"


def _member(secretary: Any, branch: Any, i: int, j: int, today: date) -> Any:
    name, status = MEMBERS[j]
    full = status == "full"
    data = party_services.MemberInput(
        name=name,
        status=status,
        joined_on=date(2010, 7, 1) if full else today - timedelta(days=200),
        full_on=date(2011, 7, 1) if full else None,
        mobile=mobile(i, j),
    )
    return party_services.member_add(actor=secretary, org=branch, data=data)


def _committee(w: dict[str, Any], community: Any) -> Any:
    key = ("party-committee", community.code)
    if key not in w:
        secretary = staff("community_secretary", community)
        w[key] = party_services.org_create(
            actor=secretary,
            data=party_services.OrgInput(level="committee", name=f"{community.name}党委", area=community),
        )
        w[key, "secretary"] = secretary
    return w[key], w[key, "secretary"]


def build_party(w: dict[str, Any], clusters: tuple[str, ...]) -> None:
    """Add the organisations, members, posts and meetings above to the world `w`, and the Party organiser."""
    today = timezone.localdate()
    for i, m in enumerate(clusters):
        compound = w[m, "compounds"]
        committee, secretary = _committee(w, compound.community)
        branch = party_services.org_create(
            actor=secretary,
            data=party_services.OrgInput(
                level="branch",
                name=f"{compound.name}党支部",
                area=compound.community,
                compound=compound,
                parent=committee,
            ),
        )
        members = [_member(secretary, branch, i, j, today) for j in range(len(MEMBERS))]
        party_services.post_assign(
            actor=secretary,
            org=branch,
            member=members[0],
            post="secretary",
            term_starts_on=today - timedelta(days=365),
            term_ends_on=today + timedelta(days=3 * 365),
        )
        meeting = party_services.meeting_record(
            actor=secretary,
            org=branch,
            data=party_services.MeetingInput(
                kind="general",
                held_on=today,
                topic="研究年度工作计划",
                present=members,
                decisions=[party_services.DecisionInput(title="通过年度工作计划", votes_for=3)],
            ),
        )
        w[m, "party-orgs"], w[m, "party-committee"], w[m, "party-meetings"] = branch, committee, meeting
        w[m, "party-members"], w[m, "probationary"], w[m, "party-secretary"] = members[1], members[3], members[0]
        w[m, "party-revealed"] = {"name": MEMBERS[1][0], "mobile": mobile(i, 1)}
        w[m, "all", "party-members"] = {str(x.public_id) for x in members}
    w["user", ORGANISER] = staff(ORGANISER, w["m1"], username=ORGANISER, unit=w["m1", "party-orgs"].unit)


def party_state() -> tuple[Any, ...]:
    """What a write of the Party side changes: organisations (and their units), members, transfers, posts,
    meetings with attendance and decisions, and the Party audit records (a reveal writes only one of these)."""
    return (
        Unit.objects.count(),
        PartyOrg.objects.count(),
        list(PartyMember.objects.order_by("id").values_list("org_id", "status", "active")),
        MemberTransfer.objects.count(),
        Post.objects.count(),
        PartyMeeting.objects.count(),
        Attendance.objects.count(),
        Decision.objects.count(),
        AuditRecord.objects.filter(action__startswith="party.").count(),
    )
