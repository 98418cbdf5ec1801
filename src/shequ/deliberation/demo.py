"""The demo's deliberation: a residents' council of about 30 members with a supervisory board, residents' groups,
proposals in different states, and one council meeting with attendance, minutes and resolutions.

Every text is written for the demo (fictitious people). Everything goes through the deliberation services as the
community worker, so permissions, validation and audit records are what the product does.
"""

import datetime
from typing import Any

from django.utils import timezone

from shequ.accounts.demo import community_workers
from shequ.core.actors import ResidentActor
from shequ.core.demo import DemoContext
from shequ.registry import selectors as registry_selectors
from shequ.territory import selectors as territory_selectors

from . import proposal_services, selectors, services

DEMO_COMMUNITY_CODE = "510107001002"  # the community of the portal's demo resident
COUNCIL_SIZE = 30
PROPOSALS = [
    ("小区增设电动自行车充电桩", "电动自行车在楼道充电有火灾隐患，建议在小区空地集中设置充电桩，按次收费。"),
    ("老旧院落加装电梯方案征求意见", "三栋居民多为老年人，上下楼困难，建议启动加装电梯，费用分摊方案请大家商议。"),
    ("规范小区停车秩序", "晚上车辆乱停占用消防通道，建议划定停车位并实行登记管理。"),
    ("修缮中心花园座椅和步道", "中心花园座椅破损、步道不平，老人散步易摔倒，建议修缮。"),
]


def _community(ctx: DemoContext) -> Any:
    staffed = list(ctx.get("accounts.staffed_communities"))
    return next((c for c in staffed if c.code == DEMO_COMMUNITY_CODE), staffed[0] if staffed else None)


def seed(ctx: DemoContext) -> None:
    """Set up deliberation in the demo community (nothing when no community is staffed)."""
    community = _community(ctx)
    worker = community_workers(ctx).get(community.pk) if community is not None else None
    if worker is None:
        return
    today = timezone.localdate()
    residents = list(
        registry_selectors.residents_for(worker).filter(community=community).exclude(mobile_encrypted="").order_by("id")
    )
    portal = registry_selectors.demo_portal_resident()
    adults = [r for r in residents if portal is None or r.pk != portal.pk]
    term_start, term_end = datetime.date(2024, 3, 1), today + datetime.timedelta(days=45)  # shows the reminder

    council = services.body_create(actor=worker, community=community, kind="residents_council", name="居民议事会")
    services.body_rules_update(actor=worker, body=council, data=services.RulesInput(support_threshold=5))
    members = adults[: COUNCIL_SIZE - 2]
    for i, resident in enumerate(members):
        role = "chair" if i == 0 else "vice_chair" if i == 1 else "member"
        data = services.MemberInput(role=role, term_start=term_start, term_end=term_end, resident=resident)
        services.member_add(actor=worker, body=council, data=data)
    for name in ("社区党委书记（列席）", "辖区单位代表"):
        data = services.MemberInput(role="member", term_start=term_start, term_end=term_end, name=name[:50])
        services.member_add(actor=worker, body=council, data=data)
    board = services.body_create(actor=worker, community=community, kind="supervisory_board", name="居民监事会")
    services.body_rules_update(actor=worker, body=board, data=services.RulesInput(supervises=council))
    for i, resident in enumerate(adults[COUNCIL_SIZE - 2 : COUNCIL_SIZE + 3]):
        data = services.MemberInput(
            role="supervisor_chief" if i == 0 else "supervisor",
            term_start=term_start,
            term_end=term_end,
            resident=resident,
        )
        services.member_add(actor=worker, body=board, data=data)

    groups = 0
    for compound in territory_selectors.compounds_for(worker).filter(community=community).order_by("code")[:4]:
        buildings = list(territory_selectors.buildings_of_compound(worker, compound)[:6])
        services.group_create(
            actor=worker,
            community=community,
            data=services.GroupInput(
                name=f"{compound.name}居民小组"[:50], buildings=buildings, leader_name=ctx.person_name()
            ),
        )
        groups += 1

    # Proposals: one from the portal resident collecting support, one ready, one decided and carried out.
    authors = [portal or adults[0], adults[2], adults[3], adults[4]]
    proposals = [
        proposal_services.proposal_submit(actor=ResidentActor(a), community=community, title=t, description=d)
        for a, (t, d) in zip(authors, PROPOSALS, strict=True)
    ]
    for supporter in adults[5:8]:
        proposal_services.proposal_support(actor=ResidentActor(supporter), proposal=proposals[0])
    for supporter in adults[5:11]:
        proposal_services.proposal_support(actor=ResidentActor(supporter), proposal=proposals[1])
    proposal_services.proposal_comment(
        actor=ResidentActor(adults[6]), proposal=proposals[0], text="支持，楼道充电太危险了。"
    )

    held_at = timezone.now() - datetime.timedelta(days=7)
    meeting = services.meeting_create(
        actor=worker,
        body=council,
        data=services.MeetingInput(title="居民议事会第三次会议", held_at=held_at, place="社区党群服务中心议事厅"),
    )
    items = [services.agenda_add(actor=worker, meeting=meeting, proposal=p) for p in proposals[2:]]
    serving = list(selectors.serving_members(council, timezone.localtime(held_at).date()))
    present = [str(m.public_id) for m in serving[:22]]
    services.attendance_record(actor=worker, meeting=meeting, present_ids=present)
    services.minutes_save(
        actor=worker,
        meeting=meeting,
        minutes="应到 30 人，实到 22 人。会议审议了停车秩序和花园修缮两项议题，逐项表决。",
    )
    parking = {pid: ("yes" if i < 15 else "no") for i, pid in enumerate(present)}
    garden = {pid: ("yes" if i < 20 else "abstain") for i, pid in enumerate(present)}
    first = services.resolution_record(
        actor=worker,
        meeting=meeting,
        data=services.ResolutionInput(
            title="", text="同意划定停车位，实行车辆登记管理。", votes=parking, agenda_item=items[0]
        ),
    )
    second = services.resolution_record(
        actor=worker,
        meeting=meeting,
        data=services.ResolutionInput(
            title="", text="同意使用社区公益金修缮中心花园。", votes=garden, agenda_item=items[1]
        ),
    )
    services.resolution_publish(actor=worker, resolution=first)
    services.resolution_publish(actor=worker, resolution=second)
    proposal_services.progress_add(
        actor=worker,
        proposal=proposals[3],
        note="已完成施工队比选，步道改造开工。",
        day=today - datetime.timedelta(days=2),
    )
    ctx.counts["deliberation"] = 2 + groups + len(proposals) + 1
