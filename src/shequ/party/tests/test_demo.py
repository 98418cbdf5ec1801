"""The demo's Party side on a small world (make_world: two streets, one community each): the tree, the accounts and
what they reach, the year of 三会一课 with its one short general meeting, the due list, coverage; and the bulk writer
writes exactly what the services write for the same plan (rows and audit records).

"Now" is the suite's fixed clock, Monday 16 March 2026: the year is April 2025 to March 2026.
"""

import datetime
import json
import random
from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from shequ.accounts.models import RoleAssignment
from shequ.accounts.tests.factories import staff
from shequ.core.actors import DEMO_LOADER
from shequ.core.models import AuditRecord
from shequ.party import selectors
from shequ.party.demo import build_party
from shequ.party.models import Attendance, Decision, MemberTransfer, PartyMeeting, PartyMember, PartyOrg, Post
from shequ.registry.tests.factories import make_world

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 3, 16)


@pytest.fixture
def w(clock):
    w = make_world()
    w["secretary1"] = staff("community_secretary", w["c1"], username="secretary1", display_name="程丽华")
    return w


def build(w: dict[str, Any], *, first_in_bulk: bool = False) -> Any:
    assert timezone.localdate() == TODAY
    return build_party(
        district=w["district"],
        streets=[w["s1"], w["s2"]],
        communities=[w["c1"], w["c2"]],
        first=w["c1"],
        rng=random.Random(7),
        today=TODAY,
        loader=DEMO_LOADER,
        password="md5$demo$0",
        first_in_bulk=first_in_bulk,
    )


def names(rows: Any) -> list[str]:
    return [o.unit.name for o in rows]


def test_demo_builds_the_tree_accounts_and_a_year(w):
    """The district committee over two street working committees, a community committee with four branches (one
    the joint branch) in the first community and 2–4 in the other; organiser0 reaches the whole tree, organiser1 its
    branch and groups, secretary1 the first community; a year of meetings, one general meeting short of its quorum,
    meetings still due this period; every action audited as the services audit it."""
    made = build(w)
    root = made.root
    assert (root.unit.name, root.level, root.parent, root.tree_path) == ("武侯区委", "committee", None, f"{root.pk}/")
    assert names(PartyOrg.objects.filter(parent=root).order_by("unit__name")) == ["浆洗街街道党工委", "玉林街道党工委"]
    c1_committee = PartyOrg.objects.get(unit__name="洗面桥社区党委")
    assert (c1_committee.parent.unit.name, c1_committee.unit.area) == ("浆洗街街道党工委", w["c1"])
    branches = list(PartyOrg.objects.filter(parent=c1_committee).order_by("pk"))
    assert names(branches) == ["锦苑小区党支部", "洗面桥社区第一党支部", "洗面桥社区第二党支部", "洗面桥社区联合党支部"]
    assert [b.joint for b in branches] == [False, False, False, True]
    assert branches[0].unit.compound == w["compound1"] and branches[3].joint_units.count("、") >= 2
    c2_committee = PartyOrg.objects.get(unit__name="玉林社区党委")
    c2_branches = PartyOrg.objects.filter(parent=c2_committee)
    assert 2 <= c2_branches.count() <= 4 and c2_branches.filter(joint=True).count() == 1

    # Coverage of the first community: its one compound; half of its four micro-grids.
    coverage = selectors.coverage_of(w["c1"])
    assert (coverage.compounds.text, coverage.micro_grids.text) == ("100.0%", "50.0%")
    groups = PartyOrg.objects.filter(level="group", unit__area__path__startswith=w["c1"].path)
    groups = groups.order_by("unit__area__code")
    assert [g.unit.area for g in groups] == [w["m111"], w["m112"]]
    assert [g.parent for g in groups] == [branches[0], branches[0]]

    # Accounts: organiser0 holds the district committee, organiser1 the first branch.
    organiser0, organiser1 = made.organisers
    assignments = RoleAssignment.objects.filter(role="party_organiser").order_by("user__username")
    assert [(a.user.username, a.area, a.unit) for a in assignments] == [
        ("organiser0", w["district"], root.unit),
        ("organiser1", w["c1"], branches[0].unit),
    ]
    assert selectors.orgs_reached(organiser0).count() == PartyOrg.objects.count()
    assert set(selectors.orgs_reached(organiser1)) == {branches[0], *groups}
    first_tree = set(PartyOrg.objects.filter(tree_path__startswith=c1_committee.tree_path))
    assert set(selectors.orgs_reached(w["secretary1"])) == first_tree
    assert {m.org for m in selectors.members_for(organiser1)} <= {branches[0], *groups}
    # The community committee's secretary is the community secretary account's namesake.
    secretary = Post.objects.get(org=c1_committee, post="secretary")
    assert secretary.member.name_masked == "程**"

    # Members: mostly full, some probationary; one transferred in from outside and one out, with their history.
    members = PartyMember.objects.filter(org__tree_path__startswith=c1_committee.tree_path)
    statuses = Counter(members.filter(active=True).values_list("status", flat=True))
    assert statuses["full"] >= 25 and 1 <= statuses["probationary"] * 5 <= statuses["full"]
    outs = MemberTransfer.objects.filter(kind="out", member__in=members)
    assert outs.count() == 1 and not outs.get().member.active and outs.get().outside_org
    assert MemberTransfer.objects.filter(kind="in", member__in=members).exclude(outside_org="").count() == 1
    assert MemberTransfer.objects.filter(member__in=members, kind="in").count() == members.count()

    # A year of meetings, none in the future; the first community's one short general meeting is kept, not valid,
    # and its decision did not pass; every other general, committee and group meeting may decide.
    meetings = PartyMeeting.objects.filter(org__tree_path__startswith=c1_committee.tree_path)
    assert meetings.filter(held_on__lt=D(2025, 4, 1)).count() == 0 and meetings.filter(held_on__gt=TODAY).count() == 0
    assert Counter(meetings.values_list("kind", flat=True)).keys() == {
        "general",
        "committee",
        "group",
        "lesson",
        "themed_day",
    }
    short = meetings.get(valid=False)
    assert (short.org, short.kind, short.present * 2 <= short.entitled) == (branches[1], "general", True)
    assert list(Decision.objects.filter(meeting=short).values_list("passed", flat=True)) == [False]
    assert not PartyMeeting.objects.filter(valid=False).exclude(pk=short.pk).exists()
    assert Decision.objects.filter(passed=True).exists()
    assert meetings.filter(kind__in=["lesson", "themed_day"], valid__isnull=False).count() == 0
    # Each attendance row is a member on the roll that day, and the counts agree with the rows.
    for meeting in meetings.filter(kind="general"):
        rows = Attendance.objects.filter(meeting=meeting)
        full = rows.filter(status="full")
        assert (meeting.entitled, meeting.present) == (full.count(), full.filter(present=True).count())
    # A committee meeting's roll is the committee.
    committee_meeting = meetings.filter(org=branches[0], kind="committee").first()
    holders = set(Post.objects.filter(org=branches[0]).values_list("member", flat=True))
    assert set(Attendance.objects.filter(meeting=committee_meeting).values_list("member", flat=True)) == holders

    # Work is due: organiser1's branch has not held this month's committee meeting nor this quarter's lesson; the
    # last group of the first community missed February's meeting.
    due = {(org.unit.name, d.kind.value): d for org, d in selectors.due_for(organiser1, TODAY)}
    assert {("锦苑小区党支部", "committee"), ("锦苑小区党支部", "lesson")} <= due.keys()
    assert ("锦苑小区党支部", "themed_day") not in due
    overdue = [(org, d) for org, d in selectors.due_for(w["secretary1"], TODAY) if d.overdue]
    assert [(org, d.kind.value, d.missed_periods) for org, d in overdue] == [(groups[1], "group", 1)]

    # Audit: one record per service call, by the actor who made it.
    actions = Counter(AuditRecord.objects.filter(action__startswith="party.").values_list("action", flat=True))
    assert actions["party.meeting_recorded"] == PartyMeeting.objects.count()
    assert actions["party.member_added"] == PartyMember.objects.count()
    assert actions["party.org_created"] == PartyOrg.objects.count()
    assert actions["party.post_assigned"] == Post.objects.count()
    assert actions["party.member_transferred"] == MemberTransfer.objects.filter(kind="out").count()
    root_record = AuditRecord.objects.get(action="party.org_created", object_id=str(root.public_id))
    assert (root_record.actor_kind, root_record.actor_ref) == ("system", "demo")
    recorders = set(meetings.values_list("recorded_by__username", flat=True))
    assert recorders == {"secretary1", "organiser1"}


class Rollback(Exception):
    pass


def snapshot() -> dict[str, Any]:
    """The rows and audit records of the first community's tree, by names instead of ids."""
    committee = PartyOrg.objects.get(unit__name="洗面桥社区党委")
    orgs = PartyOrg.objects.filter(tree_path__startswith=committee.tree_path)
    members = PartyMember.objects.filter(org__in=orgs)
    meetings = PartyMeeting.objects.filter(org__in=orgs)
    ids = [str(x) for x in [*orgs.values_list("public_id", flat=True), *members.values_list("public_id", flat=True)]]
    ids += [str(x) for x in meetings.values_list("public_id", flat=True)]
    audits = AuditRecord.objects.filter(object_id__in=ids)
    return {
        "orgs": sorted(
            orgs.values_list("unit__name", "level", "parent__unit__name", "unit__compound", "joint", "joint_units")
        ),
        "members": sorted(
            members.values_list(
                "name_hash", "org__unit__name", "status", "joined_on", "full_on", "active", "left_on", "resident"
            )
        ),
        "transfers": sorted(
            MemberTransfer.objects.filter(member__in=members).values_list(
                "member__name_hash", "kind", "from_org__unit__name", "to_org__unit__name", "outside_org", "on", "note"
            )
        ),
        "posts": sorted(
            Post.objects.filter(org__in=orgs).values_list(
                "org__unit__name", "member__name_hash", "post", "term_starts_on", "term_ends_on", "ended_on"
            )
        ),
        "meetings": sorted(
            meetings.values_list(
                "org__unit__name", "kind", "held_on", "topic", "place", "minutes", "entitled", "present", "valid"
            )
        ),
        "attendance": sorted(
            Attendance.objects.filter(meeting__in=meetings).values_list(
                "meeting__org__unit__name",
                "meeting__kind",
                "meeting__held_on",
                "member__name_hash",
                "status",
                "present",
                "absence_reason",
            )
        ),
        "decisions": sorted(
            Decision.objects.filter(meeting__in=meetings).values_list(
                "meeting__held_on", "title", "votes_for", "votes_against", "abstentions", "passed"
            )
        ),
        "recorded_by": sorted(meetings.values_list("recorded_by__username", flat=True)),
        "audit": sorted(
            (r.action, r.actor_kind, r.actor_label, r.object_type, json.dumps([r.before, r.after], sort_keys=True))
            for r in audits
        ),
    }


def built(w: dict[str, Any], *, first_in_bulk: bool) -> dict[str, Any]:
    try:
        with transaction.atomic():
            build(w, first_in_bulk=first_in_bulk)
            taken = snapshot()
            raise Rollback
    except Rollback:
        return taken


def test_the_bulk_writer_writes_what_the_services_write(w):
    """The same plan of the first community written through the services and in bulk gives the same organisations,
    members, transfers, posts, meetings, attendance, decisions and audit records."""
    through_services = built(w, first_in_bulk=False)
    in_bulk = built(w, first_in_bulk=True)
    assert len(through_services["meetings"]) > 100 and len(through_services["attendance"]) > 800
    assert len(through_services["audit"]) > 150
    for key, rows in through_services.items():
        assert in_bulk[key] == rows, key
