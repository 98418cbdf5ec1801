"""Notice and objection services: what each writes, and that every refusal writes nothing (no notice, no
objection, no audit record)."""

import datetime as dt

import pytest

from shequ.core.actors import ResidentActor
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.notices import services
from shequ.notices.models import Notice, Objection

from .conftest import BODY, TODAY, draft, publish

pytestmark = pytest.mark.django_db


def _counts():
    return (Notice.objects.count(), Objection.objects.count(), AuditRecord.objects.count())


class Unchanged:
    """`with Unchanged(): ...` asserts that the block wrote no notice, objection or audit record."""

    def __enter__(self):
        self.before = _counts()

    def __exit__(self, *exc):
        assert _counts() == self.before


def _messages(exc):
    return (
        [m for ms in exc.value.message_dict.values() for m in ms]
        if hasattr(exc.value, "error_dict")
        else exc.value.messages
    )


# --- publishing ----------------------------------------------------------------------------------------------


def test_notice_publish_creates_a_published_notice_with_its_source_and_audit(w, clock):
    notice = publish(w, source_type="votes.item", source_id="abc-123", kind="vote_result")
    notice.refresh_from_db()
    assert (notice.status, notice.kind, notice.community, notice.area_path) == (
        "published",
        "vote_result",
        w["c1"],
        w["c1"].path,
    )
    assert (notice.source_type, notice.source_id) == ("votes.item", "abc-123")
    assert (notice.published_by, notice.published_at, notice.created_by) == (w["cw1"], clock.now, w["cw1"])
    assert (notice.starts_on, notice.ends_on) == (TODAY, TODAY + dt.timedelta(days=6))
    actions = list(AuditRecord.objects.filter(object_id=str(notice.public_id)).values_list("action", flat=True))
    assert actions == ["notices.drafted", "notices.published"]


def test_a_period_shorter_than_the_minimum_is_refused_in_chinese_and_nothing_is_written(w):
    with Unchanged(), pytest.raises(ValidationError) as exc:
        publish(w, days=4)
    assert _messages(exc) == ["公示期不得少于5天（含开始和结束当天），当前为4天"]


def test_the_minimum_is_a_setting(w, settings):
    settings.SHEQU_NOTICE_MIN_DAYS = 7
    with Unchanged(), pytest.raises(ValidationError) as exc:
        publish(w, days=6)
    assert _messages(exc) == ["公示期不得少于7天（含开始和结束当天），当前为6天"]
    assert publish(w, days=7).status == "published"


def test_a_period_starting_before_today_cannot_be_published(w):
    notice = draft(w, starts=-1)
    with Unchanged(), pytest.raises(ValidationError) as exc:
        services.notice_publish_draft(actor=w["cw1"], notice=notice)
    assert _messages(exc) == ["公示开始日期不能早于发布当天，请修改公示期"]
    notice.refresh_from_db()
    assert notice.status == "draft"


def test_the_area_must_be_a_community_and_compound_and_building_must_lie_in_it(w):
    with Unchanged(), pytest.raises(ValidationError) as exc:
        publish(w, compound=w["compound2"])
    assert _messages(exc) == ["该小区不属于所选社区"]
    with Unchanged(), pytest.raises(ValidationError) as exc:
        publish(w, compound=w["compound1"], building=w["b3"])
    assert _messages(exc) == ["该楼栋不属于所选小区"]
    with Unchanged(), pytest.raises(ValidationError) as exc:
        publish(w, area="g11")
    assert _messages(exc) == ["公示范围须为一个社区（可再限定到小区或楼栋）"]


def test_a_building_implies_its_compound(w):
    notice = publish(w, building=w["b2"])
    assert (notice.compound, notice.building) == (w["compound1"], w["b2"])


def test_personal_numbers_are_refused_in_a_public_notice(w):
    with Unchanged(), pytest.raises(ValidationError) as exc:
        publish(w, body=BODY + "联系人电话13812345678")
    assert _messages(exc) == ["公示内容不得包含手机号码或身份证号码"]


@pytest.mark.parametrize("who", ["cw2", "so1", "gw11"])
def test_only_the_communitys_staff_publish(w, who):
    """Another community's worker, the street officer and a grid worker of c1 are refused; nothing is written."""
    with Unchanged(), pytest.raises(PermissionDenied):
        publish(w, actor=w[who])


def test_the_secretary_publishes_too(w):
    assert publish(w, actor=w["sec1"]).published_by == w["sec1"]


def test_a_draft_is_edited_a_published_notice_is_not(w):
    notice = draft(w)
    services.notice_draft_update(
        actor=w["cw1"],
        notice=notice,
        kind="fund_use",
        title="充电桩费用使用公示",
        body=BODY,
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=9),
    )
    notice.refresh_from_db()
    assert (notice.kind, notice.title, notice.ends_on) == (
        "fund_use",
        "充电桩费用使用公示",
        TODAY + dt.timedelta(days=9),
    )
    services.notice_publish_draft(actor=w["cw1"], notice=notice)
    with Unchanged(), pytest.raises(ValidationError) as exc:
        services.notice_draft_update(
            actor=w["cw1"],
            notice=notice,
            kind="other",
            title="改过的标题",
            body=BODY,
            starts_on=TODAY,
            ends_on=TODAY + dt.timedelta(days=9),
        )
    assert _messages(exc) == ["已发布的公示不能修改；如需更正，请发布更正公示"]
    with Unchanged(), pytest.raises(ValidationError):
        services.notice_publish_draft(actor=w["cw1"], notice=notice)


def test_a_correction_supersedes_the_old_notice_and_both_are_kept(w):
    old = publish(w)
    correction = publish(w, title="关于增设充电桩的决议公示（更正）", supersedes=old)
    old.refresh_from_db()
    assert (old.status, correction.status, correction.supersedes) == ("superseded", "published", old)
    assert AuditRecord.objects.filter(object_id=str(old.public_id), action="notices.superseded").count() == 1
    with Unchanged(), pytest.raises(ValidationError) as exc:
        publish(w, title="再次更正的公示", supersedes=old)
    assert _messages(exc) == ["只能更正正在公示或已结束、未撤回的公示"]


def test_withdrawing_needs_a_reason_and_keeps_the_record(w, clock):
    notice = publish(w)
    with Unchanged(), pytest.raises(ValidationError) as exc:
        services.notice_withdraw(actor=w["cw1"], notice=notice, reason=" ")
    assert _messages(exc) == ["请填写撤回理由"]
    with Unchanged(), pytest.raises(PermissionDenied):
        services.notice_withdraw(actor=w["so1"], notice=notice, reason="街道要求撤回")
    services.notice_withdraw(actor=w["cw1"], notice=notice, reason="方案需重新讨论")
    notice.refresh_from_db()
    assert (notice.status, notice.withdraw_reason, notice.withdrawn_by) == ("withdrawn", "方案需重新讨论", w["cw1"])
    assert Notice.objects.filter(pk=notice.pk).exists()
    with Unchanged(), pytest.raises(ValidationError) as exc:
        services.notice_withdraw(actor=w["cw1"], notice=notice, reason="方案需重新讨论")
    assert _messages(exc) == ["该公示已撤回或已被更正，不能撤回"]


# --- objections ----------------------------------------------------------------------------------------------


def test_a_resident_of_the_area_objects_during_the_period(w, clock):
    notice = publish(w)
    objection = services.objection_file(
        actor=ResidentActor(w["zsf"]), notice=notice, text="充电桩离单元门太近，有安全隐患"
    )
    assert (objection.resident, objection.channel, objection.status, objection.received_on) == (
        w["zsf"],
        "portal",
        "open",
        TODAY,
    )
    record = AuditRecord.objects.get(action="notices.objection_filed")
    assert (record.actor_kind, record.actor_ref) == ("resident", str(w["zsf"].public_id))


def test_a_resident_outside_the_area_is_refused(w):
    """王五 lives in c2; 李四 lives in b2 and the notice is for b1 only: both refused, nothing written."""
    notice = publish(w)
    with Unchanged(), pytest.raises(PermissionDenied) as exc:
        services.objection_file(actor=ResidentActor(w["wang"]), notice=notice, text="我不同意这个方案")
    assert exc.value.message == "您不在该公示的范围内居住，不能对其提出异议"
    b1_only = publish(w, building=w["b1"], title="1栋外墙维修资金使用公示")
    with Unchanged(), pytest.raises(PermissionDenied):
        services.objection_file(actor=ResidentActor(w["lisi"]), notice=b1_only, text="我不同意这个方案")
    assert services.objection_file(actor=ResidentActor(w["zsf"]), notice=b1_only, text="我不同意这个方案").pk


def test_objections_outside_the_period_are_refused(w, clock):
    upcoming = publish(w, starts=2)
    with Unchanged(), pytest.raises(ValidationError) as exc:
        services.objection_file(actor=ResidentActor(w["zsf"]), notice=upcoming, text="我不同意这个方案")
    assert exc.value.messages == ["公示期尚未开始，请于2026-03-18起提出异议"]
    running = publish(w, days=5)
    clock.advance(days=5)
    with Unchanged(), pytest.raises(ValidationError) as exc:
        services.objection_file(actor=ResidentActor(w["zsf"]), notice=running, text="我不同意这个方案")
    assert exc.value.messages == ["公示期已于2026-03-20结束，不能再提出异议"]


def test_no_objection_to_a_withdrawn_notice(w):
    notice = publish(w)
    services.notice_withdraw(actor=w["cw1"], notice=notice, reason="方案需重新讨论")
    with Unchanged(), pytest.raises(ValidationError) as exc:
        services.objection_file(actor=ResidentActor(w["zsf"]), notice=notice, text="我不同意这个方案")
    assert exc.value.messages == ["该公示未在公示中，不能提出异议"]


def test_staff_record_an_objection_received_by_phone(w, clock):
    notice = publish(w)
    clock.advance(days=1)
    objection = services.objection_record(
        actor=w["cw1"],
        notice=notice,
        resident=w["lisi"],
        text="电话反映：担心充电桩噪音",
        channel="phone",
        received_on=TODAY,
    )
    assert (objection.channel, objection.recorded_by, objection.received_on) == ("phone", w["cw1"], TODAY)
    with Unchanged(), pytest.raises(ValidationError) as exc:
        services.objection_record(
            actor=w["cw1"],
            notice=notice,
            resident=w["wang"],
            text="电话反映：担心充电桩噪音",
            channel="paper",
            received_on=TODAY + dt.timedelta(days=5),
        )
    assert exc.value.message_dict == {"resident": ["该居民不在公示范围内居住"], "received_on": ["收到日期不能晚于今天"]}
    with Unchanged(), pytest.raises(PermissionDenied):
        services.objection_record(
            actor=w["so1"],
            notice=notice,
            resident=w["lisi"],
            text="电话反映：担心充电桩噪音",
            channel="phone",
            received_on=TODAY,
        )


def test_staff_answer_each_objection_once(w, clock):
    notice = publish(w)
    objection = services.objection_file(actor=ResidentActor(w["zsf"]), notice=notice, text="充电桩离单元门太近")
    with Unchanged(), pytest.raises(PermissionDenied):
        services.objection_answer(actor=w["cw2"], objection=objection, answer="将调整位置到车棚内侧")
    with Unchanged(), pytest.raises(ValidationError) as exc:
        services.objection_answer(actor=w["cw1"], objection=objection, answer="好的")
    assert exc.value.message_dict == {"answer": ["内容至少5个字"]}
    services.objection_answer(actor=w["cw1"], objection=objection, answer="将调整位置到车棚内侧，远离单元门。")
    objection.refresh_from_db()
    assert (objection.status, objection.answered_by, objection.answered_at) == ("answered", w["cw1"], clock.now)
    with Unchanged(), pytest.raises(ValidationError) as exc:
        services.objection_answer(actor=w["cw1"], objection=objection, answer="再次答复的内容")
    assert exc.value.messages == ["该异议已答复"]
