"""The plan of the demo's Party side for one community: organisations, members, posts and a year of meetings, with
the fictitious names and texts they use. Pure planning (no database writes); `demo.py` writes a plan through the
services, `demo_bulk.py` in bulk. See `demo.py` for what the plan holds.
"""

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from . import services
from .domain import COMMITTEE_REQUIRED_FROM, MeetingKind, OrgLevel, Post, meeting_quorum
from .encryption import mask_name

CURRENT_HELD = 0.5  # the share of the current period's meetings already held

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# Given names by the decade a member was likely born in: older members joined earlier.
GIVEN_OLD = (
    "建国 建华 国庆 志强 德明 卫东 红梅 秀英 桂兰 玉珍 淑芬 素华 凤英 文华 永福 长青 学军 建平 淑珍 秀兰 "
    "国华 明德 光荣 春兰 桂芳 玉兰 忠良 家全 泽民 丽华 跃进 卫国 新民 保国"
).split()
GIVEN_MID = (
    "海燕 丽娟 晓东 伟 军 勇 静 敏 磊 涛 丽 芳 建军 晓燕 红霞 志刚 宏伟 春梅 小平 亚男 海涛 晓红 立新 雪梅 "
    "剑 斌 琳 俊 洁 燕 晓峰 永刚 德华 玉梅 晓玲 国平 红英"
).split()
GIVEN_YOUNG = (
    "浩然 子涵 欣怡 思远 雨萱 宇轩 梓涵 嘉怡 俊杰 佳琪 婧 昊 鑫 悦 然 一鸣 诗雨 晨曦 博文 可欣 雅婷 天宇 "
    "梦瑶 子轩 家豪 心怡 文博 思彤"
).split()

SMALL_UNITS = (
    "蜀味餐饮店 安康大药房 启航培训学校 鑫达物流站 邻里便利店 锦程律师事务所 康宁口腔诊所 小树苗幼儿园 "
    "天府茶社 诚信装饰公司 润心养老服务站 阳光家政服务部 巧手理发店 平安汽车维修店"
).split()
TRANSFERRED_FROM = (
    "锦江区春熙路街道党工委",
    "青羊区少城街道宽巷子社区党委",
    "成华区猛追湾街道党工委",
    "中共四川省某国有企业离退休党委",
    "高新区桂溪街道党工委",
    "双流区东升街道党工委",
)
TRANSFERRED_TO = (
    "高新区中和街道党工委",
    "郫都区犀浦街道党工委",
    "重庆市渝中区解放碑街道党工委",
    "绵阳市涪城区城厢街道党工委",
    "天府新区华阳街道党工委",
)
LEFT_NOTE = "工作调动，组织关系随转"
ABSENCE_REASONS = ("出差", "生病住院", "外出务工", "照顾家人", "年老行动不便", "单位值班", "在外地探亲")

THEMED_DAYS = {
    1: "走访慰问困难党员和老党员",
    2: "新春送温暖，邻里话团圆",
    3: "学雷锋志愿服务进小区",
    4: "清明祭英烈，传承红色基因",
    5: "青年党员讲初心",
    6: "安全生产月：排查小区消防隐患",
    7: "庆祝建党节：重温入党誓词",
    8: "八一慰问退役军人家庭",
    9: "中秋邻里节：党员带头办活动",
    10: "重阳敬老：上门看望独居老人",
    11: "消防宣传月：楼栋安全大排查",
    12: "宪法宣传日：学法用法进院落",
}
LESSONS = (
    "书记讲党课：以党建引领小区治理",
    "学党章、守党规、做合格党员",
    "党纪学习教育专题党课",
    "学习贯彻党的二十届三中全会精神",
    "传承红色基因，争做先锋模范",
    "学习《中国共产党支部工作条例（试行）》",
)
MINUTES = {
    MeetingKind.GENERAL: "支部书记主持，与会党员逐项讨论，形成一致意见。",
    MeetingKind.COMMITTEE: "逐项研究议题，明确分工和完成时限。",
    MeetingKind.GROUP: "党小组组长主持，党员结合联系户情况交流发言。",
    MeetingKind.LESSON: "党员结合工作和生活实际交流学习体会。",
    MeetingKind.THEMED_DAY: "党员亮身份、作表率，活动结束后交流心得。",
}
QUORUM_KINDS = (MeetingKind.GENERAL, MeetingKind.COMMITTEE, MeetingKind.GROUP)
GENERAL_TOPICS = {
    1: "审议本支部年度工作计划",
    2: "通报上半年工作，讨论党员发展和预备党员转正",
    3: "学习上级文件精神，部署下半年工作",
    4: "召开组织生活会，开展民主评议党员",
}
COMMITTEE_TOPICS = (
    "研究本月组织生活安排",
    "研究党员发展和教育管理工作",
    "研究为民服务项目推进情况",
    "研究党费收缴和使用情况",
    "研究困难党员帮扶工作",
)
COMMUNITY_COMMITTEE_TOPICS = (
    "研究社区党建重点工作",
    "研究社区发展治理项目",
    "研究党组织服务群众经费使用",
    "听取各党支部工作汇报",
    "研究小区治理和物业服务问题",
)
GROUP_TOPICS = (
    "学习本月学习资料，交流心得",
    "收集微网格居民诉求，商议解决办法",
    "分工联系楼栋住户",
    "讨论小区环境整治建议",
    "走访独居老人，了解生活困难",
)
PROJECTS = ("楼道微更新", "邻里互助", "爱心助餐", "红色物业", "小区花园认养", "四点半课堂")


# --- the plan ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The twelve calendar months up to and including today's."""

    today: date

    @property
    def start(self) -> date:
        month = self.today.month - 11
        year = self.today.year + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1)

    def months(self) -> list[tuple[int, int]]:
        y, m = self.start.year, self.start.month
        out = []
        for _ in range(12):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def quarters(self) -> list[tuple[int, int]]:
        return list(dict.fromkeys((y, (m - 1) // 3 + 1) for y, m in self.months()))

    def current(self, day: date, cadence_months: int) -> bool:
        """Whether `day` falls in today's month (or quarter)."""
        if cadence_months == 1:
            return (day.year, day.month) == (self.today.year, self.today.month)
        return (day.year, (day.month - 1) // 3) == (self.today.year, (self.today.month - 1) // 3)


def day_in(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def years_after(day: date, years: int) -> date:
    return day_in(day.year + years, day.month, day.day)


@dataclass(frozen=True)
class Candidate:
    """A registered adult resident of the community who may be linked to a member (the birth decade is all the
    registry keeps in clear)."""

    pk: int
    name: str
    birth_decade: int


@dataclass(eq=False)
class OrgPlan:
    level: str
    name: str
    area: Any
    parent: "OrgPlan | None" = None
    compound: Any = None
    joint_units: str = ""
    founded_on: date | None = None
    org: Any = None  # the PartyOrg, once written
    actor: Any = None  # who records its members, posts and meetings

    def within(self, other: "OrgPlan") -> bool:
        """Whether this organisation is `other` or lies below it."""
        node: OrgPlan | None = self
        while node is not None:
            if node is other:
                return True
            node = node.parent
        return False

    def input(self) -> services.OrgInput:
        return services.OrgInput(
            level=self.level,
            name=self.name,
            area=self.area,
            compound=self.compound,
            parent=self.parent.org if self.parent is not None else None,
            joint=bool(self.joint_units),
            joint_units=self.joint_units,
            founded_on=self.founded_on,
        )


@dataclass(eq=False)
class MemberPlan:
    """A member and what happens to them: on the organisation's roll from `since` (before the year, or during it:
    admitted or transferred in), made full (`made_full_on`, recorded on `full_recorded_on`, the day after the general
    meeting that decided it), transferred out on `left_on`.

    A day's admissions, transfers and conversions are recorded before that day's meetings (`demo.write_activity`), so
    the services see the same roll and statuses as `on_roll` and `full_on_day` say."""

    org: OrgPlan
    name: str
    joined_on: date
    full_on: date | None  # as first recorded; None: probationary then
    since: date
    mobile: str = ""
    resident: Candidate | None = None
    transferred_from: str = ""
    made_full_on: date | None = None
    full_recorded_on: date | None = None
    left_on: date | None = None
    left_to: str = ""
    member: Any = None  # the PartyMember, once written

    def on_roll(self, day: date) -> bool:
        """On the roll that day, as `selectors.members_of(org, on=day)` answers from the transfer history."""
        return max(self.since, self.joined_on) <= day and (self.left_on is None or day < self.left_on)

    def full_on_day(self, day: date) -> bool:
        """A full member at a meeting that day (what `services.meeting_record` counts once the conversion is
        recorded)."""
        if self.full_on is not None and self.full_on <= day:
            return True
        return self.full_recorded_on is not None and self.full_recorded_on <= day

    @property
    def status_added(self) -> str:
        return "full" if self.full_on is not None else "probationary"


@dataclass(eq=False)
class PostPlan:
    org: OrgPlan
    holder: MemberPlan
    post: str
    starts_on: date
    ends_on: date


@dataclass(eq=False)
class MeetingPlan:
    org: OrgPlan
    kind: str
    held_on: date
    topic: str
    place: str
    roll: list[MemberPlan]
    present: list[MemberPlan]
    reasons: dict[MemberPlan, str] = field(default_factory=dict)
    decisions: list[services.DecisionInput] = field(default_factory=list)
    minutes: str = ""

    def counts(self) -> tuple[int, int]:
        """Full members entitled to vote and present, as the service counts them."""
        entitled = sum(1 for m in self.roll if m.full_on_day(self.held_on))
        return entitled, sum(1 for m in self.present if m.full_on_day(self.held_on))


@dataclass
class CommunityPlan:
    community: Any
    orgs: list[OrgPlan]  # parents before children
    members: list[MemberPlan]
    posts: list[PostPlan]
    meetings: list[MeetingPlan]

    def members_of(self, org: OrgPlan) -> list[MemberPlan]:
        return [m for m in self.members if m.org.within(org)]


def short_name(community_name: str) -> str:
    """A community's name without its committee: "洗面桥社区居委会" → "洗面桥社区", "三元村村民委员会" → "三元村"."""
    for suffix in ("居民委员会", "村民委员会", "居委会", "委员会"):
        if community_name.endswith(suffix):
            return community_name[: -len(suffix)]
    return community_name


class Names:
    """Distinct fictitious names within a community, drawn with the party step's stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def take(self, joined: date) -> str:
        given = GIVEN_OLD if joined.year < 1992 else GIVEN_MID if joined.year < 2012 else GIVEN_YOUNG
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(given)
            if name not in self.used:
                self.used.add(name)
                return name


class Planner:
    """Plans one community's Party organisations, members, posts and year of meetings (no database writes)."""

    def __init__(self, rng: random.Random, window: Window) -> None:
        self.rng = rng
        self.window = window

    # -- organisations ------------------------------------------------------------------------------------------

    def plan(
        self,
        *,
        community: Any,
        street_org: OrgPlan,
        compounds: list[Any],
        micro_grids: list[tuple[Any, int | None]],
        residents: list[Candidate],
        detailed: bool,
        secretary_name: str = "",
    ) -> CommunityPlan:
        """The plan of `community` (`micro_grids`: each with the id of the compound most of its buildings belong to;
        `residents`: adults of the community who may be linked to members). `detailed`: the first community, with
        the fixed shares, the short general meeting and the overdue group."""
        rng = self.rng
        short = short_name(community.name)
        founded = day_in(rng.randint(1985, 2012), rng.randint(1, 12), rng.randint(1, 28))
        committee = OrgPlan(OrgLevel.COMMITTEE, f"{short}党委", community, street_org, founded_on=founded)
        orgs = [committee]
        if detailed:
            covered = compounds[: max(1, round(0.7 * len(compounds)))]
        else:
            covered = [c for c in compounds if rng.random() < 0.35][:2]
        covered = list({c.name: c for c in reversed(covered)}.values())[::-1]  # one branch per compound name
        total = 4 if detailed else max(rng.randint(2, 4), len(covered) + 1)
        branches: list[OrgPlan] = []
        for compound in covered:
            branches.append(OrgPlan(OrgLevel.BRANCH, f"{compound.name}党支部", community, committee, compound=compound))
        numbers = "一二三四"
        for k in range(total - len(covered) - 1):
            branches.append(OrgPlan(OrgLevel.BRANCH, f"{short}第{numbers[k]}党支部", community, committee))
        joint_units = "、".join(rng.sample(SMALL_UNITS, rng.randint(3, 4)))
        joint = OrgPlan(OrgLevel.BRANCH, f"{short}联合党支部", community, committee, joint_units=joint_units)
        branches.append(joint)
        for branch in branches:
            branch.founded_on = founded + timedelta(days=rng.randint(0, 3000))
            branch.founded_on = min(branch.founded_on, self.window.start - timedelta(days=400))
        orgs += branches
        by_compound = {b.compound.pk: b for b in branches if b.compound is not None}
        residents_branch = next((b for b in branches if b.compound is None and not b.joint_units), branches[0])
        if detailed:
            chosen = micro_grids[: (len(micro_grids) + 1) // 2]
        else:
            chosen = [mg for mg in micro_grids if rng.random() < 0.25]
        groups: list[OrgPlan] = []
        for micro, compound_id in chosen:
            # Under the branch of the micro-grid's compound, placed there too; else under a residents' branch.
            parent = by_compound.get(compound_id)
            place = parent.compound if parent is not None else None
            group = OrgPlan(OrgLevel.GROUP, f"{micro.name}党小组", micro, parent or residents_branch, compound=place)
            group.founded_on = (parent or residents_branch).founded_on
            groups.append(group)
        orgs += groups
        plan = CommunityPlan(community, orgs, [], [], [])
        names = Names(rng)
        pool = list(residents)
        rng.shuffle(pool)
        for i, branch in enumerate(branches):
            self._members(plan, branch, [g for g in groups if g.parent is branch], names, pool, detailed, i)
        self._posts(plan, committee, branches, groups, secretary_name, names)
        self._transfers(plan, branches, names, detailed)
        for org in orgs:
            self._meetings(plan, org, detailed)
        return plan

    # -- members ------------------------------------------------------------------------------------------------

    def _joined(self) -> date:
        """A join date over the decades, long before the year (most members joined years ago)."""
        rng = self.rng
        decade = rng.choices((1970, 1980, 1990, 2000, 2010, 2020), weights=(8, 18, 24, 26, 18, 6))[0]
        day = day_in(decade + rng.randint(0, 9), rng.randint(1, 12), rng.randint(1, 28))
        return min(day, self.window.start - timedelta(days=800))

    def _mobile(self) -> str:
        return f"1{self.rng.choice('35789')}{self.rng.randint(0, 999_999_999):09d}"

    def _member(self, org: OrgPlan, names: Names, pool: list[Candidate], link: float) -> MemberPlan:
        """A full member on the roll before the year, linked to a registered resident with chance `link`."""
        rng = self.rng
        joined = self._joined()
        resident = None
        if pool and rng.random() < link and pool[-1].name not in names.used:
            resident = pool.pop()
            names.used.add(resident.name)
            # Joined at 28 at the earliest (the decade is all the registry shows in clear).
            earliest = date(resident.birth_decade + 28 + rng.randint(0, 9), rng.randint(1, 12), rng.randint(1, 28))
            joined = min(max(joined, earliest), self.window.start - timedelta(days=800))
        assert org.founded_on is not None
        return MemberPlan(
            org=org,
            name=resident.name if resident is not None else names.take(joined),
            joined_on=joined,
            full_on=years_after(joined, 1),
            since=max(joined, org.founded_on),
            mobile=self._mobile() if rng.random() < 0.85 else "",
            resident=resident,
        )

    def _probationary(self, org: OrgPlan, names: Names, joined: date) -> MemberPlan:
        """A member admitted on `joined` (probationary; on the roll from that day)."""
        name = names.take(joined)
        mobile = self._mobile()
        return MemberPlan(org=org, name=name, joined_on=joined, full_on=None, since=joined, mobile=mobile)

    def _members(
        self,
        plan: CommunityPlan,
        branch: OrgPlan,
        groups: list[OrgPlan],
        names: Names,
        pool: list[Candidate],
        detailed: bool,
        index: int,
    ) -> None:
        rng, window = self.rng, self.window
        if branch.joint_units:
            full = rng.randint(2, 4)
        elif detailed:
            full = 11 if index == 0 else rng.randint(6, 9)
        else:
            full = rng.randint(3, 9)
        if groups:
            full = max(full, 4 * len(groups) + 2)
        link = 0.0 if branch.joint_units else 0.35 if detailed else 0.25
        made = [self._member(branch, names, pool, link) for _ in range(full)]
        taken = 0
        for group in groups:  # members of the branch's groups belong to the group
            size = rng.randint(3, 4)
            for m in made[taken : taken + size]:
                m.org = group
            taken += size
        # A probationary member of last year, made full once a general meeting decides it (see _decisions) …
        if not branch.joint_units and (detailed or rng.random() < 0.4):
            made.append(self._probationary(branch, names, window.start - timedelta(days=rng.randint(120, 240))))
        # … and one admitted during the year.
        if detailed or rng.random() < 0.3:
            joined = window.start + timedelta(days=rng.randint(20, 300))
            if joined < window.today:
                made.append(self._probationary(branch, names, joined))
        plan.members += made

    def _transfers(self, plan: CommunityPlan, branches: list[OrgPlan], names: Names, detailed: bool) -> None:
        """A transfer in from, and one out to, organisations outside the district's tree (now and then)."""
        rng, window = self.rng, self.window
        holders = {p.holder for p in plan.posts}
        ordinary = [b for b in branches if not b.joint_units]
        if detailed or rng.random() < 0.12:
            m = self._member(ordinary[min(1, len(ordinary) - 1)], names, [], 0.0)
            m.since = window.start + timedelta(days=rng.randint(100, 200))
            m.transferred_from = rng.choice(TRANSFERRED_FROM)
            plan.members.append(m)
        if detailed or rng.random() < 0.08:
            leaving = [
                m
                for m in plan.members
                if m.org is ordinary[-1] and m not in holders and m.full_on is not None and m.since < window.start
            ]
            if leaving:
                m = rng.choice(leaving)
                m.left_on = window.start + timedelta(days=rng.randint(150, 250))
                m.left_to = rng.choice(TRANSFERRED_TO)

    # -- posts --------------------------------------------------------------------------------------------------

    def _term(self, years: int) -> tuple[date, date]:
        """A term begun before the year and not yet over."""
        earliest = years_after(self.window.today, -years) + timedelta(days=45)
        latest = self.window.start - timedelta(days=1)
        start = earliest + timedelta(days=self.rng.randint(0, max(0, (latest - earliest).days)))
        return start, years_after(start, years)

    def _posts(
        self,
        plan: CommunityPlan,
        committee: OrgPlan,
        branches: list[OrgPlan],
        groups: list[OrgPlan],
        secretary_name: str,
        names: Names,
    ) -> None:
        def full(org: OrgPlan) -> list[MemberPlan]:
            return [m for m in plan.members_of(org) if m.full_on is not None and m.since < self.window.start]

        for branch in branches:
            members = sorted(full(branch), key=lambda m: (m.joined_on, m.name))
            start, end = self._term(3)
            posts = [Post.SECRETARY]
            if len(members) >= COMMITTEE_REQUIRED_FROM:
                posts += [Post.ORGANISATION, Post.PUBLICITY] + ([Post.DISCIPLINE] if len(members) >= 12 else [])
            # The secretary is one of the longest-standing members.
            holders = [members[0]] + self.rng.sample(members[1:], len(posts) - 1)
            plan.posts += [PostPlan(branch, h, p, start, end) for h, p in zip(holders, posts, strict=True)]
            for group in (g for g in groups if g.parent is branch):
                leader = next(m for m in plan.members if m.org is group)
                plan.posts.append(PostPlan(group, leader, Post.GROUP_LEADER, start, end))
        # The community committee: five members, the branch secretaries among them only when there are too few others.
        start, end = self._term(5)
        secretaries = {p.holder for p in plan.posts if p.post == Post.SECRETARY}
        candidates = full(committee)
        self.rng.shuffle(candidates)
        candidates.sort(key=lambda m: (m in secretaries, m.resident is not None))
        chosen = sorted(candidates[:5], key=lambda m: m.joined_on)
        if secretary_name and chosen[0].resident is None and secretary_name not in names.used:
            chosen[0].name = secretary_name  # the community secretary of the demo's accounts
            names.used.add(secretary_name)
        roles = (Post.SECRETARY, Post.DEPUTY_SECRETARY, Post.ORGANISATION, Post.PUBLICITY, Post.DISCIPLINE)
        plan.posts += [PostPlan(committee, h, p, start, end) for h, p in zip(chosen, roles, strict=False)]

    # -- meetings -----------------------------------------------------------------------------------------------

    def _roll(self, plan: CommunityPlan, org: OrgPlan, kind: str, day: date) -> list[MemberPlan]:
        """Who is expected (as `selectors.meeting_roll` answers once the plan is written in date order)."""
        if kind == MeetingKind.COMMITTEE:
            holders = [p.holder for p in plan.posts if p.org is org and p.post != Post.GROUP_LEADER]
            return [m for m in dict.fromkeys(holders) if m.on_roll(day)]
        return [m for m in plan.members_of(org) if m.on_roll(day)]

    def _kinds(self, plan: CommunityPlan, org: OrgPlan) -> list[tuple[str, int]]:
        """The kinds of meeting the organisation holds, each with its cadence in months."""
        if org.level == OrgLevel.GROUP:
            return [(MeetingKind.GROUP, 1)]
        if org.level == OrgLevel.COMMITTEE:
            return [(MeetingKind.COMMITTEE, 1), (MeetingKind.LESSON, 3)]
        kinds = [(MeetingKind.GENERAL, 3), (MeetingKind.LESSON, 3), (MeetingKind.THEMED_DAY, 1)]
        if sum(1 for p in plan.posts if p.org is org) >= 3:
            kinds.append((MeetingKind.COMMITTEE, 1))
        return kinds

    def _dates(self, months: int) -> list[date]:
        """One day a month (about the same day each month) or one a quarter, within the year up to today."""
        rng, window = self.rng, self.window
        if months == 1:
            fixed = rng.randint(6, 24)
            days = [day_in(y, m, fixed + rng.randint(-1, 1)) for y, m in window.months()]
        else:
            days = [day_in(y, 3 * q - 2 + rng.randint(0, 2), rng.randint(6, 26)) for y, q in window.quarters()]
        return [d for d in days if window.start <= d <= window.today]

    def _meetings(self, plan: CommunityPlan, org: OrgPlan, detailed: bool) -> None:
        rng, window = self.rng, self.window
        first_branch = detailed and org is plan.orgs[1]
        short_branch = detailed and org is plan.orgs[2]
        last_group = detailed and org.level == OrgLevel.GROUP and org is plan.orgs[-1]
        last_month = (window.today.replace(day=1) - timedelta(days=1)).replace(day=1)
        for kind, months in self._kinds(plan, org):
            for day in self._dates(months):
                if window.current(day, months):
                    held = rng.random() < CURRENT_HELD
                    if first_branch:  # organiser1's to-do: this month's committee meeting, this quarter's lesson
                        held = kind in (MeetingKind.THEMED_DAY, MeetingKind.GENERAL)
                    if last_group or not held:
                        continue
                if last_group and day >= last_month:
                    continue  # the group missed last month's meeting: overdue
                short = (
                    short_branch
                    and kind == MeetingKind.GENERAL
                    and not any(m.org is org and m.kind == kind for m in plan.meetings)
                )
                self._meeting(plan, org, kind, day, short=short)

    def _meeting(self, plan: CommunityPlan, org: OrgPlan, kind: str, day: date, *, short: bool = False) -> None:
        rng = self.rng
        roll = self._roll(plan, org, kind, day)
        if not roll:
            return
        full = [m for m in roll if m.full_on_day(day)]
        if short:  # no more than half of the full members came; probationary members did
            present = [m for m in roll if m not in full] + full[: len(full) // 2]
        else:
            rate = {MeetingKind.COMMITTEE: 0.95, MeetingKind.GENERAL: 0.85}.get(MeetingKind(kind), 0.8)
            present = [m for m in roll if rng.random() < rate]
        if kind in QUORUM_KINDS and not short:
            absent_full = [m for m in full if m not in present]
            while absent_full and not meeting_quorum(len(full), sum(1 for m in present if m in full), False).valid:
                present.append(absent_full.pop())
        reasons = {m: rng.choice(ABSENCE_REASONS) for m in roll if m not in present and rng.random() < 0.7}
        topic, place = self._topic(org, kind, day)
        meeting = MeetingPlan(org, kind, day, topic, place, roll, present, reasons)
        if short:
            title = "同意开展“楼道微更新”为民服务项目"
            meeting.decisions.append(services.DecisionInput(title=title, votes_for=len(full) // 2))
            meeting.minutes = (
                f"应到{len(roll)}人，实到{len(present)}人。到会正式党员未超过半数，不能作出决定，"
                "表决事项待下次党员大会重新表决。"
            )
        else:
            if kind == MeetingKind.GENERAL:
                self._decisions(plan, meeting)
            meeting.minutes = f"应到{len(roll)}人，实到{len(present)}人。" + MINUTES[MeetingKind(kind)]
        plan.meetings.append(meeting)

    def _topic(self, org: OrgPlan, kind: str, day: date) -> tuple[str, str]:
        rng = self.rng
        if org.level == OrgLevel.GROUP:
            return rng.choice(GROUP_TOPICS), "楼栋党员活动点"
        hall = f"{short_name(org.area.name)}党群服务中心"
        if org.level == OrgLevel.COMMITTEE:
            topics = COMMUNITY_COMMITTEE_TOPICS if kind == MeetingKind.COMMITTEE else LESSONS
            return rng.choice(topics), f"{hall}会议室"
        place = f"{org.compound.name}党群服务站" if org.compound is not None else hall
        if kind == MeetingKind.GENERAL:
            return GENERAL_TOPICS[(day.month - 1) // 3 + 1], place
        if kind == MeetingKind.THEMED_DAY:
            return THEMED_DAYS[day.month], place
        return rng.choice(LESSONS if kind == MeetingKind.LESSON else COMMITTEE_TOPICS), place

    def _decisions(self, plan: CommunityPlan, meeting: MeetingPlan) -> None:
        """Conversions of probationary members whose year is over (recorded the next day), and now and then the
        year's plan (first quarter) or a service project (third quarter)."""
        rng, day = self.rng, meeting.held_on
        for m in meeting.roll:
            if m.full_on is None and m.full_recorded_on is None and years_after(m.joined_on, 1) <= day:
                m.made_full_on, m.full_recorded_on = years_after(m.joined_on, 1), day + timedelta(days=1)
                meeting.decisions.append(self._votes(meeting, f"同意预备党员{mask_name(m.name)}同志按期转为正式党员"))
        quarter = (day.month - 1) // 3 + 1
        if quarter in (1, 3) and rng.random() < 0.3:
            project = f"同意开展“{rng.choice(PROJECTS)}”为民服务项目"
            title = f"通过本支部{day.year}年度党建工作计划" if quarter == 1 else project
            meeting.decisions.append(self._votes(meeting, title))

    def _votes(self, meeting: MeetingPlan, title: str) -> services.DecisionInput:
        """Votes of the full members present: all or all but one for, which passes at a valid meeting."""
        entitled, present = meeting.counts()
        votes_for = max(present - self.rng.randint(0, 1), min(present, entitled // 2 + 1))
        return services.DecisionInput(title=title, votes_for=votes_for, abstentions=present - votes_for)
