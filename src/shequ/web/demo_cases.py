"""Demo cases: a few hundred reports across the staffed communities, in every state, some overdue and escalated.

The texts are written for the demo (no real citizen messages). Cases go through the real services, so the
timelines, deadlines and audit records are what the product would produce.
"""

import random
from datetime import timedelta

from django.utils import timezone

from shequ.cases import services as cases
from shequ.cases.models import Category
from shequ.cases.sweep import escalate_overdue

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
    for i in range(count):
        community = communities[i % len(communities)]
        worker = staff_by_community.get(community.pk)
        if worker is None:
            continue
        from shequ.territory.models import Building

        buildings = list(
            Building.objects.filter(compound__community=community).select_related("compound__community", "micro_grid")[
                :40
            ]
        )
        if not buildings:
            continue
        code, case_type, title, text = rng.choice(TEXTS)
        building = rng.choice(buildings)
        stage = rng.random()
        fresh = stage < 0.08  # a few arrived this morning: the 待受理 queue has work in it
        submitted = now - (
            timedelta(hours=rng.randint(1, 4))
            if fresh
            else timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 12))
        )
        data = cases.CaseInput(
            case_type=case_type,
            title=title,
            description=text,
            channel=rng.choice(["staff", "grid", "portal"]),
            category=cats.get(code),
            building=building,
            reporter_name=rng.choice("王李张刘陈杨") + rng.choice(["先生", "女士", "阿姨", "大爷"]),
            reporter_mobile=f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
        )
        case = cases.case_submit(actor=worker, data=data, now=submitted)
        made += 1
        if stage < 0.15:
            continue  # left waiting for acceptance (often overdue: the sweep escalates it)
        cases.case_accept(actor=worker, case=case, now=submitted + timedelta(hours=3))
        if stage < 0.25:
            continue
        target = building.micro_grid or community
        cases.case_dispatch(actor=worker, case=case, target=target, now=submitted + timedelta(hours=5))
        if stage < 0.4:
            continue
        handler = worker
        cases.case_start(actor=handler, case=case)
        if stage < 0.55:
            continue
        cases.case_resolve(
            actor=handler,
            case=case,
            reply="已现场核实并协调相关方处理，后续将持续跟进，感谢您的反映。",
            now=submitted + timedelta(days=rng.randint(1, 6)),
        )
        if stage < 0.7:
            continue
        satisfaction = rng.choice(["satisfied", "satisfied", "basically", "unsatisfied"])
        cases.case_rate(actor=worker, case=case, satisfaction=satisfaction, reopen=satisfaction == "unsatisfied")
    made += build_triage_examples(community=communities[0], worker=staff_by_community.get(communities[0].pk), now=now)
    escalate_overdue(now=now)
    return made


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
    from shequ.territory.models import Building

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
