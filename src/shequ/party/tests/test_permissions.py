"""Who reaches what on the Party side, as tables: role × relation × action → allowed, then the scoped reads and
the refused writes of each role (a refusal writes nothing: no row, no audit record).

Membership is sensitive personal information: only organisers of the member's organisation and above, and the
community Party secretary of its community, see members; community workers and street and district officers
see the organisations (``party.view``) and never a member; staff of another community see nothing.
"""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from shequ.core.errors import NotFound, PermissionDenied
from shequ.core.models import AuditRecord
from shequ.core.permissions import can
from shequ.party import selectors, services
from shequ.party.tests.factories import make_party_world, member, organiser, party_state

pytestmark = pytest.mark.django_db

ACTIONS = ("party.view", "party.members", "party.manage", "party.reveal")
ALL = frozenset(ACTIONS)
VIEW = frozenset({"party.view"})
VIEW_MANAGE = frozenset({"party.view", "party.manage"})
NONE: frozenset[str] = frozenset()
HELD_ON = datetime.date(2025, 1, 10)


def build_world() -> dict[str, Any]:
    """make_party_world() plus an organiser of the committee and one of group1, a member in each of branch1,
    group1 and branch2, a probationary member of branch1, a post and a Party lesson of branch1."""
    w = make_party_world()
    w["organiser0"] = organiser(w["committee"], "organiser0")
    w["group_organiser"] = organiser(w["group1"], "group_organiser")
    w["m_branch1"] = member(w["secretary"], w["branch1"], "周华", mobile="13812345678")
    w["p_branch1"] = member(w["secretary"], w["branch1"], "孙悦", status="probationary")
    w["m_group1"] = member(w["secretary"], w["group1"], "吴敏")
    w["m_branch2"] = member(w["secretary"], w["branch2"], "郑强")
    w["post1"], _warnings = services.post_assign(
        actor=w["secretary"],
        org=w["branch1"],
        member=w["m_branch1"],
        post="secretary",
        term_starts_on=datetime.date(2024, 1, 1),
        term_ends_on=datetime.date(2028, 12, 31),
    )
    w["meeting1"] = services.meeting_record(
        actor=w["secretary"],
        org=w["branch1"],
        data=services.MeetingInput(kind="lesson", held_on=HELD_ON, topic="学习党章", present=[w["m_branch1"]]),
    )
    return w


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """Build the world once for the module, in a transaction rolled back at its end; each test runs inside it in
    a savepoint of its own (pytest-django's `db`)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def w(shared_world, db):
    return shared_world


# --- the table -----------------------------------------------------------------------------------------------

# The objects of the table; each role's rows name them by their relation to the role.
TARGETS = (
    "committee",
    "branch1",
    "group1",
    "branch2",
    "m_branch1",
    "m_group1",
    "m_branch2",
    "meeting1",
    "c1",
    "c2",
    "any",  # no object: may the actor do this kind of thing at all (menus, the home page)
)

# role → target → the actions allowed. Every (role, target, action) not allowed here is denied.
TABLE: dict[str, dict[str, frozenset[str]]] = {
    # organiser of the community committee: the committee and everything below it
    "organiser0": {
        "committee": ALL,
        "branch1": ALL,
        "group1": ALL,
        "branch2": ALL,
        "m_branch1": ALL,
        "m_group1": ALL,
        "m_branch2": ALL,
        "meeting1": ALL,
        "c1": NONE,  # an organiser's reach is the Party tree, not the territory
        "c2": NONE,
        "any": ALL,
    },
    # organiser of branch1: its own branch and its group, not the committee above nor the sibling branch
    "organiser1": {
        "committee": NONE,
        "branch1": ALL,
        "group1": ALL,
        "branch2": NONE,
        "m_branch1": ALL,
        "m_group1": ALL,
        "m_branch2": NONE,
        "meeting1": ALL,
        "c1": NONE,
        "c2": NONE,
        "any": ALL,
    },
    # organiser of branch2: the mirror image
    "organiser2": {
        "committee": NONE,
        "branch1": NONE,
        "group1": NONE,
        "branch2": ALL,
        "m_branch1": NONE,
        "m_group1": NONE,
        "m_branch2": ALL,
        "meeting1": NONE,
        "c1": NONE,
        "c2": NONE,
        "any": ALL,
    },
    # organiser of group1: its group only, not the branch above it
    "group_organiser": {
        "committee": NONE,
        "branch1": NONE,
        "group1": ALL,
        "branch2": NONE,
        "m_branch1": NONE,
        "m_group1": ALL,
        "m_branch2": NONE,
        "meeting1": NONE,
        "c1": NONE,
        "c2": NONE,
        "any": ALL,
    },
    # community Party secretary of c1: every organisation placed in c1, and sets up top organisations there
    "secretary": {
        "committee": ALL,
        "branch1": ALL,
        "group1": ALL,
        "branch2": ALL,
        "m_branch1": ALL,
        "m_group1": ALL,
        "m_branch2": ALL,
        "meeting1": ALL,
        "c1": VIEW_MANAGE,
        "c2": NONE,
        "any": ALL,
    },
    # community worker of c1: the organisations (and the figures of c1), never members' data
    "worker": {
        "committee": VIEW,
        "branch1": VIEW,
        "group1": VIEW,
        "branch2": VIEW,
        "m_branch1": VIEW,  # party.view of a member is its organisation's; no selector shows a member for it
        "m_group1": VIEW,
        "m_branch2": VIEW,
        "meeting1": VIEW,
        "c1": VIEW,
        "c2": NONE,
        "any": VIEW,
    },
    # street officer of s1 (above c1)
    "street": {
        "committee": VIEW,
        "branch1": VIEW,
        "group1": VIEW,
        "branch2": VIEW,
        "m_branch1": VIEW,
        "m_group1": VIEW,
        "m_branch2": VIEW,
        "meeting1": VIEW,
        "c1": VIEW,
        "c2": NONE,  # c2 lies in street s2
        "any": VIEW,
    },
    # district officer: the whole district, still without members
    "district_officer": {
        "committee": VIEW,
        "branch1": VIEW,
        "group1": VIEW,
        "branch2": VIEW,
        "m_branch1": VIEW,
        "m_group1": VIEW,
        "m_branch2": VIEW,
        "meeting1": VIEW,
        "c1": VIEW,
        "c2": VIEW,
        "any": VIEW,
    },
    # community secretary of c2: nothing of c1 (they reach their own community, hence "any")
    "other_secretary": {
        "committee": NONE,
        "branch1": NONE,
        "group1": NONE,
        "branch2": NONE,
        "m_branch1": NONE,
        "m_group1": NONE,
        "m_branch2": NONE,
        "meeting1": NONE,
        "c1": NONE,
        "c2": VIEW_MANAGE,
        "any": ALL,
    },
    # community worker of c2: nothing of c1
    "other_worker": {
        "committee": NONE,
        "branch1": NONE,
        "group1": NONE,
        "branch2": NONE,
        "m_branch1": NONE,
        "m_group1": NONE,
        "m_branch2": NONE,
        "meeting1": NONE,
        "c1": NONE,
        "c2": VIEW,
        "any": VIEW,
    },
}

CELLS = [
    pytest.param(role, target, action, action in row[target], id=f"{role}-{target}-{action}")
    for role, row in TABLE.items()
    for target in TARGETS
    for action in ACTIONS
]


def test_the_table_names_every_target_for_every_role():
    """Each role's row covers every target (a missing cell would silently be "not tested")."""
    assert {role: tuple(row) for role, row in TABLE.items()} == {role: TARGETS for role in TABLE}


@pytest.mark.parametrize(("role", "target", "action", "allowed"), CELLS)
def test_permission_table(w, role, target, action, allowed):
    obj = None if target == "any" else w[target]
    decision = can(w[role], action, obj)
    assert decision.allowed is allowed
    assert (decision.reason == "") is allowed  # a denial always says why


def test_denials_say_why_in_chinese(w):
    assert can(w["organiser2"], "party.members", w["m_branch1"]).reason == (
        "只有本党组织及上级党组织的党务工作者可以查看党员信息"
    )
    assert can(w["worker"], "party.manage", w["branch1"]).reason == "只有本党组织及上级党组织的党务工作者可以管理"
    assert can(w["other_worker"], "party.view", w["branch1"]).reason == "您无权查看该党组织"
    assert can(w["worker"], "party.members").reason == "只有党务工作者可以查看党员信息"


# --- scoped reads --------------------------------------------------------------------------------------------

ORG_NAMES = {
    "committee": "洗面桥社区党委",
    "branch1": "锦苑小区党支部",
    "group1": "锦苑小区1栋党小组",
    "branch2": "洗面桥社区第二党支部",
}
C1_ORGS = ["洗面桥社区党委", "锦苑小区党支部", "锦苑小区1栋党小组", "洗面桥社区第二党支部"]  # tree order


@pytest.mark.parametrize(
    ("role", "visible", "reached"),
    [
        ("organiser0", C1_ORGS, C1_ORGS),
        ("organiser1", ["锦苑小区党支部", "锦苑小区1栋党小组"], ["锦苑小区党支部", "锦苑小区1栋党小组"]),
        ("organiser2", ["洗面桥社区第二党支部"], ["洗面桥社区第二党支部"]),
        ("group_organiser", ["锦苑小区1栋党小组"], ["锦苑小区1栋党小组"]),
        ("secretary", C1_ORGS, C1_ORGS),
        ("worker", C1_ORGS, []),
        ("street", C1_ORGS, []),
        ("district_officer", C1_ORGS, []),
        ("other_secretary", [], []),
        ("other_worker", [], []),
    ],
)
def test_organisations_visible_and_reached(w, role, visible, reached):
    """orgs_visible: what the role sees of the organisations; orgs_reached: whose members it sees."""
    assert [o.unit.name for o in selectors.orgs_visible(w[role])] == visible
    assert [o.unit.name for o in selectors.orgs_reached(w[role])] == reached


B1, G1, B2 = "锦苑小区党支部", "锦苑小区1栋党小组", "洗面桥社区第二党支部"
ALL_MEMBERS = [(B1, "周*"), (B1, "孙*"), (G1, "吴*"), (B2, "郑*")]


def _rows(members):
    """(organisation, masked name) in the order given, names sorted within an organisation (their order among
    themselves is the database's collation of Chinese, which differs between SQLite and PostgreSQL)."""
    rows = [(m.org.unit.name, m.name_masked) for m in members]
    orgs = [org for org, _name in rows]
    assert orgs == sorted(orgs, key=lambda org: orgs.index(org))  # each organisation's members together
    return sorted(rows, key=lambda row: (orgs.index(row[0]), row[1]))


@pytest.mark.parametrize(
    ("role", "rows"),
    [
        ("organiser0", ALL_MEMBERS),
        ("organiser1", ALL_MEMBERS[:3]),
        ("organiser2", ALL_MEMBERS[3:]),
        ("group_organiser", [(G1, "吴*")]),
        ("secretary", ALL_MEMBERS),
        ("worker", []),
        ("street", []),
        ("district_officer", []),
        ("other_secretary", []),
        ("other_worker", []),
    ],
)
def test_members_for_lists_only_the_members_reached(w, role, rows):
    """Members by organisation in tree order: branch1 (周华, 孙悦), group1 (吴敏), branch2 (郑强)."""
    assert _rows(selectors.members_for(w[role])) == rows
    found = [m.name_masked for m in selectors.members_for(w[role], text="周华")]
    assert found == (["周*"] if (B1, "周*") in rows else [])


def test_members_for_another_branch_is_empty_for_an_organiser(w):
    """organiser2 asking for branch1's members (or searching a branch1 member by name) gets nothing."""
    assert list(selectors.members_for(w["organiser2"], org=w["branch1"])) == []
    assert list(selectors.members_for(w["organiser2"], text="周华")) == []
    assert list(selectors.meetings_for(w["organiser2"], org=w["branch1"])) == []
    assert _rows(selectors.members_for(w["organiser1"], org=w["branch1"])) == ALL_MEMBERS[:3]
    assert _rows(selectors.members_for(w["organiser1"], org=w["group1"])) == [(G1, "吴*")]


@pytest.mark.parametrize("role", ["organiser2", "group_organiser", "worker", "street", "other_secretary"])
def test_get_member_for_out_of_reach_answers_not_found(w, role):
    """A member out of reach answers NotFound, exactly like a member that does not exist."""
    with pytest.raises(NotFound):
        selectors.get_member_for(w[role], w["m_branch1"].public_id)
    with pytest.raises(NotFound):
        selectors.get_meeting_for(w[role], w["meeting1"].public_id)


@pytest.mark.parametrize("role", ["organiser0", "organiser1", "secretary"])
def test_get_member_for_within_reach(w, role):
    assert selectors.get_member_for(w[role], w["m_branch1"].public_id) == w["m_branch1"]
    assert selectors.get_meeting_for(w[role], w["meeting1"].public_id) == w["meeting1"]


def test_get_member_for_a_missing_or_malformed_id_answers_not_found(w):
    with pytest.raises(NotFound):
        selectors.get_member_for(w["secretary"], "00000000-0000-0000-0000-000000000000")
    with pytest.raises(NotFound):
        selectors.get_member_for(w["secretary"], "not-a-uuid")


def test_view_roles_find_an_organisation_but_not_as_reached(w):
    """A community worker opens branch1's page (party.view) but not its reached form (members, records)."""
    assert selectors.get_org_for(w["worker"], w["branch1"].public_id) == w["branch1"]
    with pytest.raises(NotFound):
        selectors.get_reached_org_for(w["worker"], w["branch1"].public_id)
    with pytest.raises(NotFound):
        selectors.get_org_for(w["other_worker"], w["branch1"].public_id)
    assert selectors.get_reached_org_for(w["organiser1"], w["group1"].public_id) == w["group1"]
    with pytest.raises(NotFound):
        selectors.get_reached_org_for(w["organiser1"], w["branch2"].public_id)


# --- refused writes change nothing ---------------------------------------------------------------------------


WRITES: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "member_add": lambda actor, w: services.member_add(
        actor=actor,
        org=w["branch1"],
        data=services.MemberInput(
            name="钱进", status="full", joined_on=datetime.date(2010, 1, 1), full_on=datetime.date(2011, 1, 1)
        ),
    ),
    "member_make_full": lambda actor, w: services.member_make_full(
        actor=actor, member=w["p_branch1"], full_on=datetime.date(2025, 6, 1)
    ),
    "member_transfer_out": lambda actor, w: services.member_transfer(
        actor=actor, member=w["m_branch1"], on=datetime.date(2025, 6, 1), outside_org="青羊区某街道党工委"
    ),
    "member_transfer_within": lambda actor, w: services.member_transfer(
        actor=actor, member=w["m_branch1"], on=datetime.date(2025, 6, 1), to_org=w["branch2"]
    ),
    "member_reveal": lambda actor, w: services.member_reveal(actor=actor, member=w["m_branch1"], reason="核对信息"),
    "post_assign": lambda actor, w: services.post_assign(
        actor=actor,
        org=w["branch1"],
        member=w["m_group1"],
        post="organisation",
        term_starts_on=datetime.date(2024, 1, 1),
        term_ends_on=datetime.date(2028, 12, 31),
    ),
    "post_end": lambda actor, w: services.post_end(actor=actor, post=w["post1"], on=datetime.date(2025, 6, 1)),
    "meeting_record": lambda actor, w: services.meeting_record(
        actor=actor,
        org=w["branch1"],
        data=services.MeetingInput(kind="general", held_on=HELD_ON, topic="民主评议", present=[w["m_branch1"]]),
    ),
    "org_create": lambda actor, w: services.org_create(
        actor=actor,
        data=services.OrgInput(level="group", name="锦苑小区2栋党小组", area=w["m112"], parent=w["branch1"]),
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize(
    "role", ["organiser2", "group_organiser", "worker", "street", "district_officer", "other_secretary"]
)
def test_writes_on_branch1_are_refused_and_change_nothing(w, role, write):
    """Nobody but branch1's organisers above it and the community secretary writes on branch1 (its group's
    organiser included: a group organiser does not manage the branch above)."""
    before = party_state()
    with pytest.raises(PermissionDenied):
        WRITES[write](w[role], w)
    assert party_state() == before


def test_an_organiser_cannot_transfer_a_member_into_a_branch_they_do_not_manage(w):
    """organiser1 manages the member (branch1) but not branch2: refused, nothing written."""
    before = party_state()
    with pytest.raises(PermissionDenied) as exc:
        WRITES["member_transfer_within"](w["organiser1"], w)
    assert str(exc.value) == "只有本党组织及上级党组织的党务工作者可以管理"
    assert party_state() == before


def test_an_organiser_cannot_set_up_an_organisation_beside_their_own(w):
    """organiser1 cannot add a branch under the committee above them; the community secretary can."""
    data = services.OrgInput(level="branch", name="洗面桥社区第三党支部", area=w["c1"], parent=w["committee"])
    before = party_state()
    with pytest.raises(PermissionDenied):
        services.org_create(actor=w["organiser1"], data=data)
    assert party_state() == before
    created = services.org_create(actor=w["secretary"], data=data)
    assert (created.unit.name, created.unit.kind, created.tree_path) == (
        "洗面桥社区第三党支部",
        "party_branch",
        f"{w['committee'].pk}/{created.pk}/",
    )


@pytest.mark.parametrize("write", [name for name in WRITES if name != "member_transfer_within"])
def test_the_organiser_of_branch1_may_do_each_write(w, write):
    """The same calls succeed for branch1's organiser (all but the transfer into branch2, refused above), each with
    one audit record: the refusals above come from who asks, not from the data."""
    audits = AuditRecord.objects.count()
    WRITES[write](w["organiser1"], w)
    assert AuditRecord.objects.count() == audits + 1
