"""Services of deliberation: bodies, members, meetings, resolutions, proposals, residents' meetings.

Each write: the permitted actor succeeds with exact results; a refused one writes nothing (no row, no audit).
"""

import datetime

import pytest
from django.utils import timezone

from shequ.accounts.tests.factories import staff
from shequ.core.actors import ResidentActor
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.deliberation import proposal_services, selectors, services
from shequ.deliberation.models import Membership, Proposal, ProposalSupport, ResidentsMeeting
from shequ.deliberation.tests.factories import council, make_case, meeting
from shequ.registry.tests.factories import make_resident, make_world, valid_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    t = make_world()
    t["cw"] = t["registrar1"]
    t["others"] = [make_resident(t["c1"], t["d1"], name=f"成员{i}") for i in range(4)]
    return t


def _snapshot():
    return (Proposal.objects.count(), Membership.objects.count(), AuditRecord.objects.count())


def test_community_worker_sets_up_a_council_with_members(w):
    """The body is a Unit of kind residents_council with default rules; members are named as registered."""
    body = council(w["cw"], w["c1"], [w["zsf"], w["lisi"]], term_end=datetime.date(2027, 12, 31))
    assert body.kind == "residents_council" and body.area == w["c1"]
    names = [m.name for m in selectors.members_of(body)]
    assert sorted(names) == ["张三丰", "李四"]
    rule = selectors.rules_of(body).rule
    assert (rule.quorum.numerator, rule.quorum.denominator, rule.quorum.strict) == (1, 2, True)
    assert AuditRecord.objects.filter(action="deliberation.member_added").count() == 2


def test_worker_of_another_community_cannot_set_up_a_body(w):
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.body_create(actor=w["registrar2"], community=w["c1"], kind="residents_council", name="议事会")
    assert _snapshot() == before


def test_a_resident_cannot_serve_twice_at_once(w):
    body = council(w["cw"], w["c1"], [w["zsf"]])
    with pytest.raises(ValidationError) as exc:
        services.member_add(
            actor=w["cw"],
            body=body,
            data=services.MemberInput(role="member", term_start=datetime.date(2025, 1, 1), resident=w["zsf"]),
        )
    assert exc.value.message_dict == {"resident": ["该居民已是本机构的在任成员"]}


def test_term_ending_within_60_days_is_a_todo(w):
    """A body whose member's term ends within 60 days is listed under 任期即将届满; one ending later is not."""
    today = timezone.localdate()
    soon = council(w["cw"], w["c1"], [w["zsf"]], name="甲议事会", term_end=today + datetime.timedelta(days=60))
    council(w["cw"], w["c1"], [w["lisi"]], name="乙议事会", term_end=today + datetime.timedelta(days=61))
    assert list(selectors.bodies_with_term_ending(w["cw"], today)) == [soon]
    from shequ.deliberation.todos import deliberation_todos

    todo = deliberation_todos(w["cw"])[0]
    assert (str(todo.label), todo.count) == ("任期即将届满的议事机构", 1)


def test_meeting_resolution_adopts_a_proposal_with_quorum_and_majority(w):
    """5 members, 3 present (more than half), 2 yes of 3: passes; the proposal is adopted, then published."""
    members = [w["zsf"], w["lisi"], *w["others"][:3]]
    body = council(w["cw"], w["c1"], members)
    proposal = proposal_services.proposal_submit(
        actor=ResidentActor(w["lisi"]), community=w["c1"], title="加装电梯", description="二栋加装电梯的方案"
    )
    assert proposal.source == "member"  # 李四 serves on the council
    m = meeting(w["cw"], body)
    item = services.agenda_add(actor=w["cw"], meeting=m, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == "on_agenda"
    serving = list(selectors.serving_members(body, timezone.localdate()))
    present = [str(x.public_id) for x in serving[:3]]
    assert services.attendance_record(actor=w["cw"], meeting=m, present_ids=present) == 3
    votes = {present[0]: "yes", present[1]: "yes", present[2]: "no"}
    res = services.resolution_record(
        actor=w["cw"],
        meeting=m,
        data=services.ResolutionInput(title="", text="同意加装电梯", votes=votes, agenda_item=item),
    )
    assert (res.members, res.present, res.yes, res.no, res.abstain, res.quorum_met, res.passed) == (
        5,
        3,
        2,
        1,
        0,
        True,
        True,
    )
    assert res.explanation == (
        "应到 5 人，实到 3 人；法定人数为全体成员过半数（至少 3 人），达到法定人数。"
        "赞成 2 票，须出席人数的过半数（至少 2 票），决议通过。"
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision) == ("adopted", "同意加装电梯")
    services.resolution_publish(actor=w["cw"], resolution=res)
    proposal.refresh_from_db()
    assert proposal.status == "published" and proposal.published_at is not None
    # ... and the resolution is a public notice (公示) for a week, linked back to it
    from shequ.notices.models import Notice

    notice = Notice.objects.get(source_type="deliberation.resolution", source_id=str(res.public_id))
    assert (notice.kind, notice.status, (notice.ends_on - notice.starts_on).days) == ("resolution", "published", 6)
    assert notice.title == f"{body.name}决议：{res.title}" and "同意加装电梯" in notice.body


def test_without_quorum_the_resolution_fails_and_the_proposal_is_rejected(w):
    body = council(w["cw"], w["c1"], [w["zsf"], w["lisi"], *w["others"][:2]])
    proposal = proposal_services.proposal_submit(
        actor=w["cw"], community=w["c1"], title="楼道照明", description="更换楼道灯", source="party"
    )
    m = meeting(w["cw"], body)
    item = services.agenda_add(actor=w["cw"], meeting=m, proposal=proposal)
    serving = list(selectors.serving_members(body, timezone.localdate()))
    present = [str(x.public_id) for x in serving[:2]]  # 2 of 4 is half, not more
    services.attendance_record(actor=w["cw"], meeting=m, present_ids=present)
    res = services.resolution_record(
        actor=w["cw"],
        meeting=m,
        data=services.ResolutionInput(title="", text="同意", votes=dict.fromkeys(present, "yes"), agenda_item=item),
    )
    assert (res.quorum_met, res.passed) == (False, False)
    proposal.refresh_from_db()
    assert proposal.status == "rejected"


def test_an_absent_member_cannot_vote(w):
    body = council(w["cw"], w["c1"], [w["zsf"], w["lisi"]])
    m = meeting(w["cw"], body)
    serving = list(selectors.serving_members(body, timezone.localdate()))
    services.attendance_record(actor=w["cw"], meeting=m, present_ids=[str(serving[0].public_id)])
    with pytest.raises(ValidationError) as exc:
        services.resolution_record(
            actor=w["cw"],
            meeting=m,
            data=services.ResolutionInput(title="事项", text="内容", votes={str(serving[1].public_id): "yes"}),
        )
    assert exc.value.message_dict == {"votes": ["只有出席的在任成员可以表决"]}


def test_resident_support_reaches_the_threshold_once(w):
    """Supports count once per resident; reaching the threshold (2 here) makes the proposal 待上会."""
    body = council(w["cw"], w["c1"], [w["others"][0]])
    services.body_rules_update(actor=w["cw"], body=body, data=services.RulesInput(support_threshold=2))
    proposal = proposal_services.proposal_submit(
        actor=ResidentActor(w["zsf"]), community=w["c1"], title="增设充电桩", description="小区增设电动车充电桩"
    )
    assert (proposal.source, proposal.support_threshold, proposal.status) == ("resident", 2, "discussing")
    assert proposal_services.proposal_support(actor=ResidentActor(w["zsf"]), proposal=proposal) == 1
    assert proposal_services.proposal_support(actor=ResidentActor(w["zsf"]), proposal=proposal) == 1
    assert proposal_services.proposal_support(actor=ResidentActor(w["lisi"]), proposal=proposal) == 2
    proposal.refresh_from_db()
    assert proposal.status == "ready"


def test_a_resident_of_another_community_cannot_support_or_propose(w):
    proposal = proposal_services.proposal_submit(
        actor=ResidentActor(w["zsf"]), community=w["c1"], title="增设充电桩", description="小区增设电动车充电桩"
    )
    before = (ProposalSupport.objects.count(), *_snapshot())
    with pytest.raises(PermissionDenied):
        proposal_services.proposal_support(actor=ResidentActor(w["wang"]), proposal=proposal)
    with pytest.raises(PermissionDenied):
        proposal_services.proposal_submit(
            actor=ResidentActor(w["wang"]), community=w["c1"], title="外社区", description="不应成功"
        )
    assert (ProposalSupport.objects.count(), *_snapshot()) == before


def test_comments_are_hidden_with_a_reason(w):
    proposal = proposal_services.proposal_submit(
        actor=ResidentActor(w["zsf"]), community=w["c1"], title="增设充电桩", description="小区增设电动车充电桩"
    )
    comment = proposal_services.proposal_comment(actor=ResidentActor(w["lisi"]), proposal=proposal, text="支持")
    with pytest.raises(PermissionDenied):
        proposal_services.comment_hide(actor=w["registrar2"], comment=comment, reason="广告")
    proposal_services.comment_hide(actor=w["cw"], comment=comment, reason="含广告内容")
    assert list(selectors.comments_of(proposal, include_hidden=False)) == []
    assert [c.hidden_reason for c in selectors.comments_of(proposal, include_hidden=True)] == ["含广告内容"]


def test_case_becomes_a_proposal_once(w):
    case = make_case(w)
    proposal = proposal_services.proposal_from_case(actor=w["cw"], case=case)
    assert (proposal.source, proposal.title, proposal.case_id) == ("case", "楼道堆放杂物", case.pk)
    with pytest.raises(ValidationError):
        proposal_services.proposal_from_case(actor=w["cw"], case=case)


def test_progress_starts_and_completion_ends_the_implementation(w):
    body = council(w["cw"], w["c1"], [w["zsf"]])
    proposal = proposal_services.proposal_submit(
        actor=w["cw"], community=w["c1"], title="修缮花坛", description="修缮花坛", source="staff"
    )
    m = meeting(w["cw"], body)
    item = services.agenda_add(actor=w["cw"], meeting=m, proposal=proposal)
    member = selectors.serving_members(body, timezone.localdate()).get()
    services.attendance_record(actor=w["cw"], meeting=m, present_ids=[str(member.public_id)])
    res = services.resolution_record(
        actor=w["cw"],
        meeting=m,
        data=services.ResolutionInput(title="", text="同意", votes={str(member.public_id): "yes"}, agenda_item=item),
    )
    services.resolution_publish(actor=w["cw"], resolution=res)
    proposal_services.progress_add(actor=w["cw"], proposal=proposal, note="已开工", day=timezone.localdate())
    proposal.refresh_from_db()
    assert proposal.status == "in_progress"
    proposal_services.proposal_complete(actor=w["cw"], proposal=proposal, note="已完工验收")
    proposal.refresh_from_db()
    assert proposal.status == "completed" and proposal.completed_at is not None


def test_residents_meeting_request_counts_adults_against_a_fifth(w):
    """Adults of c1 (张三丰, 李四, four others; 小明 has no birth date so counts): 7 -> a fifth needs 2."""
    minor = make_resident(w["c1"], w["d1"], name="小红", id_number=valid_id("20150101", 321))
    request = services.meeting_request_open(actor=w["cw"], community=w["c1"], basis="residents", subject="停车管理")
    assert request.entitled == 7
    with pytest.raises(ValidationError) as exc:
        services.meeting_request_support(actor=w["cw"], request=request, resident=minor)
    assert exc.value.message_dict == {"resident": ["只有十八周岁以上的居民可以提议召开居民会议"]}
    assert services.meeting_request_support(actor=w["cw"], request=request, resident=w["zsf"]) == 1
    assert services.meeting_request_support(actor=w["cw"], request=request, resident=w["lisi"]) == 2
    request.refresh_from_db()
    assert request.status == "reached"


def test_residents_meeting_validity_follows_article_nine(w):
    """7 adults entitled (小明 has no recorded birth date and counts): 4 present is more than half, 3 of 4 pass."""
    rm = services.residents_meeting_record(
        actor=w["cw"],
        community=w["c1"],
        data=services.ResidentsMeetingInput(
            held_on=timezone.localdate(), subject="停车管理", basis="residents", present=4, yes=3
        ),
    )
    assert (rm.entitled, rm.valid, rm.passed) == (7, True, True)
    with pytest.raises(PermissionDenied):
        services.residents_meeting_record(
            actor=w["registrar2"],
            community=w["c1"],
            data=services.ResidentsMeetingInput(
                held_on=timezone.localdate(), subject="x", basis="residents", present=1, yes=1
            ),
        )
    assert ResidentsMeeting.objects.count() == 1


def test_a_street_officer_sees_but_cannot_manage(w):
    officer = staff("street_officer", w["s1"])
    body = council(w["cw"], w["c1"], [w["zsf"]])
    assert list(selectors.bodies_for(officer)) == [body]
    with pytest.raises(PermissionDenied):
        meeting(officer, body)
