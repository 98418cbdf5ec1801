"""Demo units outside the territory tree (departments, a property company, an owners' committee, a social
organisation) and the case work that involves them: dispatches with helper units (双派单), extension and
suspension requests, merged duplicates and a malicious-report flag awaiting review.

The texts are written for the demo. Everything goes through the real services.
"""

from datetime import timedelta

from django.utils import timezone

from shequ.accounts.models import RoleAssignment
from shequ.cases import approvals
from shequ.cases import services as cases
from shequ.cases.models import Category
from shequ.organisations.models import Unit
from shequ.territory.models import Building

DEPARTMENTS = [
    ("department", "武侯区住房和城乡建设局"),
    ("department", "武侯区城市管理局"),
    ("department", "武侯区市场监督管理局"),
]


def build_units(*, district, community) -> dict[str, Unit]:
    """District departments plus the property company, owners' committee and social work station of `community`."""
    units = {name: Unit.objects.create(kind=kind, name=name, area=district) for kind, name in DEPARTMENTS}
    for kind, name in (
        ("property_company", "蜀信物业服务有限公司"),
        ("owners_committee", f"{community.name}锦绣苑业主委员会"),
        ("social_org", f"{community.name}社会工作服务站"),
    ):
        units[name] = Unit.objects.create(kind=kind, name=name, area=community)
    return units


def attach(username_unit: dict[str, str], units: dict[str, Unit]) -> None:
    """Give the demo's department and organisation accounts their unit."""
    for username, unit_name in username_unit.items():
        RoleAssignment.objects.filter(user__username=username).update(unit=units[unit_name])


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


def _unit(units: dict[str, Unit], key: str) -> Unit:
    return next(u for name, u in units.items() if name.endswith(key))


def build_unit_work(*, community, worker, units: dict[str, Unit]) -> int:
    """Cases of `community` dispatched to units with helpers, in the states a dispatcher meets every week."""
    now = timezone.now()
    cats = {c.code: c for c in Category.objects.filter(code__in=[w[0] for w in WORK])}
    buildings = list(Building.objects.filter(compound__community=community).select_related("compound")[:10])
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
