"""The demo's volunteer service (志愿服务) in the first community.

What it makes:

- volunteers: the portal's demo resident (so a demo portal sign-in finds a record) and nine other adult residents
  registered themselves (from the register), two volunteers registered at the desk, and a minor registered at the
  desk with the guardian's consent recorded;
- a year of activities organised by different units of the community: the residents' committee (created here when
  the community has none), the community's social work station and the Party branch of its first compound, one a
  month, each with four to six volunteers whose hours the community worker confirmed (1–3 hours, travel excluded);
- three activities open for sign-up in the coming fortnight, the demo resident signed up for the first;
- a training and a commendation on the record, one proof already issued, and one correction waiting for an answer
  (the community worker's home page shows it as a to-do).

Everything goes through the services (as the community worker of the first community and as the residents
themselves), so permissions, validation and audit records are the product's; only the sign-ups of past activities
are written directly (a sign-up is refused once an activity has ended).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shequ.accounts.demo import community_workers
from shequ.core.actors import ResidentActor
from shequ.core.demo import DemoContext
from shequ.organisations.models import Unit
from shequ.registry import selectors as registry_selectors
from shequ.registry.models import Resident
from shequ.territory.demo import first_community

from . import services
from .models import Signup, Volunteer

RNG_OFFSET = 1963  # 学雷锋: the volunteers step draws from its own stream
TITLES = (
    ("社区环境清洁", "清理小区公共区域垃圾和小广告", "小区中心花园"),
    ("关爱独居老人上门陪伴", "陪伴独居老人聊天、打扫卫生", "小区各楼栋"),
    ("垃圾分类宣传引导", "在投放点引导居民分类投放", "垃圾分类投放点"),
    ("文明交通劝导", "在路口劝导行人和非机动车文明出行", "社区主要路口"),
    ("四点半课堂", "辅导放学儿童完成作业", "社区党群服务中心"),
    ("反诈宣传进小区", "向居民讲解常见电信诈骗手法", "小区广场"),
)


def _units(first: Any) -> list[Unit]:
    committee = Unit.objects.filter(area=first, kind="residents_committee").first()
    if committee is None:
        committee = Unit.objects.create(kind="residents_committee", name=f"{first.name}居民委员会", area=first)
    station = Unit.objects.filter(area=first, kind="social_org").order_by("id").first()
    branch = Unit.objects.filter(area=first, kind="party_branch").order_by("id").first()
    return [u for u in (committee, station, branch) if u is not None]


def _join(resident: Resident, rng: Any) -> Volunteer:
    data = services.JoinInput(
        skills=rng.choice(["急救", "陪伴聊天", "书法", "维修家电", "摄影", ""]),
        categories=rng.choice(["助老", "环保", "文体", "助学", "平安"]),
        birth_date=dt.date(1980 + rng.randrange(20), 1 + rng.randrange(12), 1 + rng.randrange(28)),
    )
    return services.volunteer_join(actor=ResidentActor(resident), resident=resident, data=data)


def seed(ctx: DemoContext) -> None:
    """Build the volunteers of the first community with a year of confirmed services."""
    rng = ctx.fresh_rng(RNG_OFFSET)
    first = first_community(ctx)
    worker = community_workers(ctx)[first.pk]
    units = _units(first)
    now = timezone.now()
    today = timezone.localdate()

    demo_resident = registry_selectors.demo_portal_resident()
    adults = [
        r
        for r in Resident.objects.filter(community=first, status="active")
        .exclude(mobile_encrypted="")
        .order_by("id")[:60]
        if r.birth_decade is not None and r.birth_decade <= 1990 and r != demo_resident
    ][:9]
    residents = ([demo_resident] if demo_resident is not None else []) + adults
    volunteers = [_join(r, rng) for r in residents]
    for name, birth in (("陈思远", dt.date(1975, 4, 12)), ("刘晓燕", dt.date(1988, 9, 3))):
        volunteers.append(
            services.volunteer_register(
                actor=worker,
                data=services.VolunteerInput(
                    community=first, name=name, birth_date=birth, gender="U", skills="组织协调"
                ),
            )
        )
    minor = services.volunteer_register(
        actor=worker,
        data=services.VolunteerInput(
            community=first, name="王小雨", birth_date=today.replace(year=today.year - 15), gender="F"
        ),
    )
    services.consent_record(
        actor=worker,
        volunteer=minor,
        data=services.ConsentInput(guardian_name="王建军", relation="父亲", guardian_mobile="13900000001"),
    )

    # A year of past activities, one a month, with confirmed hours.
    records = []
    for month in range(12, 0, -1):
        day = today - dt.timedelta(days=30 * month - rng.randrange(10))
        start = timezone.make_aware(dt.datetime(day.year, day.month, day.day, 9, 0))
        title, content, place = TITLES[month % len(TITLES)]
        activity = services.activity_create(
            actor=worker,
            data=services.ActivityInput(
                organiser=units[month % len(units)],
                community=first,
                title=title,
                content=content,
                place=place,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=3),
                slots=8,
            ),
        )
        services.activity_change(actor=worker, activity=activity, event="close")
        attending = rng.sample(volunteers[:11], rng.randrange(4, 7))
        if volunteers and volunteers[0] not in attending and month % 2 == 0:
            attending[0] = volunteers[0]  # the demo resident serves every other month
        for v in attending:
            signup = Signup.objects.create(activity=activity, volunteer=v, signed_up_at=start - dt.timedelta(days=3))
            hours = Decimal(rng.choice(["1", "1.5", "2", "2.5", "3"]))
            travel = Decimal(rng.choice(["0", "0.25", "0.5"]))
            records.append(
                services.hours_confirm(
                    actor=worker, signup=signup, hours=hours, travel_hours=travel, now=start + dt.timedelta(hours=4)
                )
            )

    # Open activities of the coming fortnight; the demo resident signed up for the first.
    upcoming = []
    for i, (title, content, place) in enumerate(TITLES[:3]):
        day = today + dt.timedelta(days=3 + 5 * i)
        start = timezone.make_aware(dt.datetime(day.year, day.month, day.day, 14, 30))
        upcoming.append(
            services.activity_create(
                actor=worker,
                data=services.ActivityInput(
                    organiser=units[i % len(units)],
                    community=first,
                    title=title,
                    content=content,
                    place=place,
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=2),
                    slots=10,
                ),
            )
        )
    if demo_resident is not None:
        services.signup_create(
            actor=ResidentActor(demo_resident), volunteer=volunteers[0], activity=upcoming[0], now=now
        )
        own = [r for r in records if r.volunteer_id == volunteers[0].pk]
        if own:
            services.correction_ask(
                actor=ResidentActor(demo_resident), record=own[-1], text="当天实际服务到12点，时长应为3小时", now=now
            )
    for v in volunteers[1:3]:
        services.signup_create(actor=ResidentActor(v.resident), volunteer=v, activity=upcoming[0], now=now)

    # The record's other items and one proof.
    services.entry_record(
        actor=worker,
        volunteer=volunteers[1],
        kind="training",
        on=today - dt.timedelta(days=60),
        title="志愿者应急救护培训",
        issuer="武侯区红十字会",
    )
    services.entry_record(
        actor=worker,
        volunteer=volunteers[1],
        kind="commendation",
        on=today - dt.timedelta(days=20),
        title="社区优秀志愿者",
        issuer=first.name,
    )
    services.proof_issue(actor=worker, volunteer=volunteers[1])

    ctx.counts["volunteers"] = len(volunteers) + 1
    ctx.counts["volunteer_services"] = len(records)
