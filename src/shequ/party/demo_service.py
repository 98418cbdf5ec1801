"""The demo's 在职党员双报到 and 党员中心户, in the first community, through the party services.

What it makes:

- the community's needs list: seven needs of the usual kinds posted over the year by the community Party secretary,
  the older ones closed, the recent ones open with places left;
- eight in-service members registered about fourteen months ago: the portal's demo resident (so a portal sign-in
  shows the service pages with content) and seven other adult residents of the community, with fictitious
  employers and their own Party organisations;
- claims of the needs and a year of services up to today (one to three a quarter per member, 1 to 4 hours): those
  of past quarters confirmed by the secretary, a few recent ones waiting for confirmation (the home page's to-do);
- two hub households on the two micro-grids with the most households: one within the local settings, one whose
  host keeps in touch with more households than SHEQU_HUB_MAX_HOUSEHOLDS, so its warning shows.

Everything goes through the services as the community Party secretary or the resident (ResidentActor), so
validation, permissions and audit records are what the product does.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from shequ.accounts.models import RoleAssignment
from shequ.core.actors import ResidentActor
from shequ.registry.models import Household, Resident
from shequ.registry.selectors import demo_portal_resident
from shequ.territory.models import Area

from . import hub_services, inservice_services
from .domain import quarter_of
from .models import PartyMember, ServiceNeed

EMPLOYERS = (
    ("武侯区教育局", "武侯区教育局机关党支部", "科员"),
    ("四川大学华西医院", "华西医院门诊党支部", "主治医师"),
    ("成都银行武侯支行", "成都银行武侯支行党支部", "客户经理"),
    ("武侯区司法局", "武侯区司法局机关党支部", "调解指导员"),
    ("成都地铁运营公司", "地铁运营三分公司党支部", "值班站长"),
    ("某律师事务所", "律师行业第二联合党支部", "律师"),
    ("武侯区文化馆", "武侯区文化馆党支部", "辅导老师"),
    ("某软件公司", "某软件公司党支部", "工程师"),
)
SKILLS = (
    "课业辅导",
    "健康咨询",
    "金融知识讲解",
    "法律咨询和调解",
    "安全知识宣讲",
    "法律援助",
    "书法和合唱",
    "电脑和手机使用",
)
# (title, kind, wanted, days before today it opened, days it stays open (None: until closed), closed)
NEEDS = (
    ("寒假小学生课业辅导", "tutoring", 4, 330, 45, True),
    ("春节走访慰问独居老人", "visits", 6, 310, 30, True),
    ("楼栋噪音纠纷调解", "mediation", 2, 240, 60, True),
    ("暑期青少年课业辅导", "tutoring", 5, 160, 70, True),
    ("老旧院落环境整治", "environment", 8, 70, None, False),
    ("夜间平安巡逻", "patrol", 6, 50, None, False),
    ("重阳节文艺汇演", "culture", 10, 30, 60, False),
)
CONTENTS = {
    "tutoring": "辅导小学生数学和语文作业",
    "visits": "上门看望独居老人，了解生活需要",
    "mediation": "参与调解邻里纠纷",
    "environment": "清理楼道杂物，整治院落环境",
    "patrol": "参加夜间平安巡逻",
    "culture": "组织排练文艺节目",
}
MEMBERS = 8


def _secretary(community: Any) -> Any:
    return RoleAssignment.objects.filter(role="community_secretary", area=community).select_related("user").first()


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _residents(community: Any, rng: random.Random) -> list[Any]:
    portal = demo_portal_resident()
    others = list(
        Resident.objects.filter(community=community, status="active", relation="head")
        .exclude(pk=portal.pk if portal is not None else None)
        .order_by("id")[:40]
    )
    chosen = rng.sample(others, min(MEMBERS - 1, len(others)))
    return ([portal] if portal is not None and portal.community_id == community.pk else []) + chosen


def seed_service(community: Any, rng: random.Random, today: date) -> dict[str, int]:
    """Build the community's 双报到 and hubs (see the module docstring); returns counts."""
    assignment = _secretary(community)
    if assignment is None:
        return {}
    secretary = assignment.user
    registered_on = today - timedelta(days=420)
    needs: list[ServiceNeed] = []
    to_close: list[ServiceNeed] = []
    for title, kind, wanted, ago, days, closed in NEEDS:
        opened = today - timedelta(days=ago)
        data = inservice_services.NeedInput(
            title=title,
            kind=kind,
            wanted=wanted,
            open_from=opened,
            open_until=opened + timedelta(days=days) if days else None,
            place="社区党群服务中心" if kind in ("tutoring", "culture") else "",
        )
        needs.append(inservice_services.need_publish(actor=secretary, community=community, data=data))
        if closed:
            to_close.append(needs[-1])
    members = []
    for i, resident in enumerate(_residents(community, rng)):
        employer, own_org, title = EMPLOYERS[i % len(EMPLOYERS)]
        data = inservice_services.RegistrationInput(
            own_org_name=own_org,
            employer=employer,
            job_title=title,
            skills=SKILLS[i % len(SKILLS)],
            preferred_kinds=[needs[i % len(needs)].kind],
            registered_on=registered_on,
        )
        members.append(inservice_services.registration_create(actor=secretary, resident=resident, data=data))
    entries = 0
    current = quarter_of(today)
    for need in needs:
        opened = need.open_from
        takers = rng.sample(members, min(len(members), max(1, need.wanted - rng.randint(0, 2))))
        for member in takers:
            actor = ResidentActor(member.resident)
            claim = inservice_services.need_claim(actor=actor, need=need, member=member, now=_aware(opened))
            for _ in range(rng.randint(1, 3)):
                served = min(opened + timedelta(days=rng.randint(1, 40)), today)
                hours = Decimal(rng.choice(("1", "1.5", "2", "2.5", "3", "4")))
                entry = inservice_services.EntryInput(
                    served_on=served, hours=hours, content=CONTENTS[need.kind], claim=claim
                )
                done = inservice_services.entry_record(actor=actor, member=member, data=entry)
                if quarter_of(served) != current or rng.random() < 0.5:
                    inservice_services.entry_confirm(actor=secretary, entry=done)
                entries += 1
    for need in to_close:
        inservice_services.need_close(actor=secretary, need=need)
    hubs = _hubs(community, secretary, today)
    return {"service_needs": len(needs), "inservice_members": len(members), "service_entries": entries, "hubs": hubs}


def _hubs(community: Any, secretary: Any, today: date) -> int:
    """Two hubs on the micro-grids with the most households; the second's host keeps in touch with more
    households than the local setting."""
    grids = Area.objects.filter(path__startswith=community.path, level="micro_grid").order_by("path")
    by_size = sorted(grids, key=lambda g: -Household.objects.filter(dwelling__building__micro_grid=g).count())[:2]
    members = list(
        PartyMember.objects.filter(org__unit__area__path__startswith=community.path, active=True).order_by("id")
    )
    made = 0
    for n, grid in enumerate(by_size):
        households = list(Household.objects.filter(dwelling__building__micro_grid=grid).order_by("number"))
        if len(members) < 3 or not households:
            continue
        host, *linked = members[:3]
        members = members[3:]
        hub, _warnings = hub_services.hub_create(
            actor=secretary, area=grid, host=host, name=f"{grid.name}党员中心户", since=today - timedelta(days=300)
        )
        links = [hub.links.get()] + [hub_services.hub_link(actor=secretary, hub=hub, member=m)[0] for m in linked]
        # the first hub: a few households each; the second: its host above the local number of households
        over = settings.SHEQU_HUB_MAX_HOUSEHOLDS + 1
        counts = [3, 3, 3] if n == 0 else [over, 2, 2]
        it = iter(households)
        for link, count in zip(links, counts, strict=True):
            for household in [h for _, h in zip(range(count), it, strict=False)]:
                hub_services.hub_household_add(actor=secretary, link=link, household=household)
        made += 1
    return made
