"""The world of the coordination tests: community c1 of make_party_world() with units of every kind around its
Party committee, a district department, roles, and the staff who read or write them."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from shequ.accounts.tests.factories import staff
from shequ.cases.models import Case
from shequ.coordination import services
from shequ.coordination.models import ActorRole, FollowUp, JointMeeting
from shequ.core.models import AuditRecord
from shequ.core.tests.calendar_seed import seed_calendar
from shequ.deliberation.models import Proposal
from shequ.organisations.tests.factories import unit
from shequ.party.tests.factories import make_party_world, member, organiser

CONTACT_MOBILE = "13812345678"


def make_world() -> dict[str, Any]:
    """make_party_world() (c1 with its committee 洗面桥社区党委 and branches; staff of c1, s1, the district and c2)
    plus, for c1: a residents' committee, the property company and owners' committee of compound1, a social
    organisation, a district department (placed at the district, with a role in c1) and a street-level resident
    unit without a role; for c2 a residents' committee. The committee's secretary post is held by 周华.

    Staff added: org_staff of the property company, department_officer of the department, org_staff of a unit of c2,
    organiser0 (party_organiser of the committee)."""
    seed_calendar()
    w = make_party_world()
    w["rc"] = unit("residents_committee", "洗面桥社区居民委员会", w["c1"])
    w["property"] = unit("property_company", "锦苑物业公司", w["c1"], compound=w["compound1"])
    w["owners"] = unit("owners_committee", "锦苑小区业主委员会", w["c1"], compound=w["compound1"])
    w["social"] = unit("social_org", "益民社工服务中心", w["c1"])
    w["department"] = unit("department", "武侯区住房建设局", w["district"])
    w["street_unit"] = unit("resident_unit", "浆洗街小学", w["s1"])
    w["rc2"] = unit("residents_committee", "玉林社区居民委员会", w["c2"])
    w["org_staff"] = staff("org_staff", w["c1"], username="org_staff", unit=w["property"])
    w["dept_officer"] = staff("department_officer", w["district"], username="dept_officer", unit=w["department"])
    w["other_org_staff"] = staff("org_staff", w["c2"], username="other_org_staff", unit=w["rc2"])
    w["organiser0"] = organiser(w["committee"], "organiser0")
    secretary = member(w["secretary"], w["committee"], "周华")
    from shequ.party import services as party_services

    today = timezone.localdate()
    party_services.post_assign(
        actor=w["secretary"],
        org=w["committee"],
        member=secretary,
        post="secretary",
        term_starts_on=today - timedelta(days=365),
        term_ends_on=today + timedelta(days=3 * 365),
    )
    w["role_rc"] = services.role_save(
        actor=w["secretary"],
        community=w["c1"],
        unit=w["rc"],
        data=services.RoleInput(
            responsibilities="依法协助政府做好公共服务，组织居民自治",
            contact_name="李梅",
            contact_mobile=CONTACT_MOBILE,
        ),
    )
    w["role_department"] = services.role_save(
        actor=w["secretary"],
        community=w["c1"],
        unit=w["department"],
        data=services.RoleInput(responsibilities="老旧小区改造的技术指导"),
    )
    return w


def meeting(w: dict[str, Any], *, held_on: date | None = None, follow_ups: int = 1, due_on: date | None = None) -> Any:
    """A joint meeting of c1 convened by its committee with the residents' committee and the property company."""
    held_on = held_on or timezone.localdate() - timedelta(days=10)
    data = services.MeetingInput(
        held_on=held_on,
        topic="锦苑小区停车秩序整治",
        minutes="各方同意重新划定停车位，物业负责施工，居委会组织居民议事。",
        participants=[w["committee"].unit, w["rc"], w["property"]],
        follow_ups=[
            services.FollowUpInput(text=f"重新划定停车位（第{i + 1}项）", lead_unit=w["property"], due_on=due_on)
            for i in range(follow_ups)
        ],
    )
    return services.meeting_record(actor=w["secretary"], community=w["c1"], data=data)


def state() -> tuple[Any, ...]:
    """Every table a coordination write touches (audit included) and the mutable columns: equal before and after a
    refused write."""
    return (
        ActorRole.objects.count(),
        sorted(ActorRole.objects.values_list("id", "responsibilities", "contact_mobile_masked", "note")),
        JointMeeting.objects.count(),
        sorted(FollowUp.objects.values_list("id", "status", "kind", "case_id", "proposal_id", "done_on")),
        Case.objects.count(),
        Proposal.objects.count(),
        AuditRecord.objects.count(),
    )
