"""Writes of roles, joint meetings and follow-ups: what they store, their validation (clear Chinese messages with
stable codes) and their refusals (a refusal changes nothing, audit included)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shequ.coordination import encryption, selectors, services
from shequ.coordination.models import FollowUp
from shequ.coordination.tests.factories import CONTACT_MOBILE, meeting, state
from shequ.core.errors import PermissionDenied
from shequ.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def _codes(exc: ValidationError) -> dict[str, list[str]]:
    return {k: [str(e.code) for e in v] for k, v in exc.error_dict.items()}


def test_role_saved_encrypted_and_masked(w):
    """The contact person is stored encrypted with masked forms; the audit record holds only the mask."""
    role = w["role_rc"]
    assert role.contact_name_masked == "李*"
    assert role.contact_mobile_masked == "138****5678"
    assert "李梅" not in role.contact_name_encrypted and CONTACT_MOBILE not in role.contact_mobile_encrypted
    assert encryption.contact_of(role) == {"name": "李梅", "mobile": CONTACT_MOBILE}
    record = AuditRecord.objects.filter(action="coordination.role_saved", object_id=str(role.public_id)).get()
    assert "李梅" not in str(record.after) and CONTACT_MOBILE not in str(record.after)


def test_role_save_updates_in_place(w):
    """One role per community and unit: saving again updates it; keep_contact leaves the contact as stored."""
    data = services.RoleInput(responsibilities="组织居民议事，协助老旧小区改造", keep_contact=True)
    role = services.role_save(actor=w["worker"], community=w["c1"], unit=w["rc"], data=data)
    assert role.pk == w["role_rc"].pk
    assert (role.responsibilities, role.contact_mobile_masked) == ("组织居民议事，协助老旧小区改造", "138****5678")


def test_role_of_a_unit_of_another_community_is_refused(w):
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.role_save(
            actor=w["secretary"], community=w["c1"], unit=w["rc2"], data=services.RoleInput(responsibilities="x")
        )
    assert _codes(exc.value) == {"unit": ["coordination.unit_not_present"]}
    assert state() == before


def test_role_validation(w):
    data = services.RoleInput(responsibilities="联系 13812345678", contact_mobile="123")
    with pytest.raises(ValidationError) as exc:
        services.role_save(actor=w["secretary"], community=w["c1"], unit=w["social"], data=data)
    assert _codes(exc.value) == {
        "responsibilities": ["coordination.personal_number"],
        "contact_mobile": ["coordination.mobile_invalid"],
    }


def test_reveal_is_audited_and_needs_a_reason(w):
    with pytest.raises(ValidationError) as exc:
        services.contact_reveal(actor=w["worker"], role=w["role_rc"], reason=" ")
    assert _codes(exc.value) == {"reason": ["coordination.reason_required"]}
    revealed = services.contact_reveal(actor=w["worker"], role=w["role_rc"], reason="通知参加联席会议")
    assert revealed == {"name": "李梅", "mobile": CONTACT_MOBILE}
    assert AuditRecord.objects.filter(action="coordination.contact_revealed").count() == 1


def test_meeting_recorded_with_participants_and_follow_ups(w):
    m = meeting(w, follow_ups=2)
    assert m.convened_by == w["committee"].unit
    assert {u.name for u in m.participants.all()} == {"洗面桥社区党委", "洗面桥社区居民委员会", "锦苑物业公司"}
    assert list(m.follow_ups.values_list("text", "status", "kind")) == [
        ("重新划定停车位（第1项）", "open", "none"),
        ("重新划定停车位（第2项）", "open", "none"),
    ]
    assert AuditRecord.objects.filter(action="coordination.meeting_recorded").count() == 1


def test_meeting_validation(w):
    """Minutes required, at least two units with the convener among them, no future date, a due date not before
    the meeting; a unit of another community is refused by name."""
    today = timezone.localdate()
    before = state()
    data = services.MeetingInput(
        held_on=today + timedelta(days=1),
        topic="",
        minutes="",
        participants=[w["committee"].unit],
        follow_ups=[services.FollowUpInput(text="x", due_on=today)],
    )
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(actor=w["secretary"], community=w["c1"], data=data)
    assert _codes(exc.value) == {
        "held_on": ["coordination.future_date"],
        "topic": ["coordination.text_required"],
        "minutes": ["coordination.minutes_required"],
        "participants": ["coordination.participants_too_few"],
        "follow_ups[0].due_on": ["coordination.due_before_meeting"],
    }
    data = services.MeetingInput(
        held_on=today,
        topic="议题",
        minutes="纪要",
        participants=[w["committee"].unit, w["rc2"]],
        follow_ups=[services.FollowUpInput(text="事项", due_on=today - timedelta(days=1))],
    )
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(actor=w["secretary"], community=w["c1"], data=data)
    assert _codes(exc.value) == {
        "participants": ["coordination.unit_not_present"],
        "follow_ups[0].due_on": ["coordination.due_before_meeting"],
    }
    assert "玉林社区居民委员会" in exc.value.message_dict["participants"][0]
    assert state() == before


def test_follow_up_to_case_once(w):
    """立案 creates a case of the meeting's community through the cases service and keeps the link; twice is
    refused and changes nothing."""
    m = meeting(w)
    f = m.follow_ups.get()
    done = services.follow_up_to_case(actor=w["secretary"], follow_up=f)
    assert (done.kind, done.status) == ("case", "open")
    assert done.case.community == w["c1"] and done.case.title == f.text and done.case.channel == "staff"
    assert AuditRecord.objects.filter(action="coordination.follow_up_to_case").count() == 1
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.follow_up_to_case(actor=w["secretary"], follow_up=f)
    assert _codes(exc.value) == {"kind": ["coordination.already_handed_over"]}
    with pytest.raises(ValidationError):
        services.follow_up_to_proposal(actor=w["secretary"], follow_up=f)
    assert state() == before


def test_follow_up_to_proposal(w):
    """转为议题 creates a proposal of the community whose source is the Party organisation."""
    f = meeting(w).follow_ups.get()
    done = services.follow_up_to_proposal(actor=w["worker"], follow_up=f, title="停车位改造议题")
    assert done.kind == "proposal"
    assert (done.proposal.community, done.proposal.source, done.proposal.title) == (w["c1"], "party", "停车位改造议题")


def test_an_organiser_records_meetings_but_the_case_service_refuses_it(w):
    """The committee's organiser manages the community; filing a case needs cases.submit, which it lacks: the
    follow-up stays as it was."""
    f = meeting(w).follow_ups.get()
    before = state()
    with pytest.raises(PermissionDenied):
        services.follow_up_to_case(actor=w["organiser0"], follow_up=f)
    assert state() == before
    services.follow_up_add(actor=w["organiser0"], meeting=f.meeting, data=services.FollowUpInput(text="补充事项"))


def test_complete(w):
    f = meeting(w).follow_ups.get()
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.follow_up_complete(actor=w["worker"], follow_up=f, done_on=None, result="")
    assert _codes(exc.value) == {"done_on": ["coordination.date_invalid"], "result": ["coordination.text_required"]}
    done = services.follow_up_complete(actor=w["worker"], follow_up=f, done_on=today, result="已划线 42 个车位")
    assert (done.status, done.done_on, done.result) == ("done", today, "已划线 42 个车位")
    with pytest.raises(ValidationError):
        services.follow_up_complete(actor=w["worker"], follow_up=f, done_on=today, result="再次")
    with pytest.raises(ValidationError):
        services.follow_up_to_case(actor=w["worker"], follow_up=f)


@pytest.mark.parametrize(
    "who", ["other_worker", "other_secretary", "street", "org_staff", "dept_officer", "organiser1"]
)
def test_writes_refused_to_those_who_do_not_manage_the_community(w, who):
    """Staff of another community, street officers, unit staff and a compound branch's organiser write nothing."""
    m = meeting(w)
    f = m.follow_ups.get()
    before = state()
    actor = w[who]
    calls = [
        lambda: services.role_save(
            actor=actor, community=w["c1"], unit=w["social"], data=services.RoleInput(responsibilities="x")
        ),
        lambda: services.contact_reveal(actor=actor, role=w["role_rc"], reason="看看"),
        lambda: services.meeting_record(
            actor=actor,
            community=w["c1"],
            data=services.MeetingInput(
                held_on=timezone.localdate(), topic="t", minutes="m", participants=[w["committee"].unit, w["rc"]]
            ),
        ),
        lambda: services.follow_up_add(actor=actor, meeting=m, data=services.FollowUpInput(text="x")),
        lambda: services.follow_up_complete(actor=actor, follow_up=f, done_on=timezone.localdate(), result="r"),
        lambda: services.follow_up_to_case(actor=actor, follow_up=f),
        lambda: services.follow_up_to_proposal(actor=actor, follow_up=f),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert state() == before


def test_overdue_selector(w):
    today = timezone.localdate()
    meeting(w, held_on=today - timedelta(days=30), due_on=today - timedelta(days=1))
    meeting(w, held_on=today - timedelta(days=30), due_on=today)
    assert [f.text for f in selectors.overdue_for(w["worker"], today)] == ["重新划定停车位（第1项）"]
    assert selectors.overdue_for(w["street"], today).count() == 0  # reads, does not manage
    assert selectors.overdue_for(w["other_worker"], today).count() == 0
    assert FollowUp.objects.count() == 2
