"""A small volunteer world for tests, made through the services (so encryption, masks and audit are real).

On make_world() (registry): community c1 with its residents' committee (unit rc1), a social organisation (unit so1)
in compound1 with its staff member (`org_staff`), a Party branch unit (pb1) of c1, and community c2 with its
residents' committee (rc2) and a social organisation (so2) with its staff. Volunteers: zsf (resident, linked,
adult), lisi (resident, linked), a minor registered by staff (no consent yet), and wang in c2 (linked).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shequ.accounts.tests.factories import staff
from shequ.core.actors import ResidentActor
from shequ.core.models import AuditRecord
from shequ.organisations.models import Unit
from shequ.registry.tests.factories import make_world
from shequ.volunteers import services
from shequ.volunteers.models import (
    Activity,
    Correction,
    Entry,
    GuardianConsent,
    Proof,
    ServiceRecord,
    Signup,
    Volunteer,
)

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def join(resident: Any, **kw: Any) -> Volunteer:
    kw.setdefault("birth_date", dt.date(1980, 1, 1))
    return services.volunteer_join(actor=ResidentActor(resident), resident=resident, data=services.JoinInput(**kw))


def activity(
    actor: Any, organiser: Any, community: Any, *, starts_at: Any, hours: int = 3, slots: int = 5, **kw: Any
) -> Activity:
    data = services.ActivityInput(
        organiser=organiser,
        community=community,
        title=kw.get("title", "社区环境清洁"),
        content=kw.get("content", "清理小区公共区域垃圾"),
        place=kw.get("place", "锦苑小区中心花园"),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        slots=slots,
    )
    return services.activity_create(actor=actor, data=data)


def make_volunteer_world() -> dict[str, Any]:
    w = make_world()
    w["rc1"] = Unit.objects.create(kind="residents_committee", name="洗面桥社区居民委员会", area=w["c1"])
    w["so1"] = Unit.objects.create(kind="social_org", name="锦苑邻里互助会", area=w["c1"], compound=w["compound1"])
    w["pb1"] = Unit.objects.create(kind="party_branch", name="锦苑小区党支部", area=w["c1"], compound=w["compound1"])
    w["rc2"] = Unit.objects.create(kind="residents_committee", name="玉林社区居民委员会", area=w["c2"])
    w["so2"] = Unit.objects.create(kind="social_org", name="玉林志愿者协会", area=w["c2"])
    w["worker1"], w["worker2"] = w["registrar1"], w["registrar2"]
    w["secretary1"] = staff("community_secretary", w["c1"])
    w["street1"] = staff("street_officer", w["s1"])
    w["district"] = staff("district_officer", w["district"])
    w["so1_staff"] = staff("org_staff", w["c1"], unit=w["so1"])
    w["so2_staff"] = staff("org_staff", w["c2"], unit=w["so2"])
    w["pb1_organiser"] = staff("party_organiser", w["c1"], unit=w["pb1"])
    w["v_zsf"] = join(w["zsf"])
    w["v_lisi"] = join(w["lisi"])
    w["v_wang"] = join(w["wang"])
    w["v_minor"] = services.volunteer_register(
        actor=w["worker1"],
        data=services.VolunteerInput(community=w["c1"], name="王小红", birth_date=dt.date(2012, 6, 1), gender="F"),
    )
    return w


def confirmed(w: dict[str, Any], volunteer_key: str = "v_zsf", hours: str = "2.5") -> ServiceRecord:
    """An activity of so1 that took place yesterday morning, with the volunteer's hours confirmed."""
    now = timezone.now()
    start = at(timezone.localdate(now) - dt.timedelta(days=1), 9)
    act = Activity.objects.create(
        organiser=w["so1"],
        community=w["c1"],
        title="关爱独居老人",
        content="上门陪伴独居老人",
        place="锦苑小区",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        slots=5,
    )
    signup = Signup.objects.create(activity=act, volunteer=w[volunteer_key], signed_up_at=start - dt.timedelta(days=2))
    return services.hours_confirm(actor=w["so1_staff"], signup=signup, hours=Decimal(hours))


def volunteer_state() -> tuple[Any, ...]:
    """What a write of volunteer service changes (rows and audit records)."""
    return (
        list(Volunteer.objects.order_by("id").values_list("id", "active", "resident_id")),
        GuardianConsent.objects.count(),
        list(Activity.objects.order_by("id").values_list("id", "status")),
        list(Signup.objects.order_by("id").values_list("id", "status")),
        list(ServiceRecord.objects.order_by("id").values_list("id", "hours", "travel_hours", "place")),
        Entry.objects.count(),
        list(Correction.objects.order_by("id").values_list("id", "status")),
        Proof.objects.count(),
        AuditRecord.objects.filter(action__startswith="volunteers.").count(),
    )
