"""The demo's public notices (公示): in the community of the portal's demo resident, one notice running with an
objection waiting for an answer, one running whose objection was answered, and one whose period has ended.

Every text is written for the demo (fictitious). Everything goes through the notices services (published on
the days they would have been, with `now=`), so permissions, validation and audit records are what the product
does.
"""

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from shequ.accounts.demo import community_workers
from shequ.core.actors import ResidentActor
from shequ.core.demo import DemoContext
from shequ.registry import selectors as registry_selectors

from . import services


def _at(day: Any, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def build_notices(*, community: Any, worker: Any, objectors: list[Any], today: Any) -> int:
    """Publish the demo's three notices in `community` as `worker`; returns how many were published."""
    running_from = today - timedelta(days=2)
    charging = services.notice_publish(
        actor=worker,
        area=community,
        kind="resolution",
        title="关于增设电动自行车集中充电设施的决议公示",
        body=(
            "经社区居民议事会2026年第二次会议讨论通过，拟在辖区各小区增设电动自行车集中充电设施，"
            "共设充电口120个，选址在各小区车棚及空地，费用由社区公共收益列支，预计投入8.6万元。\n"
            "现将决议内容予以公示。选址图可到社区党群服务中心查阅。"
        ),
        starts_on=running_from,
        ends_on=running_from + timedelta(days=6),
        source_type="deliberation.resolution",
        source_id="DEMO-2026-02",
        now=_at(running_from, 9),
    )
    funds = services.notice_publish(
        actor=worker,
        area=community,
        kind="fund_use",
        title="2025年度社区公共服务资金使用情况公示",
        body=(
            "2025年度社区公共服务资金共计20万元，已使用19.2万元：\n"
            "一、老旧院落环境整治6.5万元；二、社区食堂运营补贴4万元；三、居民文化活动3.2万元；"
            "四、志愿服务及应急物资5.5万元。结余0.8万元结转下年使用。\n"
            "明细账目可到社区居委会查阅。"
        ),
        starts_on=running_from - timedelta(days=1),
        ends_on=running_from + timedelta(days=8),
        now=_at(running_from - timedelta(days=1), 10),
    )
    ended_from = today - timedelta(days=30)
    services.notice_publish(
        actor=worker,
        area=community,
        kind="vote_result",
        title="关于续聘物业服务企业表决结果的公示",
        body=(
            "本次表决参与表决的业主专有部分面积占比72.4%，人数占比70.1%；"
            "同意续聘的业主专有部分面积和人数均超过参与表决者的四分之三，续聘事项通过。"
        ),
        starts_on=ended_from,
        ends_on=ended_from + timedelta(days=6),
        source_type="votes.item",
        source_id="DEMO-2025-11",
        now=_at(ended_from, 9),
    )
    if objectors:
        services.objection_file(
            actor=ResidentActor(objectors[0]),
            notice=charging,
            text="我家楼下车棚离单元门只有三米，在这里集中充电有消防隐患，建议换到小区东侧空地。",
            now=_at(today - timedelta(days=1), 20),
        )
    if len(objectors) > 1:
        answered = services.objection_file(
            actor=ResidentActor(objectors[1]),
            notice=funds,
            text="社区食堂运营补贴4万元具体用在哪些方面？希望公布明细。",
            now=_at(running_from, 19),
        )
        services.objection_answer(
            actor=worker,
            objection=answered,
            answer="补贴用于老年人助餐优惠（3.1万元）和餐具、燃气设施更新（0.9万元），明细已张贴在社区食堂公告栏。",
            now=_at(today - timedelta(days=1), 10),
        )
    return 3


def seed(ctx: DemoContext) -> None:
    """The demo notices of the portal demo resident's community (or the first staffed community)."""
    staffed = ctx.get("accounts.staffed_communities")
    if not staffed:
        return
    portal_resident = registry_selectors.demo_portal_resident()
    community = next((c for c in staffed if portal_resident and c.pk == portal_resident.community_id), staffed[0])
    worker = community_workers(ctx).get(community.pk)
    if worker is None:
        return
    others = registry_selectors.residents_for(worker).filter(community=community, status="active").order_by("id")
    if portal_resident is not None:
        others = others.exclude(pk=portal_resident.pk)
    objectors = [r for r in [portal_resident, others.first()] if r is not None and r.community_id == community.pk]
    ctx.counts["notices"] = build_notices(
        community=community, worker=worker, objectors=objectors, today=timezone.localdate()
    )
