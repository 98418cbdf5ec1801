"""The Party services and selectors on a database: the rules of 支部工作条例 as the services enforce them (branch
size, committee size, the general meeting's quorum and majority, elections, transfers and the roll of a meeting),
the audited reveal of a member, member input refused field by field, the schedule of 三会一课 and coverage.

Every refusal asserts the exact Chinese message and stable code, and that nothing was written. "Now" is the
suite's fixed clock, Monday 16 March 2026 (Q1 2026).
"""

import datetime
import json
from fractions import Fraction
from typing import Any

import pytest
from django.db import connection

from shequ.core.errors import ValidationError
from shequ.core.models import AuditRecord
from shequ.party import encryption, selectors, services
from shequ.party.models import Attendance, Decision, Post
from shequ.party.tests.factories import NAMES, make_party_world, member, members, org, party_state
from shequ.territory.models import Compound

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 3, 16)  # conftest.FIXED_NOW in Asia/Shanghai
TERM = {"term_starts_on": D(2024, 1, 1), "term_ends_on": D(2028, 12, 31)}
TOO_FEW = "正式党员不足 3 人，不能单独成立党支部，应当与邻近单位的党员联合成立党支部"
USUAL_SIZE = "支部委员会一般由 3 至 5 人组成"
NOT_ON_ROLL = "%s 在会议当天不是本党组织的党员（已转出或尚未入党）"


@pytest.fixture
def w(clock):
    return make_party_world()


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[tuple[str, str]]]:
    """{field: [(message, code)]} of a ValidationError raised by a service."""
    return {
        name: [(str(e.message % e.params if e.params else e.message), str(e.code)) for e in errors]
        for name, errors in exc.value.error_dict.items()
    }


def general(held_on: datetime.date, present: list[Any], decisions: Any = (), *, election: bool = False) -> Any:
    return services.MeetingInput(
        kind="general",
        held_on=held_on,
        topic="支部党员大会",
        election=election,
        present=list(present),
        decisions=list(decisions),
    )


# --- organisations -------------------------------------------------------------------------------------------


def test_org_create_builds_the_party_tree_with_units(w):
    """Each organisation is a unit of its Party kind; tree paths chain the ids; the set-up is audited."""
    c, b1, b2, g1 = w["committee"], w["branch1"], w["branch2"], w["group1"]
    assert [(o.unit.kind, o.level, o.tree_path) for o in (c, b1, b2, g1)] == [
        ("party_committee", "committee", f"{c.pk}/"),
        ("party_branch", "branch", f"{c.pk}/{b1.pk}/"),
        ("party_branch", "branch", f"{c.pk}/{b2.pk}/"),
        ("party_group", "group", f"{c.pk}/{b1.pk}/{g1.pk}/"),
    ]
    assert (g1.unit.area, g1.unit.compound, g1.unit.building) == (w["m111"], w["compound1"], w["b1"])
    record = AuditRecord.objects.get(action="party.org_created", object_id=str(b1.public_id))
    assert (record.actor_id, record.after) == (
        w["secretary"].pk,
        {"name": "锦苑小区党支部", "level": "branch", "area": w["c1"].code, "joint": False},
    )


@pytest.mark.parametrize(
    ("level", "parent", "joint", "joint_units", "field", "message", "code"),
    [
        (
            "group",
            "committee",
            False,
            "",
            "parent",
            "党小组不能设在党委之下，只能设在党支部之下",
            "party.level_invalid",
        ),
        ("group", None, False, "", "parent", "党小组须设在党支部之下", "party.level_invalid"),
        (
            "group",
            "branch1",
            True,
            "物业公司",
            "joint_units",
            "只有党支部可以是联合党支部，且须写明联合的单位",
            "party.joint_invalid",
        ),
        (
            "branch",
            "committee",
            True,
            "",
            "joint_units",
            "只有党支部可以是联合党支部，且须写明联合的单位",
            "party.joint_invalid",
        ),
    ],
)
def test_org_create_refuses_a_wrong_level_or_joint(w, level, parent, joint, joint_units, field, message, code):
    data = services.OrgInput(
        level=level,
        name="新党组织",
        area=w["c1"],
        parent=w[parent] if parent else None,
        joint=joint,
        joint_units=joint_units,
    )
    before = party_state()
    with pytest.raises(ValidationError) as exc:
        services.org_create(actor=w["secretary"], data=data)
    assert errors_of(exc) == {field: [(message, code)]}
    assert party_state() == before


# --- branch size and the committee ---------------------------------------------------------------------------


def test_health_of_a_branch_with_two_full_members_is_an_error(w):
    """Two full members (one of them in the branch's group) and a probationary one: too few for a branch."""
    member(w["organiser1"], w["branch1"], "周华")
    member(w["organiser1"], w["group1"], "吴敏")
    member(w["organiser1"], w["branch1"], "孙悦", status="probationary")
    health = selectors.health_of(w["branch1"])
    assert (health.full_members, health.probationary, health.committee) == (2, 1, 0)
    assert (health.errors, health.warnings) == ((TOO_FEW,), ())


def test_health_of_a_joint_branch_with_two_full_members_is_only_advice(w):
    joint = org(
        w["secretary"],
        "branch",
        "联合党支部",
        w["c1"],
        parent=w["committee"],
        joint=True,
        joint_units="物业公司、幼儿园",
    )
    assert (joint.joint, joint.joint_units) == (True, "物业公司、幼儿园")
    members(w["secretary"], joint, 2)
    health = selectors.health_of(joint)
    assert (health.full_members, health.errors, health.warnings) == (2, (), ("联合党支部的正式党员仍不足 3 人",))


def test_health_of_a_branch_with_three_full_members_is_clean(w):
    members(w["organiser1"], w["branch1"], 3)
    health = selectors.health_of(w["branch1"])
    assert (health.full_members, health.errors, health.warnings) == (3, (), ())


def test_health_of_a_branch_with_seven_full_members_and_no_committee_warns(w):
    members(w["organiser2"], w["branch2"], 7)
    health = selectors.health_of(w["branch2"])
    assert (health.full_members, health.committee) == (7, 0)
    assert (health.errors, health.warnings) == ((), ("有正式党员 7 人以上的党支部，应当设立支部委员会",))
    assert selectors.meeting_kinds_of(w["branch2"]) == ["general", "committee", "lesson", "themed_day"]


COMMITTEE_POSTS = ("secretary", "deputy_secretary", "organisation", "publicity", "discipline", "member", "member")


def test_a_committee_of_eight_is_refused_and_six_is_a_warning(w):
    """Eight full members; posts for seven members one by one. A secretary and a deputy alone are no committee yet
    (a branch of 7 or more full members should set one up); 3–5 members give no advice, 6 and 7 do; the eighth
    member of the committee is refused with the Chinese message and code, and nothing is written."""
    people = members(w["organiser1"], w["branch1"], 8)
    warnings = []
    for person, post in zip(people, COMMITTEE_POSTS, strict=False):
        row, advice = services.post_assign(actor=w["organiser1"], org=w["branch1"], member=person, post=post, **TERM)
        assert (row.org, row.member, row.post, row.ended_on) == (w["branch1"], person, post, None)
        warnings.append(advice)
        if len(warnings) == 6:
            health = selectors.health_of(w["branch1"])
            assert (health.committee, health.errors, health.warnings) == (6, (), (USUAL_SIZE,))
    set_up = ("有正式党员 7 人以上的党支部，应当设立支部委员会",)
    assert warnings == [set_up, set_up, (), (), (), (USUAL_SIZE,), (USUAL_SIZE,)]
    assert selectors.committee_size(w["branch1"]) == 7

    before = party_state()
    with pytest.raises(ValidationError) as exc:
        services.post_assign(actor=w["organiser1"], org=w["branch1"], member=people[7], post="member", **TERM)
    assert errors_of(exc) == {"post": [("支部委员会最多不超过 7 人", "party.committee_too_large")]}
    assert party_state() == before

    # A second post of a committee member does not grow the committee; a group leader is not on it.
    _row, advice = services.post_assign(
        actor=w["organiser1"], org=w["branch1"], member=people[0], post="member", **TERM
    )
    assert advice == (USUAL_SIZE,)
    _row, advice = services.post_assign(
        actor=w["organiser1"], org=w["branch1"], member=people[7], post="group_leader", **TERM
    )
    assert advice == ()
    assert selectors.committee_size(w["branch1"]) == 7
    assert AuditRecord.objects.filter(action="party.post_assigned").count() == 9


def test_post_assign_refuses_a_member_of_another_organisation_and_a_post_held(w):
    mine = member(w["organiser1"], w["branch1"], "周华")
    other = member(w["secretary"], w["branch2"], "郑强")
    before = party_state()
    with pytest.raises(ValidationError) as exc:
        services.post_assign(actor=w["secretary"], org=w["branch1"], member=other, post="secretary", **TERM)
    assert errors_of(exc) == {"member": [("只能从本党组织的在册党员中任职", "party.not_a_member")]}
    assert party_state() == before
    services.post_assign(actor=w["secretary"], org=w["branch1"], member=mine, post="secretary", **TERM)
    before = party_state()
    with pytest.raises(ValidationError) as exc:
        services.post_assign(actor=w["secretary"], org=w["branch1"], member=mine, post="secretary", **TERM)
    assert errors_of(exc) == {"post": [("该党员已担任此职务", "party.post_invalid")]}
    assert party_state() == before


# --- the general meeting -------------------------------------------------------------------------------------


def test_a_meeting_with_fewer_than_half_present_is_kept_but_not_valid(w):
    """5 full members, 2 present (and a probationary member): kept with valid=False; its decision does not pass
    even with every vote of those present."""
    full = members(w["organiser2"], w["branch2"], 5)
    probationary = member(w["organiser2"], w["branch2"], "孙悦", status="probationary")
    decision = services.DecisionInput(title="发展对象人选", votes_for=2)
    meeting = services.meeting_record(
        actor=w["organiser2"],
        org=w["branch2"],
        data=general(D(2026, 3, 2), [full[0], full[1], probationary], [decision]),
    )
    meeting.refresh_from_db()
    assert (meeting.kind, meeting.entitled, meeting.present, meeting.valid) == ("general", 5, 2, False)
    assert list(Decision.objects.filter(meeting=meeting).values_list("title", "votes_for", "passed")) == [
        ("发展对象人选", 2, False)
    ]
    attendance = {a.member_id: (a.status, a.present) for a in Attendance.objects.filter(meeting=meeting)}
    assert attendance == {
        full[0].pk: ("full", True),
        full[1].pk: ("full", True),
        full[2].pk: ("full", False),
        full[3].pk: ("full", False),
        full[4].pk: ("full", False),
        probationary.pk: ("probationary", True),
    }
    record = AuditRecord.objects.get(action="party.meeting_recorded")
    assert record.after == {
        "org": "洗面桥社区第二党支部",
        "kind": "general",
        "held_on": "2026-03-02",
        "entitled": 5,
        "present": 2,
        "valid": False,
        "decisions": [{"title": "发展对象人选", "passed": False}],
    }


@pytest.mark.parametrize(
    ("present", "votes_for", "valid", "passed"),
    [
        (2, 2, False, False),  # exactly half present: not more than half
        (3, 3, True, True),  # more than half present; 3 votes of 4 entitled
        (3, 2, True, False),  # 2 of 3 present is a majority of those present, not of the 4 entitled
        (4, 3, True, True),
    ],
)
def test_general_meeting_quorum_and_majority_are_of_those_entitled(w, present, votes_for, valid, passed):
    full = members(w["organiser1"], w["branch1"], 4)
    decision = services.DecisionInput(title="换届选举方案", votes_for=votes_for, votes_against=present - votes_for)
    meeting = services.meeting_record(
        actor=w["organiser1"], org=w["branch1"], data=general(D(2026, 3, 2), full[:present], [decision])
    )
    assert (meeting.entitled, meeting.present, meeting.valid) == (4, present, valid)
    assert list(Decision.objects.filter(meeting=meeting).values_list("passed", flat=True)) == [passed]


def test_probationary_members_present_do_not_count(w):
    """4 full and 2 probationary members; 2 full and both probationary present: 2 of 4, not valid."""
    full = members(w["organiser1"], w["branch1"], 4)
    prob = members(w["organiser1"], w["branch1"], 2, status="probationary", start=4)
    meeting = services.meeting_record(
        actor=w["organiser1"], org=w["branch1"], data=general(D(2026, 3, 2), [*full[:2], *prob])
    )
    assert (meeting.entitled, meeting.present, meeting.valid) == (4, 2, False)
    assert Attendance.objects.filter(meeting=meeting, present=True).count() == 4


def test_a_member_not_yet_full_on_the_day_counts_as_probationary(w):
    """Full since 1 February 2026: probationary at a meeting on 15 January, so neither entitled nor counted."""
    full = members(w["organiser1"], w["branch1"], 3)
    late = member(w["organiser1"], w["branch1"], "杨帆", joined_on=D(2025, 1, 10), full_on=D(2026, 2, 1))
    meeting = services.meeting_record(
        actor=w["organiser1"], org=w["branch1"], data=general(D(2026, 1, 15), [full[0], full[1], late])
    )
    assert (meeting.entitled, meeting.present, meeting.valid) == (3, 2, True)
    assert Attendance.objects.get(meeting=meeting, member=late).status == "probationary"


@pytest.mark.parametrize(("present", "valid", "elected"), [(4, False, False), (5, True, True)])
def test_an_election_needs_more_than_four_fifths(w, present, valid, elected):
    """5 full members: 4 present is exactly 4/5 and not enough; 5 is. A candidate needs more than half of those
    present."""
    full = members(w["organiser1"], w["branch1"], 5)
    candidate = services.DecisionInput(title="选举支部书记", votes_for=present)
    meeting = services.meeting_record(
        actor=w["organiser1"],
        org=w["branch1"],
        data=general(D(2026, 3, 2), full[:present], [candidate], election=True),
    )
    assert (meeting.election, meeting.entitled, meeting.present, meeting.valid) == (True, 5, present, valid)
    assert list(Decision.objects.filter(meeting=meeting).values_list("passed", flat=True)) == [elected]


@pytest.mark.parametrize(
    ("data", "field", "message", "code"),
    [
        (
            {"decisions": [services.DecisionInput(title="事项", votes_for=2, votes_against=1)]},
            "decisions[0].votes_for",
            "票数不符合：赞成、反对、弃权之和不能多于实到正式党员",
            "party.counts_invalid",
        ),
        ({"held_on": D(2026, 3, 17)}, "held_on", "日期不能晚于今天", "party.future_date"),
        ({"kind": "lesson", "election": True}, "election", "只有党员大会可以进行选举", "party.kind_invalid"),
        ({"kind": "committee"}, "kind", "该党组织不召开此类会议", "party.kind_invalid"),  # 3 members: no committee
        ({"kind": "party"}, "kind", "须选择会议类型", "party.kind_invalid"),
        ({"topic": " "}, "topic", "须填写内容", "party.text_required"),
    ],
)
def test_meeting_record_refuses_bad_input_and_writes_nothing(w, data, field, message, code):
    full = members(w["organiser1"], w["branch1"], 3)
    fields = {"kind": "general", "held_on": D(2026, 3, 2), "topic": "支部党员大会", "present": full[:2], **data}
    before = party_state()
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(actor=w["organiser1"], org=w["branch1"], data=services.MeetingInput(**fields))
    assert errors_of(exc) == {field: [(message, code)]}
    assert party_state() == before


# --- transfers -----------------------------------------------------------------------------------------------


def test_a_member_transferred_out_cannot_attend_a_later_meeting_but_can_an_earlier_one(w):
    zhou, wu, zheng = members(w["organiser1"], w["branch1"], 3)
    services.post_assign(actor=w["organiser1"], org=w["branch1"], member=zhou, post="secretary", **TERM)
    out = services.member_transfer(
        actor=w["organiser1"], member=zhou, on=D(2026, 2, 1), outside_org="青羊区少城街道党工委", note="工作调动"
    )
    assert (out.active, out.left_on, out.org) == (False, D(2026, 2, 1), w["branch1"])
    assert list(Post.objects.filter(member=zhou).values_list("post", "ended_on")) == [("secretary", D(2026, 2, 1))]

    for later in (D(2026, 2, 1), D(2026, 3, 2)):  # the day of the transfer already counts as after it
        before = party_state()
        with pytest.raises(ValidationError) as exc:
            services.meeting_record(actor=w["organiser1"], org=w["branch1"], data=general(later, [zhou, wu]))
        assert errors_of(exc) == {"present": [(NOT_ON_ROLL % "周*", "party.not_a_member")]}
        assert party_state() == before

    earlier = services.meeting_record(actor=w["organiser1"], org=w["branch1"], data=general(D(2026, 1, 15), [zhou, wu]))
    assert (earlier.entitled, earlier.present, earlier.valid) == (3, 2, True)
    assert Attendance.objects.get(meeting=earlier, member=zhou).present is True
    later = services.meeting_record(actor=w["organiser1"], org=w["branch1"], data=general(D(2026, 3, 2), [wu, zheng]))
    assert (later.entitled, later.present, later.valid) == (2, 2, True)
    assert set(Attendance.objects.filter(meeting=later).values_list("member_id", flat=True)) == {wu.pk, zheng.pk}

    # The history keeps both moves; the roll no longer shows the member, the "left" list does.
    history = [
        (t.kind, t.from_org_id, t.to_org_id, t.outside_org, t.on, t.note, t.recorded_by_id)
        for t in selectors.transfers_of(zhou)
    ]
    assert history == [
        ("in", None, w["branch1"].pk, "", D(2024, 1, 1), "登记", w["organiser1"].pk),
        ("out", w["branch1"].pk, None, "青羊区少城街道党工委", D(2026, 2, 1), "工作调动", w["organiser1"].pk),
    ]
    assert [m.name_masked for m in selectors.members_for(w["organiser1"], status="left")] == ["周*"]
    assert zhou.pk not in {m.pk for m in selectors.members_for(w["organiser1"])}
    assert selectors.health_of(w["branch1"]).errors == (TOO_FEW,)

    before = party_state()
    with pytest.raises(ValidationError) as exc:
        services.member_transfer(actor=w["organiser1"], member=zhou, on=D(2026, 3, 1), outside_org="某党组织")
    assert errors_of(exc) == {"member": [("该党员已转出", "party.member_inactive")]}
    assert party_state() == before


def test_a_member_of_another_branch_cannot_be_recorded_present(w):
    mine = members(w["organiser1"], w["branch1"], 3)
    theirs = member(w["secretary"], w["branch2"], "郑强")
    before = party_state()
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(actor=w["secretary"], org=w["branch1"], data=general(D(2026, 3, 2), [*mine, theirs]))
    assert errors_of(exc) == {"present": [(NOT_ON_ROLL % "郑*", "party.not_a_member")]}
    assert party_state() == before


def test_a_transfer_within_the_tree_moves_the_member_and_keeps_history(w):
    """吴敏 moves from group1 up to branch1 (keeping the branch1 post, ending the group1 one), then to branch2
    (ending the branch1 post too): a post is held only by a member of its organisation or below it."""
    wu = member(w["secretary"], w["group1"], "吴敏")
    services.post_assign(actor=w["secretary"], org=w["branch1"], member=wu, post="organisation", **TERM)
    services.post_assign(actor=w["secretary"], org=w["group1"], member=wu, post="group_leader", **TERM)
    services.member_transfer(actor=w["secretary"], member=wu, on=D(2026, 1, 5), to_org=w["branch1"])
    assert sorted(Post.objects.filter(member=wu).values_list("org_id", "post", "ended_on")) == sorted(
        [(w["branch1"].pk, "organisation", None), (w["group1"].pk, "group_leader", D(2026, 1, 5))]
    )
    moved = services.member_transfer(actor=w["secretary"], member=wu, on=D(2026, 2, 10), to_org=w["branch2"])
    assert (moved.org, moved.active, moved.left_on) == (w["branch2"], True, None)
    assert list(selectors.posts_of(w["branch1"])) == []
    assert selectors.committee_size(w["branch1"]) == 0
    assert [(t.kind, t.from_org_id, t.to_org_id, t.on) for t in selectors.transfers_of(wu)] == [
        ("in", None, w["group1"].pk, D(2024, 1, 1)),
        ("within", w["group1"].pk, w["branch1"].pk, D(2026, 1, 5)),
        ("within", w["branch1"].pk, w["branch2"].pk, D(2026, 2, 10)),
    ]
    assert [m.name_masked for m in selectors.members_for(w["organiser2"])] == ["吴*"]
    assert list(selectors.members_for(w["organiser1"])) == []
    record = AuditRecord.objects.filter(action="party.member_transferred").latest("id")
    assert (record.before, record.after) == (
        {"org": "锦苑小区党支部"},
        {"org": "洗面桥社区第二党支部", "on": "2026-02-10"},
    )


def test_a_past_meeting_takes_its_roll_from_the_transfer_history(w):
    """A member moved to branch2 on 10 Feb still counts at branch1's January meeting recorded afterwards, not at
    branch2's; one transferred in on 1 March (in the Party since 2010) does not count at a January meeting."""
    zhou, wu, zheng = members(w["organiser1"], w["branch1"], 3)
    services.member_transfer(actor=w["secretary"], member=zhou, on=D(2026, 2, 10), to_org=w["branch2"])
    newcomer = member(w["secretary"], w["branch1"], "冯刚", on=D(2026, 3, 1))
    january = services.meeting_record(actor=w["secretary"], org=w["branch1"], data=general(D(2026, 1, 15), [zhou, wu]))
    roll = set(Attendance.objects.filter(meeting=january).values_list("member_id", flat=True))
    assert (january.entitled, january.present, roll) == (3, 2, {zhou.pk, wu.pk, zheng.pk})
    assert newcomer.pk not in roll
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(actor=w["secretary"], org=w["branch2"], data=general(D(2026, 1, 20), [zhou]))
    assert errors_of(exc) == {"present": [(NOT_ON_ROLL % "周*", "party.not_a_member")]}
    march = services.meeting_record(actor=w["secretary"], org=w["branch2"], data=general(D(2026, 3, 2), [zhou]))
    assert (march.entitled, march.present) == (1, 1)


@pytest.mark.parametrize(
    ("kwargs", "field", "message", "code"),
    [
        ({"on": D(2026, 2, 1)}, "to_org", "须选择转入的党组织或填写外部党组织名称", "party.target_invalid"),
        (
            {"on": D(2026, 2, 1), "to_org": "branch2", "outside_org": "某党组织"},
            "to_org",
            "须选择转入的党组织或填写外部党组织名称",
            "party.target_invalid",
        ),
        ({"on": None, "outside_org": "某党组织"}, "on", "须填写转接日期", "party.date_invalid"),
        ({"on": D(2026, 3, 17), "outside_org": "某党组织"}, "on", "日期不能晚于今天", "party.future_date"),
        ({"on": D(2023, 12, 31), "outside_org": "某党组织"}, "on", "转接日期不能早于上一次转接", "party.date_invalid"),
        (
            {"on": D(2026, 2, 1), "to_org": "branch1"},
            "to_org",
            "转入的党组织与现所在党组织相同",
            "party.target_invalid",
        ),
    ],
)
def test_member_transfer_refuses_bad_input(w, kwargs, field, message, code):
    zhou = member(w["secretary"], w["branch1"], "周华")
    if isinstance(kwargs.get("to_org"), str):
        kwargs = {**kwargs, "to_org": w[kwargs["to_org"]]}
    before = party_state()
    with pytest.raises(ValidationError) as exc:
        services.member_transfer(actor=w["secretary"], member=zhou, **kwargs)
    assert errors_of(exc) == {field: [(message, code)]}
    assert party_state() == before


# --- reveal --------------------------------------------------------------------------------------------------


def test_member_reveal_returns_the_clear_name_and_audits_the_reason(w):
    zhou = member(w["organiser1"], w["branch1"], "周华", mobile="138 1234 5678")
    revealed = services.member_reveal(actor=w["organiser1"], member=zhou, reason="  走访前核对联系方式 ")
    assert revealed == {"name": "周华", "mobile": "13812345678"}
    record = AuditRecord.objects.get(action="party.member_revealed")
    assert (record.actor_id, record.object_type, record.object_id, record.object_label, record.after) == (
        w["organiser1"].pk,
        "party.partymember",
        str(zhou.public_id),
        "周*",
        {"reason": "走访前核对联系方式"},
    )
    # Revealed again by the community secretary: a second record.
    assert services.member_reveal(actor=w["secretary"], member=zhou, reason="换届考察")["name"] == "周华"
    assert list(
        AuditRecord.objects.filter(action="party.member_revealed").order_by("id").values_list("actor_id", flat=True)
    ) == [w["organiser1"].pk, w["secretary"].pk]


@pytest.mark.parametrize("reason", ["", "   "])
def test_member_reveal_requires_a_reason(w, reason):
    zhou = member(w["organiser1"], w["branch1"], "周华")
    before = party_state()
    with pytest.raises(ValidationError) as exc:
        services.member_reveal(actor=w["organiser1"], member=zhou, reason=reason)
    assert errors_of(exc) == {"reason": [("须填写查看原因", "party.reason_required")]}
    assert party_state() == before


# --- member_add ----------------------------------------------------------------------------------------------

FULL = {"status": "full", "joined_on": D(2015, 7, 1), "full_on": D(2016, 7, 1)}


@pytest.mark.parametrize(
    ("data", "field", "message", "code"),
    [
        ({**FULL, "name": "吴敏"}, "name", "该党员已在本党组织登记", "party.member_duplicate"),
        ({**FULL, "name": " 吴敏 "}, "name", "该党员已在本党组织登记", "party.member_duplicate"),
        ({**FULL, "mobile": "1381234567"}, "mobile", "手机号码应为11位数字，以13–19开头", "party.mobile_invalid"),
        ({**FULL, "mobile": "12812345678"}, "mobile", "手机号码应为11位数字，以13–19开头", "party.mobile_invalid"),
        (
            {**FULL, "joined_on": D(2026, 3, 17), "full_on": None, "status": "probationary"},
            "joined_on",
            "日期不能晚于今天",
            "party.future_date",
        ),
        ({**FULL, "full_on": D(2026, 3, 17)}, "full_on", "日期不能晚于今天", "party.future_date"),
        ({**FULL, "on": D(2026, 3, 17)}, "on", "日期不能晚于今天", "party.future_date"),
        ({**FULL, "full_on": None}, "full_on", "正式党员须填写转正日期", "party.date_invalid"),
        ({**FULL, "status": "probationary"}, "full_on", "预备党员没有转正日期", "party.date_invalid"),
        ({**FULL, "full_on": D(2015, 6, 30)}, "full_on", "转正日期不能早于入党日期", "party.date_invalid"),
        (
            {**FULL, "joined_on": None, "full_on": None, "status": "probationary"},
            "joined_on",
            "须填写入党日期",
            "party.date_invalid",
        ),
        ({**FULL, "status": "candidate", "full_on": None}, "status", "须选择党员类别", "party.status_invalid"),
        ({**FULL, "name": ""}, "name", "须填写内容", "party.text_required"),
        ({**FULL, "name": "吴敏13812345678"}, "name", "请勿填写手机号码或身份证号码", "party.personal_number"),
    ],
)
def test_member_add_refuses_bad_input_and_writes_nothing(w, data, field, message, code):
    member(w["organiser1"], w["branch1"], "吴敏")
    fields = {"name": "周华", **data}
    before = party_state()
    with pytest.raises(ValidationError) as exc:
        services.member_add(actor=w["organiser1"], org=w["branch1"], data=services.MemberInput(**fields))
    assert errors_of(exc) == {field: [(message, code)]}
    assert party_state() == before


def test_the_same_name_may_be_recorded_in_another_organisation_and_after_a_transfer_out(w):
    first = member(w["secretary"], w["branch1"], "吴敏")
    member(w["secretary"], w["branch2"], "吴敏")
    services.member_transfer(actor=w["secretary"], member=first, on=D(2026, 2, 1), outside_org="某党组织")
    again = member(w["secretary"], w["branch1"], "吴敏", on=D(2026, 3, 1))
    assert (again.active, again.name_hash) == (True, first.name_hash)


def test_member_make_full_turns_a_probationary_member_full(w):
    sun = member(w["organiser1"], w["branch1"], "孙悦", status="probationary", joined_on=D(2025, 3, 1))
    made = services.member_make_full(actor=w["organiser1"], member=sun, full_on=D(2026, 3, 1))
    assert (made.status, made.full_on) == ("full", D(2026, 3, 1))
    assert selectors.health_of(w["branch1"]).full_members == 1
    before = party_state()
    with pytest.raises(ValidationError) as exc:
        services.member_make_full(actor=w["organiser1"], member=sun, full_on=D(2026, 3, 2))
    assert errors_of(exc) == {"member": [("该党员已是正式党员", "party.status_invalid")]}
    assert party_state() == before


# --- personal data -------------------------------------------------------------------------------------------


def test_a_member_row_holds_no_clear_name_or_mobile(w):
    zhou = member(w["organiser1"], w["branch1"], "周华", mobile="13812345678")
    ouyang = member(w["organiser1"], w["branch1"], "欧阳修")
    zhou.refresh_from_db()
    assert (zhou.name_masked, zhou.mobile_masked, ouyang.name_masked) == ("周*", "138****5678", "欧**")
    assert zhou.name_encrypted != "周华" and "周华" not in zhou.name_encrypted
    assert "13812345678" not in zhou.mobile_encrypted
    assert len(zhou.name_hash) == 64 and "周华" not in zhou.name_hash
    assert (encryption.name_of(zhou), encryption.mobile_of(zhou)) == ("周华", "13812345678")
    with connection.cursor() as cursor:  # the stored row as the database holds it, every column
        cursor.execute(f"SELECT * FROM party_partymember WHERE id = {zhou.pk}")  # noqa: S608 (an int)
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert "周华" not in stored and "13812345678" not in stored


def test_audit_records_of_members_carry_no_clear_name(w):
    """member_add records the organisation, the status and the masked name only; no record of any member service
    (add, post, meeting, transfer, reveal) holds the name or the mobile in any column."""
    zhou = member(w["organiser1"], w["branch1"], "周华", mobile="13812345678")
    others = members(w["organiser1"], w["branch1"], 2, start=1)
    record = AuditRecord.objects.get(action="party.member_added", object_id=str(zhou.public_id))
    assert (record.object_label, record.after) == ("周*", {"org": "锦苑小区党支部", "status": "full", "name": "周*"})
    services.post_assign(actor=w["organiser1"], org=w["branch1"], member=zhou, post="secretary", **TERM)
    services.meeting_record(actor=w["organiser1"], org=w["branch1"], data=general(D(2026, 1, 15), [zhou, *others]))
    services.member_reveal(actor=w["organiser1"], member=zhou, reason="核对")
    services.member_transfer(actor=w["organiser1"], member=zhou, on=D(2026, 2, 1), outside_org="某党组织")
    rows = list(AuditRecord.objects.filter(action__startswith="party.").values())
    assert len(rows) == 4 + 3 + 1 + 1 + 1 + 1  # 4 organisations, 3 members, post, meeting, reveal, transfer
    text = json.dumps(rows, default=str, ensure_ascii=False)
    for secret in ("周华", "13812345678", NAMES[1], NAMES[2]):
        assert secret not in text


# --- the schedule of 三会一课 --------------------------------------------------------------------------------


def test_due_for_lists_the_meetings_due_in_the_organiser_s_branch_only(w):
    """On 16 March 2026: branch1 held its general meeting in Q1 (not due) and its last themed Party day in December
    (due, two months missed, first); its lesson and its group's meeting were never held. branch2's organiser sees
    only branch2's."""
    three = members(w["organiser1"], w["branch1"], 3)
    services.meeting_record(actor=w["organiser1"], org=w["branch1"], data=general(D(2026, 1, 10), three))
    services.meeting_record(
        actor=w["organiser1"],
        org=w["branch1"],
        data=services.MeetingInput(kind="themed_day", held_on=D(2025, 12, 20), topic="主题党日", present=three),
    )
    due = selectors.due_for(w["organiser1"], TODAY)
    assert [(o.unit.name, d.kind, d.missed_periods, d.overdue, d.period_end) for o, d in due] == [
        ("锦苑小区党支部", "themed_day", 2, True, D(2026, 3, 31)),
        ("锦苑小区党支部", "lesson", 0, False, D(2026, 3, 31)),
        ("锦苑小区1栋党小组", "group", 0, False, D(2026, 3, 31)),
    ]
    assert due[0][1].explanation == (
        "2026年3月尚未召开主题党日，须在 2026年3月31日 前召开（还有 15 天）。"
        "上次召开于 2025年12月20日，其后 2 个月未召开。"
    )
    assert [(o.unit.name, d.kind) for o, d in selectors.due_for(w["organiser2"], TODAY)] == [
        ("洗面桥社区第二党支部", "general"),
        ("洗面桥社区第二党支部", "lesson"),
        ("洗面桥社区第二党支部", "themed_day"),
    ]
    assert selectors.due_for(w["worker"], TODAY) == []
    assert selectors.due_for(w["other_secretary"], TODAY) == []
    # The community secretary: the committee's committee meeting and lesson as well, 8 in all.
    assert len(selectors.due_for(w["secretary"], TODAY)) == 2 + 2 + 1 + 3


# --- coverage ------------------------------------------------------------------------------------------------


def test_coverage_of_compounds_and_micro_grids(w):
    """c1 has compound1 (branch1 and group1 both placed there: counted once) and a second compound without an
    organisation; of its 4 micro-grids, m111 has two groups (counted once), m121 one; a branch placed on m122 is
    not a group. c2 has nothing."""
    Compound.objects.create(community=w["c1"], code="510107001002-C02", name="锦苑二期")
    org(w["secretary"], "group", "锦苑小区1栋第二党小组", w["m111"], parent=w["branch1"], compound=w["compound1"])
    org(w["secretary"], "group", "第二党支部党小组", w["m121"], parent=w["branch2"])
    org(w["secretary"], "branch", "微网格党支部", w["m122"], parent=w["committee"])

    def figures(area):
        cov = selectors.coverage_of(area)
        return [(c.covered, c.total, c.share, c.text) for c in (cov.compounds, cov.micro_grids)]

    assert figures(w["c1"]) == [(1, 2, Fraction(1, 2), "50.0%"), (2, 4, Fraction(1, 2), "50.0%")]
    assert figures(w["s1"]) == figures(w["c1"])
    assert figures(w["g11"]) == [(0, 0, None, "—"), (1, 2, Fraction(1, 2), "50.0%")]
    assert figures(w["m112"]) == [(0, 0, None, "—"), (0, 1, Fraction(0), "0.0%")]
    assert figures(w["c2"]) == [(0, 1, Fraction(0), "0.0%"), (0, 4, Fraction(0), "0.0%")]
    assert figures(w["district"]) == [(1, 3, Fraction(1, 3), "33.3%"), (2, 8, Fraction(1, 4), "25.0%")]
