"""The demo's "one core, many actors" (一核多元) and joint meetings (联席会议).

What it makes, through the coordination services (so validation, encryption and audit records are the product's):

- in the first community, as its community Party secretary (secretary1): the responsibilities of the community
  Party committee and of every unit placed in the community (property company, owners' committee, social work
  station …) and of the three district departments (present through their role), each with a contact person;
- four quarterly joint meetings over the past year convened by the community Party committee, with minutes and
  follow-ups: the older ones done, one filed as a case (立案), one turned into a proposal (转为议题), and in the latest
  meeting one follow-up past its due date (the home page's to-do) and one still due;
- in each other staffed community, lightly: the committee's responsibilities and one joint meeting with a district
  department.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from shequ.accounts.models import RoleAssignment
from shequ.core.demo import DemoContext
from shequ.organisations.models import Unit
from shequ.territory.demo import first_community

from . import selectors, services

RNG_OFFSET = 1949

DUTIES = {
    "party_committee": "把方向、管大局、保落实：召集联席会议，统筹辖区各方力量，推动议定事项落实。",
    "party_branch": "组织小区党员亮身份、作表率，带动居民参与小区治理。",
    "party_general_branch": "统筹所属党支部开展组织生活和志愿服务。",
    "party_group": "联系微网格内的党员和居民，收集反映问题。",
    "residents_committee": "依法组织居民自治，协助政府做好公共服务，组织居民议事会。",
    "property_company": "按合同做好小区保洁、绿化、秩序维护和设施设备维修，定期公开收支。",
    "owners_committee": "执行业主大会决定，监督物业服务合同履行，组织业主表决。",
    "social_org": "承接社区服务项目，开展助老、托幼和社工专业服务。",
    "department": "按职责指导和支持社区相关工作，承办社区上报的专业事项。",
}
MEETINGS = (
    ("小区停车秩序整治", "各方同意重新划定车位、规范充电桩管理；物业负责施工，居委会组织居民议事。"),
    ("老旧小区改造前期协调", "住建部门介绍改造政策，业委会征集业主意见，物业配合勘察。"),
    ("垃圾分类和环境卫生", "城管部门指导分类投放点设置，社工站组织志愿者督导。"),
    ("电梯加装和楼道安全", "住建部门介绍加装流程，居委会摸底意愿，物业清理楼道堆放。"),
)


def _mobile(rng: Any) -> str:
    return "139" + "".join(str(rng.randrange(10)) for _ in range(8))


def _role(actor: Any, community: Any, unit: Any, ctx: DemoContext, rng: Any) -> None:
    duty = DUTIES.get(unit.kind, "按各自职责参与社区治理。")
    data = services.RoleInput(responsibilities=duty, contact_name=ctx.person_name(), contact_mobile=_mobile(rng))
    services.role_save(actor=actor, community=community, unit=unit, data=data)


def _first(ctx: DemoContext, actor: Any, community: Any, departments: list[Any], rng: Any) -> int:
    centre = selectors.centre_of(community)
    if centre is None:
        return 0
    placed = [u for u in selectors.placed_units(community) if u.kind in DUTIES and u.pk != centre.unit_id]
    placed = [u for u in placed if not u.kind.startswith("party_")][:8]
    for unit in [centre.unit, *placed, *departments]:
        _role(actor, community, unit, ctx, rng)
    today = timezone.localdate()
    others = placed + departments
    count = 0
    for i, (topic, minutes) in enumerate(MEETINGS):
        held_on = today - timedelta(days=330 - 90 * i)
        participants = [centre.unit, *rng.sample(others, min(3, len(others)))]
        lead = participants[1]
        latest = i == len(MEETINGS) - 1
        follow_ups = [
            services.FollowUpInput(text=f"{topic}：制定实施方案", lead_unit=lead, due_on=held_on + timedelta(days=21)),
            services.FollowUpInput(text=f"{topic}：向居民公示进展", lead_unit=participants[-1]),
        ]
        meeting = services.meeting_record(
            actor=actor,
            community=community,
            data=services.MeetingInput(
                held_on=held_on,
                topic=topic,
                minutes=minutes,
                place="社区党群服务中心",
                participants=participants,
                follow_ups=follow_ups,
            ),
        )
        count += 1
        rows = list(meeting.follow_ups.order_by("id"))
        if latest:
            continue  # the first is past its due date (overdue), the second still open
        if i == 1:
            services.follow_up_to_case(actor=actor, follow_up=rows[1])
        elif i == 2:
            services.follow_up_to_proposal(actor=actor, follow_up=rows[1])
        else:
            services.follow_up_complete(
                actor=actor, follow_up=rows[1], done_on=held_on + timedelta(days=30), result="已在各小区公示栏公示"
            )
        services.follow_up_complete(
            actor=actor, follow_up=rows[0], done_on=held_on + timedelta(days=20), result="方案已制定并经议事会通过"
        )
    return count


def _light(ctx: DemoContext, actor: Any, community: Any, department: Any, rng: Any) -> int:
    centre = selectors.centre_of(community)
    if centre is None:
        return 0
    _role(actor, community, centre.unit, ctx, rng)
    held_on = timezone.localdate() - timedelta(days=45)
    services.meeting_record(
        actor=actor,
        community=community,
        data=services.MeetingInput(
            held_on=held_on,
            topic=MEETINGS[0][0],
            minutes=MEETINGS[0][1],
            participants=[centre.unit, department],
            follow_ups=[
                services.FollowUpInput(
                    text="制定停车管理办法", lead_unit=department, due_on=held_on + timedelta(days=60)
                )
            ],
        ),
    )
    return 1


def seed(ctx: DemoContext) -> None:
    """Write the roles and joint meetings above; counts "coordination_roles" and "joint_meetings"."""
    rng = ctx.fresh_rng(RNG_OFFSET)
    first = first_community(ctx)
    district = ctx.get("territory.district")
    departments = list(Unit.objects.filter(area=district, kind="department").order_by("name")[:3])
    secretaries: dict[int, Any] = {}
    for a in (
        RoleAssignment.objects.filter(role="community_secretary").select_related("user").order_by("user__username")
    ):
        secretaries.setdefault(a.area_id, a.user)
    meetings = 0
    if first.pk in secretaries:
        meetings += _first(ctx, secretaries[first.pk], first, departments, rng)
    if departments:
        for community in ctx.get("accounts.staffed_communities"):
            if community.pk != first.pk and community.pk in secretaries:
                meetings += _light(ctx, secretaries[community.pk], community, departments[0], rng)
    from .models import ActorRole

    ctx.counts["coordination_roles"] = ActorRole.objects.count()
    ctx.counts["joint_meetings"] = meetings
