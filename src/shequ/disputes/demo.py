"""The demo's dispute mediation: parties, sessions, risk colours, agreements and follow-up visits on the demo's
dispute cases (矛盾纠纷).

Every text is written for the demo (fictitious people and companies, no real citizen messages). Everything
goes through the disputes services, so permissions, validation and audit records are what the product does.
When the demo has no dispute case, about a dozen are registered first through `case_submit`.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from shequ.accounts.demo import community_workers
from shequ.cases import selectors as case_selectors
from shequ.cases import services as cases
from shequ.core.demo import DemoContext
from shequ.disputes import services as disputes
from shequ.registry import selectors as registry_selectors
from shequ.territory import selectors as territory_selectors

MAX_PDFS = 4  # generating an agreement takes a second or two; a few versions are enough to show


@dataclass(frozen=True)
class Scenario:
    """How one kind of dispute is mediated in the demo."""

    title: str
    description: str
    respondent_org: str  # "" when the other side is a neighbour
    place: str
    sessions: tuple[tuple[str, str], ...]  # (summary, outcome)
    terms: str
    risk: tuple[tuple[str, str], ...]  # (colour, reason) choices


SCENARIOS = [
    Scenario(
        title="楼上漏水邻里纠纷",
        description="楼上卫生间漏水到我家，多次沟通对方不愿维修，请社区帮忙调解。",
        respondent_org="",
        place="社区人民调解室",
        sessions=(
            (
                "双方到场陈述漏水经过。申请人要求赔偿吊顶损失，被申请人认为漏水来自公共管道，双方意见分歧较大。",
                "failed",
            ),
            ("请物业工程人员现场查看，确认为楼上卫生间防水层老化。被申请人同意维修，赔偿金额约定下次协商。", "partial"),
            ("双方就维修时间和吊顶修复费用达成一致，同意签订调解协议。", "agreed"),
        ),
        terms=(
            "一、被申请人于十五日内请专业人员重做卫生间防水，维修期间申请人予以配合。\n"
            "二、被申请人一次性补偿申请人吊顶修复费用人民币一千二百元，于协议签订之日起七日内付清。\n"
            "三、双方今后互相体谅，发现渗漏及时告知，不再因此事发生争执。"
        ),
        risk=(
            ("yellow", "邻里之间的一般性纠纷，双方均愿意协商。"),
            ("orange", "申请人情绪激动，表示若不解决将到街道反映。"),
        ),
    ),
    Scenario(
        title="地下车位被占用",
        description="我家购买的地下车位经常被外来车辆占用，找物业多次没有解决。",
        respondent_org="蜀信物业服务有限公司",
        place="小区物业服务中心会议室",
        sessions=(
            ("申请人出示车位买卖合同，物业说明外来车辆管理漏洞。物业同意加强门岗登记。", "partial"),
            ("物业提出在车位加装地锁并张贴提示，申请人表示接受，双方同意书面确认。", "agreed"),
        ),
        terms=(
            "一、物业服务企业于十日内为申请人车位安装地锁一把，费用由物业承担。\n"
            "二、物业加强地下车库门岗登记，外来车辆一律凭登记进入。\n"
            "三、再次发生占用的，物业应在接到通知后三十分钟内联系挪车。"
        ),
        risk=(("yellow", "涉及物业服务的常见纠纷，物业配合度较高。"), ("blue", "同类问题在小区多户存在，尚未激化。")),
    ),
    Scenario(
        title="公共收益去向不明",
        description="小区电梯广告和停车收入一直没有公示，业主想了解公共收益的去向。",
        respondent_org="锦城物业管理有限公司",
        place="社区党群服务中心二楼会议室",
        sessions=(
            ("业主代表要求公开近三年公共收益明细，物业称账目需总公司审核，同意一个月内提供。", "postponed"),
            ("物业提供收支明细，业主代表对部分支出提出疑问，街道住建科工作人员到场解释相关规定。", "partial"),
        ),
        terms=(
            "一、物业于每季度首月在小区公告栏公示上一季度公共收益收支情况。\n"
            "二、近三年公共收益结余由业主大会决定使用方向，物业不得擅自支配。\n"
            "三、社区居委会对公示情况进行监督，业主可到社区查阅。"
        ),
        risk=(
            ("red", "涉及住建、市场监管等多个部门，业主人数多。"),
            ("orange", "部分业主在微信群中酝酿联名反映，可能升级为群体性事件。"),
        ),
    ),
]
BY_TITLE = {s.title: s for s in SCENARIOS}
NEIGHBOURS = ["赵建华", "钱玉兰", "孙志强", "周晓燕", "吴国平", "郑丽萍"]
MEDIATORS = ["陈静", "刘志明", "黄秀兰", "林国庆"]
VISIT_NOTES = {
    "satisfied": "当事人表示问题已经解决，对社区调解表示感谢。",
    "accepting": "当事人基本认可调解结果，希望物业后续保持。",
    "objecting": "当事人认为补偿偏低，社区将再次组织沟通。",
}


def _ensure_cases(communities: list[Any], staff_by_community: dict[int, Any], rng: random.Random) -> None:
    """Register about a dozen dispute cases when the demo has none."""
    made = 0
    for community in communities:
        worker = staff_by_community.get(community.pk)
        if worker is None:
            continue
        buildings = list(territory_selectors.buildings_for(worker).filter(compound__community=community)[:20])
        for _i in range(4 if buildings else 0):
            scenario = rng.choice(SCENARIOS)
            data = cases.CaseInput(
                case_type="dispute",
                title=scenario.title,
                description=scenario.description,
                channel="staff",
                building=rng.choice(buildings),
                reporter_name=rng.choice(NEIGHBOURS),
            )
            cases.case_submit(actor=worker, data=data, now=timezone.now() - timedelta(days=rng.randint(2, 30)))
            made += 1
            if made >= 12:
                return


def _dates(start: date, today: date, n: int, rng: random.Random) -> list[date]:
    span = max(0, (today - start).days)
    return sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(n))


def build_disputes(*, communities: list[Any], staff_by_community: dict[int, Any], seed: int = 2026) -> int:
    """Fill the mediation files of the demo's dispute cases; returns how many files were written."""
    rng = random.Random(seed + 4)
    qs = case_selectors.all_cases_unscoped().filter(case_type="dispute", community__in=communities)
    if not qs.exists():
        _ensure_cases(communities, staff_by_community, rng)
    today = timezone.localdate()
    pdfs = 0
    done = 0
    for case in qs.select_related("community").order_by("submitted_at", "id"):
        worker = staff_by_community.get(case.community_id)
        if worker is None or case.status in ("withdrawn", "merged", "not_accepted"):
            continue
        scenario = BY_TITLE.get(case.title) or rng.choice(SCENARIOS)
        colour, reason = rng.choice(scenario.risk)
        disputes.dispute_set_risk(actor=worker, case=case, colour=colour, reason=reason)
        residents = list(registry_selectors.residents_for(worker).filter(community=case.community).order_by("id")[:60])
        applicant_data = (
            disputes.PartyInput(kind="resident", role="applicant", resident=rng.choice(residents))
            if residents
            else disputes.PartyInput(kind="other", role="applicant", name=rng.choice(NEIGHBOURS))
        )
        applicant = disputes.party_add(actor=worker, case=case, data=applicant_data)
        if scenario.respondent_org:
            respondent_data = disputes.PartyInput(kind="organisation", role="respondent", name=scenario.respondent_org)
        else:
            others = [r for r in residents if r.pk != applicant.resident_id]
            respondent_data = (
                disputes.PartyInput(kind="resident", role="respondent", resident=rng.choice(others))
                if others
                else disputes.PartyInput(kind="other", role="respondent", name=rng.choice(NEIGHBOURS))
            )
        respondent = disputes.party_add(actor=worker, case=case, data=respondent_data)
        done += 1
        if case.status in ("submitted", "accepted"):
            continue  # not mediated yet
        start = timezone.localtime(case.submitted_at).date()
        finished = case.resolved_at or case.closed_at
        last_day = min(today, timezone.localtime(finished).date()) if finished else today
        mediated = scenario.sessions if finished else scenario.sessions[: rng.randint(1, len(scenario.sessions))]
        mediator = rng.choice(MEDIATORS)
        for held_on, (summary, outcome) in zip(_dates(start, last_day, len(mediated), rng), mediated, strict=True):
            disputes.session_add(
                actor=worker,
                case=case,
                data=disputes.SessionInput(
                    held_on=held_on,
                    place=scenario.place,
                    attendees=f"申请人{applicant.name}，被申请人{respondent.name}，网格员",
                    summary=summary,
                    outcome=outcome,
                    mediator_name=mediator,
                ),
            )
        if mediated and mediated[-1][1] == "agreed":
            disputes.agreement_save(
                actor=worker,
                case=case,
                terms=scenario.terms,
                signatory_ids=[applicant.public_id, respondent.public_id],
            )
            if pdfs < MAX_PDFS:
                disputes.agreement_generate(actor=worker, case=case)
                pdfs += 1
        if finished is None or case.status not in ("resolved", "closed") or rng.random() < 0.35:
            continue  # a third of the finished disputes are left in the 待回访 queue
        visited_on = timezone.localtime(finished).date() + timedelta(days=rng.randint(3, 10))
        if visited_on > today:
            continue
        attitude = rng.choice(["satisfied", "satisfied", "accepting", "objecting"])
        has_agreement = mediated[-1][1] == "agreed"
        disputes.visit_add(
            actor=worker,
            case=case,
            data=disputes.VisitInput(
                visited_on=visited_on,
                method=rng.choice(["visit", "phone", "wechat"]),
                attitude=attitude,
                honoured=("yes" if attitude != "objecting" else "partly") if has_agreement else "none",
                note=VISIT_NOTES[attitude],
            ),
        )
    return done


def seed(ctx: DemoContext) -> None:
    """Fill the mediation files of the staffed communities' dispute cases."""
    ctx.counts["disputes"] = build_disputes(
        communities=ctx.get("accounts.staffed_communities"), staff_by_community=community_workers(ctx), seed=ctx.seed
    )
