"""The demo's cases: a few hundred reports across the staffed communities, in every state, some overdue and
escalated; a few 12345 orders in two communities of every other street (each leader sees a living district);
uncategorised hotline messages waiting in 待分拣; and the first community's cases dispatched to units with helper
units (双派单), extension and suspension requests, merged duplicates, a malicious-report flag awaiting review and
a night-noise hot spot.

The texts are written for the demo (no real citizen messages). Cases go through the real services, so the
timelines, deadlines and audit records are what the product would produce.
"""

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from shequ.accounts.demo import community_workers
from shequ.accounts.models import RoleAssignment
from shequ.cases import approvals
from shequ.cases import services as cases
from shequ.cases.domain import Status
from shequ.cases.models import Category
from shequ.cases.sweep import escalate_overdue
from shequ.core.demo import DemoContext
from shequ.territory.demo import first_community
from shequ.territory.models import Building

TEXTS = [
    ("S01-01-001", "complaint", "小区门口车辆乱停", "小区大门两侧长期停满私家车，消防车和救护车进不来，希望尽快整治。"),
    ("S01-01-002", "dispute", "地下车位被占用", "我家购买的地下车位经常被外来车辆占用，找物业多次没有解决。"),
    ("S01-01-003", "report", "楼道里给电动车充电", "五楼住户把电动车推进楼道充电，晚上一直插着电线，存在火灾隐患。"),
    ("S01-02-001", "complaint", "装修噪音影响休息", "楼上住户周末早上七点就开始电钻施工，老人和孩子无法休息。"),
    ("S01-02-002", "complaint", "夜间广场舞音响太大", "小区广场每晚九点后还在放音乐，音量很大，请社区协调时间和音量。"),
    ("S01-03-001", "help", "垃圾桶满了没人清运", "三号楼旁边的垃圾桶已经满溢两天，天气热气味很大，请尽快清运。"),
    ("S01-03-002", "complaint", "楼道堆放杂物", "二单元楼道堆满纸箱和旧家具，影响通行，也有消防隐患。"),
    ("S01-04-002", "suggestion", "建议老楼加装电梯", "我们单元住了很多老人，上下楼很困难，希望社区牵头商量加装电梯。"),
    ("S01-04-003", "help", "顶楼房屋漏水", "连续下雨后顶楼天花板漏水严重，屋面防水层老化，请协调维修。"),
    ("S01-05-001", "complaint", "物业服务不到位", "小区绿化长期无人修剪，保安经常不在岗，物业费照收，请监督整改。"),
    ("S01-05-003", "dispute", "公共收益去向不明", "小区电梯广告和停车收入一直没有公示，业主想了解公共收益的去向。"),
    ("S01-06-001", "dispute", "楼上漏水邻里纠纷", "楼上卫生间漏水到我家，多次沟通对方不愿维修，请社区帮忙调解。"),
    ("S01-07-001", "report", "楼顶违章搭建", "顶楼住户在楼顶平台搭建彩钢房，影响其他住户使用和房屋安全。"),
    ("S01-09-001", "complaint", "犬只夜间吠叫", "邻居家的狗每天夜里叫个不停，多次沟通没有改善。"),
    ("S01-10-001", "help", "电梯频繁故障", "一号楼电梯这周已经困人两次，请督促物业和维保单位彻底检修。"),
    ("S01-10-002", "help", "路灯不亮", "小区后门通道的路灯坏了一个多月，晚上很黑，老人出行不安全。"),
    ("S01-12-001", "enquiry", "咨询居住证办理", "刚搬来小区租房，想了解在社区办理居住证需要带哪些材料。"),
]


def build_cases(*, communities, staff_by_community: dict[int, object], count: int = 240, seed: int = 2026) -> int:
    """Create `count` cases spread over the staffed communities, moved through various states."""
    rng = random.Random(seed)
    cats = {c.code: c for c in Category.objects.filter(code__in=[t[0] for t in TEXTS])}
    now = timezone.now()
    made = 0
    buildings_of = _buildings_of(communities)
    for i in range(count):
        community = communities[i % len(communities)]
        worker = staff_by_community.get(community.pk)
        if worker is None or not buildings_of.get(community.pk):
            continue
        _one_case(rng, cats, worker, buildings_of[community.pk], now)
        made += 1
    made += build_triage_examples(community=communities[0], worker=staff_by_community.get(communities[0].pk), now=now)
    return made


def _buildings_of(communities) -> dict[int, list[Any]]:
    """Up to 40 buildings of each community, by community id, in one query."""
    out: dict[int, list[Any]] = {}
    rows = Building.objects.filter(compound__community__in=communities).select_related(
        "compound__community", "micro_grid"
    )
    for b in rows:  # the model's order (compound, number), as the per-community query had it
        bucket = out.setdefault(b.compound.community_id, [])
        if len(bucket) < 40:
            bucket.append(b)
    return out


def build_street_cases(
    *, streets, communities, officers: dict[int | None, Any], per_street: int = 6, seed: int = 2026
) -> int:
    """12345 hotline orders in two communities of every street that has no community staff in the demo.

    The street officer (the district officer where a street has none) imports them and works them as the
    community would: two arrived today, the others over the last weeks, in every state; so every leader sees
    the day's work and a trend, not an empty street.
    """
    rng = random.Random(seed + 1)
    cats = {c.code: c for c in Category.objects.filter(code__in=[t[0] for t in TEXTS])}
    now = timezone.now()
    by_street: dict[int, list[Any]] = {}
    for c in communities:
        by_street.setdefault(c.parent_id, []).append(c)
    chosen = {s.pk: by_street.get(s.pk, [])[:2] for s in streets}
    buildings_of = _buildings_of([c for picked in chosen.values() for c in picked])
    made = 0
    for street in streets:
        places = [c for c in chosen[street.pk] if buildings_of.get(c.pk)]
        actor = officers.get(street.pk) or officers.get(None)
        if not places or actor is None:
            continue
        for n in range(per_street):
            today = (0.1, 0.3)[n] if n < 2 else None  # two arrived today: one waiting, one dispatched
            order = f"DEMO-{street.code}-{n + 1:02d}"
            buildings = buildings_of[places[n % len(places)].pk]
            _one_case(rng, cats, actor, buildings, now, channel="hotline", stage=today, external_ref=order)
            made += 1
    return made


def _one_case(rng, cats, worker, buildings, now, *, channel="", stage=None, external_ref="") -> Any:
    """Submit one case at one of `buildings` and move it as far as `stage` (0-1, random when None) says:
    waiting, accepted, dispatched, started, resolved or rated. A given stage means it arrived this morning."""
    code, case_type, title, text = rng.choice(TEXTS)
    building = rng.choice(buildings)
    fresh = stage is not None
    if stage is None:
        stage = rng.random()
        fresh = stage < 0.08  # a few arrived this morning: the 待受理 queue has work in it
    submitted = now - (
        timedelta(hours=rng.randint(1, 4)) if fresh else timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 12))
    )
    if fresh:  # this morning, even when the demo is loaded just after midnight
        midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        submitted = max(submitted, min(midnight + timedelta(minutes=1), now))
    data = cases.CaseInput(
        case_type=case_type,
        title=title,
        description=text,
        channel=channel or rng.choice(["staff", "grid", "portal"]),
        category=cats.get(code),
        building=building,
        reporter_name=rng.choice("王李张刘陈杨") + rng.choice(["先生", "女士", "阿姨", "大爷"]),
        reporter_mobile=f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
        external_ref=external_ref,
    )
    community = building.compound.community
    case = cases.case_submit(actor=worker, data=data, now=submitted)
    if stage < 0.15:
        return case  # left waiting for acceptance (often overdue: the sweep escalates it)
    cases.case_accept(actor=worker, case=case, now=submitted + timedelta(hours=3))
    if stage < 0.25:
        return case
    target = building.micro_grid or community
    cases.case_dispatch(actor=worker, case=case, target=target, now=submitted + timedelta(hours=5))
    if stage < 0.4:
        return case
    cases.case_start(actor=worker, case=case)
    if stage < 0.55:
        return case
    resolved = min(submitted + timedelta(days=rng.randint(1, 6)), now)
    cases.case_resolve(
        actor=worker, case=case, reply="已现场核实并协调相关方处理，后续将持续跟进，感谢您的反映。", now=resolved
    )
    if stage < 0.7 or case.status != Status.RESOLVED:
        return case  # an answer the community reviews first (答复待审核) is not rated yet
    satisfaction = rng.choice(["satisfied", "satisfied", "basically", "unsatisfied"])
    rated = min(resolved + timedelta(days=rng.randint(1, 3)), now)  # the call-back, spread over the weeks
    cases.case_rate(actor=worker, case=case, satisfaction=satisfaction, reopen=satisfaction == "unsatisfied", now=rated)
    return case


# Hotline messages that arrived without a category and that neither the keyword rules nor the shipped model
# can place with confidence (checked against the model in the repository): they wait in 待分拣 for a dispatcher.
TRIAGE_TEXTS = [
    ("suggestion", "建议在社区增设一个便民理发点", "老人理发要走很远，希望社区能引进便民服务"),
    ("enquiry", "想为社区图书角捐书", "家里有一批儿童读物，想捐给社区图书角，请问找谁联系"),
    ("complaint", "小区业主群里有人发广告", "业主群里天天有人发理财广告，能不能管一管"),
    ("complaint", "社区公告栏信息太旧", "公告栏上贴的还是去年的通知，新的通知都看不到"),
]


def build_triage_examples(*, community, worker, now) -> int:
    """Submit the TRIAGE_TEXTS as uncategorised hotline cases of `community` this morning."""
    if worker is None:
        return 0
    building = Building.objects.filter(compound__community=community).order_by("id").first()
    for n, (case_type, title, text) in enumerate(TRIAGE_TEXTS):
        data = cases.CaseInput(
            case_type=case_type,
            title=title,
            description=text,
            channel="hotline",
            building=building,
            community=community if building is None else None,
        )
        cases.case_submit(actor=worker, data=data, now=now - timedelta(hours=n + 1))
    return len(TRIAGE_TEXTS)


WORK = [
    # (category code, type, title, text, lead unit, helper units, what happens next)
    (
        "S01-07-001",
        "report",
        "小区内违章搭建阳光房",
        "一楼住户在公共绿地上搭建阳光房，已经开始浇筑地基，请执法部门制止。",
        "武侯区城市管理局",
        ["蜀信物业服务有限公司"],
        "extend_pending",
    ),
    (
        "S01-10-001",
        "help",
        "电梯困人后仍未检修",
        "二号楼电梯本月困人三次，维保单位只是重启了事，请监管部门督促彻底检修。",
        "武侯区市场监督管理局",
        ["蜀信物业服务有限公司"],
        "in_progress",
    ),
    (
        "S01-04-003",
        "help",
        "老旧小区屋面防水改造",
        "小区楼龄三十年，顶楼普遍漏水，希望纳入老旧小区改造计划统一做屋面防水。",
        "武侯区住房和城乡建设局",
        [],
        "suspended",
    ),
    (
        "S01-05-001",
        "complaint",
        "物业公司未按约定保洁",
        "合同约定每天两次清扫，实际几天才扫一次，楼道积灰严重。",
        "蜀信物业服务有限公司",
        [],
        "extend_approved",
    ),
    (
        "S01-03-001",
        "help",
        "垃圾分类亭无人值守",
        "新建的垃圾分类亭没有人指导，混投严重，希望社工站组织志愿者值守。",
        "社会工作服务站",
        ["业主委员会"],
        "dispatched",
    ),
    (
        "S01-02-002",
        "complaint",
        "广场舞音响扰民",
        "每天晚上九点半以后音响仍然很大，希望社区和物业一起协调。",
        "蜀信物业服务有限公司",
        ["社会工作服务站"],
        "resolved",
    ),
]


def _unit(units: dict[str, Any], key: str) -> Any:
    return next(u for name, u in units.items() if name.endswith(key))


def build_unit_work(*, community, worker, units: dict[str, Any]) -> int:
    """Cases of `community` dispatched to units with helpers, in the states a dispatcher meets every week."""
    now = timezone.now()
    cats = {c.code: c for c in Category.objects.filter(code__in=[w[0] for w in WORK])}
    home = _unit(units, "业主委员会").compound  # the demo's property company and owners' committee serve it
    place = {"compound": home} if home is not None else {"compound__community": community}
    buildings = list(Building.objects.filter(**place).select_related("compound")[:10])
    if not buildings:
        return 0
    made = 0
    handlers = {u.pk: RoleAssignment.objects.filter(unit=u).select_related("user").first() for u in units.values()}
    for i, (code, case_type, title, text, lead, helpers, outcome) in enumerate(WORK):
        submitted = now - timedelta(days=3 + i)
        case = cases.case_submit(
            actor=worker,
            data=cases.CaseInput(
                case_type=case_type,
                title=title,
                description=text,
                channel="staff",
                category=cats.get(code),
                building=buildings[i % len(buildings)],
                reporter_name="赵女士",
                reporter_mobile=f"1390000{i:04d}",
                # Every other reporter agreed to be contacted by the handling unit: dept1 can try the reveal.
                contact_consent=i % 2 == 0,
            ),
            now=submitted,
        )
        made += 1
        cases.case_accept(actor=worker, case=case, now=submitted + timedelta(hours=1))
        cases.case_dispatch(
            actor=worker,
            case=case,
            target=_unit(units, lead),
            helpers=[_unit(units, h) for h in helpers],
            note="请主办单位牵头处理，协办单位配合。",
            now=submitted + timedelta(hours=2),
        )
        if outcome == "dispatched":
            continue
        assignment = handlers.get(_unit(units, lead).pk)
        handler = assignment.user if assignment else None
        if handler is None:
            continue
        cases.case_start(actor=handler, case=case)
        if outcome == "resolved":
            cases.case_resolve(
                actor=handler, case=case, reply="已与跳舞队伍约定晚九点前结束，并降低音量，物业每晚巡查。"
            )
        elif outcome in ("extend_pending", "extend_approved"):
            req = approvals.case_request_change(
                actor=handler, case=case, kind="extend", days=5, reason="需要当事人配合现场勘验，申请延期5个工作日。"
            )
            if outcome == "extend_approved":
                approvals.case_request_decide(actor=worker, request=req, approve=True, note="同意，请按期办结。")
        elif outcome == "suspended":
            req = approvals.case_request_change(
                actor=handler, case=case, kind="suspend", reason="等待区级老旧小区改造年度计划批复后再实施。"
            )
            approvals.case_request_decide(actor=worker, request=req, approve=True, note="同意中止，批复后恢复办理。")
    # Two duplicates of an open case, merged; one flagged report waiting for the secretary's review.
    first = cases.case_submit(
        actor=worker,
        data=cases.CaseInput(
            case_type="complaint",
            title="消防通道被车辆堵塞",
            description="三号楼后面的消防通道每天晚上停满车，应急车辆无法通行。",
            channel="staff",
            building=buildings[0],
        ),
        now=now - timedelta(days=1),
    )
    cases.case_accept(actor=worker, case=first)
    for text in ("晚上消防通道又被堵了，车辆停得满满的。", "后门消防通道停车的问题还是没人管。"):
        dup = cases.case_submit(
            actor=worker,
            data=cases.CaseInput(
                case_type="complaint", title="消防通道停车", description=text, channel="portal", building=buildings[0]
            ),
            now=now - timedelta(hours=5),
        )
        cases.case_merge(actor=worker, case=dup, into=first, note="同一地点同一问题")
        made += 1
    flagged = cases.case_submit(
        actor=worker,
        data=cases.CaseInput(
            case_type="report",
            title="举报邻居私自养鸡",
            description="邻居在阳台养鸡，早上打鸣影响休息。",
            channel="portal",
            building=buildings[-1],
        ),
        now=now - timedelta(days=2),
    )
    cases.case_accept(actor=worker, case=flagged)
    cases.case_flag_malicious(
        actor=worker,
        case=flagged,
        reason="经三次上门核实，被举报住户未养鸡；同一号码本月已就此事提交十一次举报。",
    )
    return made + 2 + build_hotspot(community=community, worker=worker, buildings=buildings, now=now)


NOISE = [
    "对面工地每天晚上十点以后还在打桩，震得窗户都在响。",
    "半夜工地运渣车进出，喇叭声和卸货声吵得睡不着。",
    "凌晨一点还在浇筑混凝土，搅拌机噪音非常大。",
    "工地夜间施工已经持续一周，孩子第二天要上学，实在受不了。",
    "晚上十一点工地还在切割钢筋，声音刺耳。",
    "夜间施工没有公示许可，噪音扰民，请尽快查处。",
]


def build_hotspot(*, community, worker, buildings, now) -> int:
    """Six reports about night-time noise from two buildings within two days: the warnings list shows a hot spot."""
    category = Category.objects.filter(code="S01-02-002").first()
    for i, text in enumerate(NOISE):
        cases.case_submit(
            actor=worker,
            data=cases.CaseInput(
                case_type="complaint",
                title="工地夜间施工噪音扰民",
                description=text,
                channel="portal" if i % 2 else "staff",
                category=category,
                building=buildings[i % 2],
            ),
            now=now - timedelta(hours=2 + 7 * i),
        )
    return len(NOISE)


def seed(ctx: DemoContext) -> None:
    """Load the category tree, then the staffed communities' cases and the first community's unit work."""
    cases.categories_seed(actor=ctx.actor)
    staffed = ctx.get("accounts.staffed_communities")
    workers = community_workers(ctx)
    made = build_cases(communities=staffed, staff_by_community=workers, seed=ctx.seed)
    # Every other street gets a few cases too, so that each leader's pages show a living district.
    covered = {c.parent_id for c in staffed}
    streets = [s for s in ctx.get("territory.streets") if s.pk not in covered]
    officers: dict[Any, Any] = {
        a.area_id: a.user for a in RoleAssignment.objects.filter(role="street_officer").select_related("user")
    }
    district = RoleAssignment.objects.filter(role="district_officer").select_related("user").order_by("id").first()
    officers[None] = district.user if district else None
    made += build_street_cases(
        streets=streets, communities=ctx.get("territory.communities"), officers=officers, seed=ctx.seed
    )
    escalate_overdue(now=timezone.now())
    community = first_community(ctx)
    made += build_unit_work(community=community, worker=workers[community.pk], units=ctx.get("organisations.units"))
    ctx.counts["cases"] = made
