"""Who may do what with community c1's actors and joint meetings, as a table, then the scoped reads of each role.

Community staff of c1 and the organiser of c1's Party committee manage; street and district officers above c1 read;
staff of a unit present in c1 (the property company of one of its compounds, a district department with a role in
c1) read; staff of another community, a unit of another community and the organiser of a compound branch see
nothing.
"""

import pytest

from shequ.coordination import selectors
from shequ.coordination.tests.factories import meeting
from shequ.core.errors import NotFound
from shequ.core.permissions import can

pytestmark = pytest.mark.django_db

ACTIONS = ("coordination.view", "coordination.manage", "coordination.reveal")
ALL = frozenset(ACTIONS)
VIEW = frozenset({"coordination.view"})
NONE: frozenset[str] = frozenset()

TABLE = {
    "secretary": ALL,
    "worker": ALL,
    "organiser0": ALL,  # organiser of c1's Party committee
    "street": VIEW,
    "district_officer": VIEW,
    "org_staff": VIEW,  # property company placed in compound1 of c1
    "dept_officer": VIEW,  # district department with a role in c1
    "organiser1": NONE,  # organiser of a compound branch: does not reach the committee
    "other_worker": NONE,
    "other_secretary": NONE,
    "other_org_staff": NONE,
}


@pytest.mark.parametrize("who", list(TABLE))
def test_table(w, who):
    """The actions each actor may take on c1, on a role of c1, on a meeting and on a follow-up of c1."""
    m = meeting(w)
    objects = (w["c1"], w["role_rc"], m, m.follow_ups.get())
    for obj in objects:
        allowed = {a for a in ACTIONS if can(w[who], a, obj)}
        assert allowed == TABLE[who], (who, obj)


@pytest.mark.parametrize("who", list(TABLE))
def test_scoped_reads(w, who):
    """Lists hold c1's rows exactly for those who may view c1; a detail outside answers "not found"."""
    m = meeting(w)
    sees = "coordination.view" in TABLE[who]
    actor = w[who]
    assert list(selectors.communities_for(actor).filter(pk=w["c1"].pk)) == ([w["c1"]] if sees else [])
    assert selectors.roles_for(actor, community=w["c1"]).count() == (2 if sees else 0)
    assert selectors.meetings_for(actor).filter(pk=m.pk).exists() is sees
    if sees:
        assert selectors.get_meeting_for(actor, m.public_id) == m
    else:
        with pytest.raises(NotFound):
            selectors.get_meeting_for(actor, m.public_id)
        with pytest.raises(NotFound):
            selectors.get_community_for(actor, w["c1"].public_id)


def test_other_community_is_not_seen_from_c1(w):
    assert not selectors.communities_for(w["worker"]).filter(pk=w["c2"].pk).exists()
    assert selectors.communities_for(w["other_org_staff"]).filter(pk=w["c2"].pk).exists()


def test_without_roles_nothing_at_all(w):
    from shequ.accounts.tests.factories import UserFactory

    nobody = UserFactory(username="nobody")
    assert not any(can(nobody, a) for a in ACTIONS)
    assert selectors.communities_for(nobody).count() == 0


def test_centre_and_ring(w):
    """The centre is the community's committee with its secretary masked for those who see Party posts; units are
    grouped by kind; the department is present through its role; a street unit without a role is not in the ring."""
    centre = selectors.centre_for(w["worker"], w["c1"])
    assert (centre.org, centre.secretary) == (w["committee"], "周*")
    assert selectors.centre_for(w["org_staff"], w["c1"]).secretary == ""  # Party posts are not theirs to see
    ring = {
        g.key: [(r.unit.name, r.role is not None, r.present_only) for r in g.rows] for g in selectors.ring_of(w["c1"])
    }
    assert ring == {
        "party": [
            ("洗面桥社区第二党支部", False, False),
            ("锦苑小区1栋党小组", False, False),
            ("锦苑小区党支部", False, False),
        ],
        "residents_committee": [("洗面桥社区居民委员会", True, False)],
        "owners": [("锦苑小区业主委员会", False, False)],
        "property_company": [("锦苑物业公司", False, False)],
        "social_org": [("益民社工服务中心", False, False)],
        "department": [("武侯区住房建设局", True, True)],
    }
