"""The volunteer services on a database: registration (staff and self), minors and the guardian's consent, slots
under a lock, confirmed hours (refusals keep nothing), corrections and proofs (numbering, free, only confirmed
hours). Every refusal asserts the Chinese message, the stable code and that nothing was written. "Now" is the
suite's fixed clock, Monday 16 March 2026."""

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest

from shequ.core.actors import ResidentActor
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.volunteers import encryption, proofs, selectors, services
from shequ.volunteers.models import Correction, Signup
from shequ.volunteers.tests.factories import activity, at, confirmed, make_volunteer_world, volunteer_state

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 16)
H = Decimal


@pytest.fixture
def w(clock):
    return make_volunteer_world()


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[tuple[str, str]]]:
    return {
        name: [(str(e.message % e.params if e.params else e.message), str(e.code)) for e in errors]
        for name, errors in exc.value.error_dict.items()
    }


def me(w, key="zsf"):
    return ResidentActor(w[key])


# --- registration --------------------------------------------------------------------------------------------


def test_staff_register_encrypts_and_masks(w):
    v = services.volunteer_register(
        actor=w["worker1"],
        data=services.VolunteerInput(
            community=w["c1"], name="欧阳修", mobile="13911112222", id_number="", birth_date=dt.date(1990, 1, 2)
        ),
    )
    assert (v.name_masked, v.mobile_masked, v.registered_on) == ("欧**", "139****2222", TODAY)
    assert "欧阳修" not in v.name_encrypted and encryption.name_of(v) == "欧阳修"
    assert encryption.birth_date_of(v) == dt.date(1990, 1, 2)


def test_staff_register_refuses_field_by_field_and_writes_nothing(w):
    before = volunteer_state()
    with pytest.raises(ValidationError) as exc:
        services.volunteer_register(
            actor=w["worker1"], data=services.VolunteerInput(community=w["c1"], name="", mobile="123")
        )
    errors = errors_of(exc)
    assert errors["name"] == [("须填写内容", "volunteers.text_required")]
    assert errors["birth_date"] == [("须登记出生日期（用于判断是否未成年）", "volunteers.birth_date_required")]
    assert errors["mobile"][0][1] == "volunteers.mobile_invalid"
    assert volunteer_state() == before


def test_register_in_another_community_is_refused(w):
    before = volunteer_state()
    with pytest.raises(PermissionDenied):
        services.volunteer_register(
            actor=w["worker1"],
            data=services.VolunteerInput(community=w["c2"], name="李雷", birth_date=dt.date(1990, 1, 1)),
        )
    assert volunteer_state() == before


def test_resident_joins_once_with_register_data(w):
    v = w["v_zsf"]
    assert (v.resident_id, v.community_id, v.name_masked) == (w["zsf"].pk, w["c1"].pk, "张**")
    with pytest.raises(ValidationError) as exc:
        services.volunteer_join(actor=me(w), resident=w["zsf"], data=services.JoinInput())
    assert errors_of(exc) == {"resident": [("您已注册为志愿者", "volunteers.already_registered")]}


def test_a_resident_cannot_register_someone_else(w):
    with pytest.raises(PermissionDenied):
        services.volunteer_join(actor=me(w, "wang"), resident=w["child"], data=services.JoinInput())


# --- minors --------------------------------------------------------------------------------------------------


def _open_activity(w, **kw):
    return activity(w["worker1"], w["rc1"], w["c1"], starts_at=at(TODAY + dt.timedelta(days=3), 9), **kw)


def test_minor_without_consent_is_refused_then_signs_up_with_it(w, django_user_model):
    from shequ.registry.tests.factories import make_resident

    kid = make_resident(w["c1"], name="王小红")
    act = _open_activity(w)
    minor = w["v_minor"]
    minor.resident = kid
    minor.save()
    before = volunteer_state()
    with pytest.raises(ValidationError) as exc:
        services.signup_create(actor=ResidentActor(kid), volunteer=minor, activity=act)
    assert errors_of(exc) == {
        "volunteer": [("未成年人报名参加志愿服务，须先记录其监护人的同意", "volunteers.minor_needs_consent")]
    }
    assert volunteer_state() == before
    services.consent_record(
        actor=w["worker1"],
        volunteer=minor,
        data=services.ConsentInput(guardian_name="王大明", relation="父亲", guardian_mobile="13800001111"),
    )
    signup = services.signup_create(actor=ResidentActor(kid), volunteer=minor, activity=act)
    assert signup.status == "signed_up"
    consent = selectors.consent_of(minor)
    assert (consent.guardian_name_masked, consent.guardian_mobile_masked) == ("王**", "138****1111")


def test_consent_for_an_adult_is_refused(w):
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            actor=w["worker1"], volunteer=w["v_zsf"], data=services.ConsentInput(guardian_name="张父", relation="父亲")
        )
    assert errors_of(exc)["volunteer"] == [("该志愿者已成年，不需要监护人同意", "volunteers.not_a_minor")]


# --- activities and sign-ups ---------------------------------------------------------------------------------


def test_organiser_must_be_in_the_community(w):
    with pytest.raises(ValidationError) as exc:
        activity(w["worker1"], w["rc1"], w["c2"], starts_at=at(TODAY, 9))
    assert errors_of(exc)["organiser"] == [("组织单位须位于该社区", "volunteers.organiser_invalid")]


def test_unit_staff_publish_only_for_their_unit(w):
    activity(w["so1_staff"], w["so1"], w["c1"], starts_at=at(TODAY, 9))
    before = volunteer_state()
    with pytest.raises(PermissionDenied):
        activity(w["so1_staff"], w["rc1"], w["c1"], starts_at=at(TODAY, 9))
    with pytest.raises(PermissionDenied):
        activity(w["so2_staff"], w["so1"], w["c1"], starts_at=at(TODAY, 9))
    assert volunteer_state() == before


def test_slots_are_respected_and_a_withdrawal_frees_one(w):
    act = _open_activity(w, slots=1)
    first = services.signup_create(actor=me(w), volunteer=w["v_zsf"], activity=act)
    with pytest.raises(ValidationError) as exc:
        services.signup_create(actor=me(w, "lisi"), volunteer=w["v_lisi"], activity=act)
    assert errors_of(exc) == {"activity": [("活动名额已满", "volunteers.activity_full")]}
    services.signup_withdraw(actor=me(w), signup=first)
    assert services.signup_create(actor=me(w, "lisi"), volunteer=w["v_lisi"], activity=act).status == "signed_up"
    with pytest.raises(ValidationError):  # full again
        services.signup_create(actor=me(w), volunteer=w["v_zsf"], activity=act)


def test_withdrawn_volunteer_signs_up_again_on_the_same_row(w):
    act = _open_activity(w)
    s = services.signup_create(actor=me(w), volunteer=w["v_zsf"], activity=act)
    services.signup_withdraw(actor=me(w), signup=s)
    again = services.signup_create(actor=me(w), volunteer=w["v_zsf"], activity=act)
    assert again.pk == s.pk and again.status == "signed_up"
    assert Signup.objects.filter(activity=act).count() == 1


def test_signing_up_for_another_community_or_for_someone_else_is_refused(w):
    act = _open_activity(w)
    with pytest.raises(PermissionDenied):
        services.signup_create(actor=me(w, "wang"), volunteer=w["v_wang"], activity=act)
    with pytest.raises(PermissionDenied):
        services.signup_create(actor=me(w, "lisi"), volunteer=w["v_zsf"], activity=act)


def test_closed_cancelled_and_ended_activities_refuse_sign_ups(w, clock):
    act = _open_activity(w)
    services.activity_change(actor=w["worker1"], activity=act, event="close")
    with pytest.raises(ValidationError) as exc:
        services.signup_create(actor=me(w), volunteer=w["v_zsf"], activity=act)
    assert errors_of(exc) == {"activity": [("活动不在报名中", "volunteers.activity_not_open")]}
    services.activity_change(actor=w["worker1"], activity=act, event="reopen")
    clock.advance(days=5)
    with pytest.raises(ValidationError) as exc:
        services.signup_create(actor=me(w), volunteer=w["v_zsf"], activity=act)
    assert errors_of(exc) == {"activity": [("活动已结束", "volunteers.activity_ended")]}


# --- hours ---------------------------------------------------------------------------------------------------


def _signed_up_yesterday(w):
    act = activity(w["so1_staff"], w["so1"], w["c1"], starts_at=at(TODAY, 9) - dt.timedelta(days=1), hours=3)
    return Signup.objects.create(activity=act, volunteer=w["v_zsf"], signed_up_at=at(TODAY, 8) - dt.timedelta(days=2))


@pytest.mark.parametrize(
    ("hours", "travel", "errors"),
    [
        ("0", "0", {"hours": [("服务时长须大于 0", "volunteers.hours_invalid")]}),
        (
            "25",
            "0",
            {
                "hours": [
                    ("服务时长不能超过一天（24 小时）", "volunteers.hours_invalid"),
                    ("服务时长不能超过开始至结束的时间（3 小时）", "volunteers.hours_invalid"),
                ]
            },
        ),
        ("3.01", "0", {"hours": [("服务时长不能超过开始至结束的时间（3 小时）", "volunteers.hours_invalid")]}),
        ("1.555", "0", {"hours": [("服务时长最多保留两位小数", "volunteers.hours_invalid")]}),
        ("2", "-1", {"travel_hours": [("往返交通时间不能为负数", "volunteers.hours_invalid")]}),
    ],
)
def test_bad_hours_are_refused_and_nothing_is_written(w, hours, travel, errors):
    signup = _signed_up_yesterday(w)
    before = volunteer_state()
    with pytest.raises(ValidationError) as exc:
        services.hours_confirm(actor=w["so1_staff"], signup=signup, hours=H(hours), travel_hours=H(travel))
    assert errors_of(exc) == errors
    assert volunteer_state() == before


def test_confirmed_hours_exclude_travel_and_make_the_record(w):
    signup = _signed_up_yesterday(w)
    record = services.hours_confirm(actor=w["so1_staff"], signup=signup, hours=H("2.50"), travel_hours=H("1"))
    assert (record.hours, record.travel_hours, record.organiser_id) == (H("2.5"), H("1"), w["so1"].pk)
    assert record.served_on == TODAY - dt.timedelta(days=1)
    signup.refresh_from_db()
    assert signup.status == "attended"
    assert selectors.totals_of(w["v_zsf"]).hours == H("2.5")


def test_hours_before_the_activity_starts_are_refused(w):
    act = _open_activity(w)
    signup = services.signup_create(actor=me(w), volunteer=w["v_zsf"], activity=act)
    with pytest.raises(ValidationError) as exc:
        services.hours_confirm(actor=w["worker1"], signup=signup, hours=H("1"))
    assert errors_of(exc) == {"hours": [("活动尚未开始，不能确认服务时长", "volunteers.not_started")]}


def test_an_organiser_of_another_unit_cannot_confirm(w):
    signup = _signed_up_yesterday(w)
    before = volunteer_state()
    for outsider in (w["so2_staff"], w["pb1_organiser"], w["worker2"], w["street1"]):
        with pytest.raises(PermissionDenied):
            services.hours_confirm(actor=outsider, signup=signup, hours=H("1"))
    assert volunteer_state() == before
    # the community worker of the activity's community may
    assert services.hours_confirm(actor=w["worker1"], signup=signup, hours=H("1")).hours == H("1")


def test_confirming_twice_is_refused(w):
    signup = _signed_up_yesterday(w)
    services.hours_confirm(actor=w["so1_staff"], signup=signup, hours=H("1"))
    with pytest.raises(ValidationError) as exc:
        services.hours_confirm(actor=w["so1_staff"], signup=signup, hours=H("1"))
    assert errors_of(exc) == {"status": [("当前状态下不能进行此操作", "volunteers.status_invalid")]}


# --- corrections ---------------------------------------------------------------------------------------------


def test_correction_accepted_changes_the_record(w):
    record = confirmed(w)
    c = services.correction_ask(actor=me(w), record=record, text="实际服务了3小时")
    with pytest.raises(ValidationError) as exc:
        services.correction_ask(actor=me(w), record=record, text="再问一次")
    assert errors_of(exc) == {"text": [("该记录已有待答复的更正请求", "volunteers.correction_pending")]}
    assert selectors.pending_corrections_count(w["so1_staff"]) == 1
    answered = services.correction_answer(
        actor=w["so1_staff"], correction=c, data=services.AnswerInput(accept=True, answer="已核实", hours=H("3"))
    )
    record.refresh_from_db()
    assert (answered.status, record.hours) == ("accepted", H("3"))
    assert selectors.pending_corrections_count(w["so1_staff"]) == 0


def test_correction_refused_needs_a_reason_and_keeps_the_record(w):
    record = confirmed(w)
    c = services.correction_ask(actor=me(w), record=record, text="时长不对")
    with pytest.raises(ValidationError) as exc:
        services.correction_answer(actor=w["so1_staff"], correction=c, data=services.AnswerInput(accept=False))
    assert errors_of(exc)["answer"] == [("不予更正须说明理由", "volunteers.reason_required")]
    services.correction_answer(
        actor=w["so1_staff"], correction=c, data=services.AnswerInput(accept=False, answer="签到表显示2.5小时")
    )
    record.refresh_from_db()
    assert record.hours == H("2.5")
    assert Correction.objects.get().status == "refused"


def test_correction_accepted_with_too_many_hours_is_refused(w):
    record = confirmed(w)
    c = services.correction_ask(actor=me(w), record=record, text="多记一些")
    before = volunteer_state()
    with pytest.raises(ValidationError) as exc:
        services.correction_answer(
            actor=w["so1_staff"], correction=c, data=services.AnswerInput(accept=True, hours=H("30"))
        )
    assert errors_of(exc)["hours"][0][1] == "volunteers.hours_invalid"
    assert volunteer_state() == before


def test_only_the_volunteer_asks_and_only_the_organiser_answers(w):
    record = confirmed(w)
    with pytest.raises(PermissionDenied):
        services.correction_ask(actor=me(w, "lisi"), record=record, text="不是我的记录")
    c = services.correction_ask(actor=me(w), record=record, text="时长不对")
    with pytest.raises(PermissionDenied):
        services.correction_answer(
            actor=w["so2_staff"], correction=c, data=services.AnswerInput(accept=False, answer="否")
        )


# --- proofs --------------------------------------------------------------------------------------------------


def test_proof_numbers_count_per_community_and_year_and_state_confirmed_hours_only(w):
    confirmed(w, hours="2.5")
    confirmed(w, hours="1.25")
    _signed_up_yesterday(w)  # signed up, not confirmed: not on the proof
    services.entry_record(actor=w["worker1"], volunteer=w["v_zsf"], kind="training", on=TODAY, title="急救培训")
    services.entry_record(actor=w["worker1"], volunteer=w["v_zsf"], kind="complaint", on=TODAY, title="迟到")
    first = services.proof_request(actor=me(w), volunteer=w["v_zsf"])
    second = services.proof_issue(actor=w["worker1"], volunteer=w["v_zsf"])
    assert first.number == "ZYFW-510107001002-2026-00001"
    assert second.number == "ZYFW-510107001002-2026-00002"
    assert (first.total_hours, first.services) == (H("3.75"), 2)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(proofs.render(first.snapshot))).pages)
    for expected in (
        "志愿服务记录证明",
        "张**",
        "3.75",
        "2.5",
        "1.25",
        "锦苑邻里互助会",
        "急救培训",
        "本证明免费出具",
        first.number,
    ):
        assert expected in text, expected
    assert "迟到" not in text  # complaints are on the record, not on the proof
    assert proofs.render(first.snapshot) == proofs.render(first.snapshot)  # the same file every time


def test_no_proof_without_confirmed_hours_and_none_for_someone_else(w):
    before = volunteer_state()
    with pytest.raises(ValidationError) as exc:
        services.proof_request(actor=me(w), volunteer=w["v_zsf"])
    assert errors_of(exc) == {"volunteer": [("还没有已确认的服务记录，不能出具证明", "volunteers.no_records")]}
    with pytest.raises(PermissionDenied):
        services.proof_request(actor=me(w, "lisi"), volunteer=w["v_zsf"])
    with pytest.raises(PermissionDenied):
        services.proof_issue(actor=w["worker2"], volunteer=w["v_zsf"])
    assert volunteer_state() == before
