"""Dispute services: opening only for disputes, risk colour with history, parties, sessions, agreement and its
versioned PDF, follow-up visits, validation messages, and who may write (denials change nothing)."""

import datetime as dt
import hashlib
import io

import pypdf
import pytest

from shequ.accounts.tests.factories import staff
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.disputes import selectors, services
from shequ.disputes.models import Agreement, AgreementDocument, Dispute, FollowUpVisit, MediationSession, Party

from .conftest import resolve, submit

pytestmark = pytest.mark.django_db


def _messages(exc) -> dict:
    return exc.value.message_dict


def _org(w, case, name="蜀信物业", role="respondent", actor=None):
    return services.party_add(
        actor=actor or w["cw1"], case=case, data=services.PartyInput(kind="organisation", role=role, name=name)
    )


def _resident(w, case, key="zsf", role="applicant"):
    return services.party_add(
        actor=w["cw1"], case=case, data=services.PartyInput(kind="resident", role=role, resident=w[key])
    )


def _session(**kw):
    values = {
        "held_on": dt.date(2026, 3, 12),
        "place": "洗面桥社区调解室",
        "attendees": "申请人、被申请人、物业项目经理",
        "summary": "双方陈述漏水经过，物业说明维修责任，调解员释明相关规定。",
        "outcome": "agreed",
        "mediator_name": "陈静",
    }
    values.update(kw)
    return services.SessionInput(**values)


def test_only_a_dispute_case_gets_a_file(w, clock):
    """A complaint cannot be given a dispute file; nothing is written."""
    complaint = submit(w, case_type="complaint", title="装修噪音")
    with pytest.raises(ValidationError) as exc:
        services.dispute_open(actor=w["cw1"], case=complaint)
    assert exc.value.messages == ["只有矛盾纠纷类诉求可以建立调解档案"]
    with pytest.raises(ValidationError):
        _org(w, complaint)
    assert Dispute.objects.count() == 0 and Party.objects.count() == 0


def test_risk_colour_is_set_with_reason_and_history_is_audited(w, case, clock):
    """Each grade replaces the current one; the audit keeps both, newest first, with before and after."""
    services.dispute_set_risk(actor=w["cw1"], case=case, colour="yellow", reason="邻里之间一般性纠纷")
    clock.advance(hours=2)
    dispute = services.dispute_set_risk(actor=w["cw1"], case=case, colour="orange", reason="申请人表示要到街道集体反映")
    assert (dispute.risk_colour, dispute.risk_reason, dispute.risk_set_by_id) == (
        "orange",
        "申请人表示要到街道集体反映",
        w["cw1"].pk,
    )
    history = selectors.risk_history(case)
    assert [h["after"]["colour"] for h in history] == ["orange", "yellow"]
    last = AuditRecord.objects.filter(action="disputes.risk_set").order_by("-id").first()
    assert last.before == {"colour": "yellow", "reason": "邻里之间一般性纠纷"}
    assert AuditRecord.objects.filter(action="disputes.opened", object_id=str(case.public_id)).count() == 1


def test_risk_history_names_who_graded_in_words(w, case, clock):
    """The history shows the staff member's name, and older rows' labels in words, never a raw label."""
    AuditRecord.objects.create(
        actor_label="system",
        action="disputes.risk_set",
        object_type="cases.case",
        object_id=str(case.public_id),
        after={"colour": "blue", "reason": "旧系统迁移"},
    )
    clock.advance(hours=1)
    services.dispute_set_risk(actor=w["cw1"], case=case, colour="yellow", reason="邻里之间一般性纠纷")
    history = selectors.risk_history(case)
    assert [(h["actor"], h["after"]["colour"]) for h in history] == [
        (w["cw1"].display_name, "yellow"),
        ("系统", "blue"),
    ]


def test_risk_validation_messages(w, case):
    with pytest.raises(ValidationError) as exc:
        services.dispute_set_risk(actor=w["cw1"], case=case, colour="purple", reason="")
    assert _messages(exc) == {"colour": ["请选择风险等级"], "reason": ["请填写定级理由"]}
    with pytest.raises(ValidationError) as exc:
        services.dispute_set_risk(actor=w["cw1"], case=case, colour="red", reason="联系13812345678处理")
    assert _messages(exc) == {"reason": ["请勿填写手机号码或身份证号码，联系方式请在居民档案中查看"]}
    assert Dispute.objects.count() == 0


def test_parties_from_register_and_organisations(w, case):
    """A resident party takes the register's name; an organisation needs a name; duplicates are refused."""
    applicant = _resident(w, case)
    respondent = _org(w, case)
    assert (applicant.name, applicant.resident_id, applicant.kind) == ("张三丰", w["zsf"].pk, "resident")
    assert (respondent.name, respondent.role) == ("蜀信物业", "respondent")
    w["h1"].refresh_from_db()  # the head was set when 张三丰 registered
    household = services.party_add(
        actor=w["cw1"], case=case, data=services.PartyInput(kind="household", role="third", household=w["h1"])
    )
    assert household.name == "H001户（户主：张三丰）"
    with pytest.raises(ValidationError) as exc:
        _resident(w, case)
    assert _messages(exc) == {"resident": ["该居民已是本纠纷的当事人"]}
    with pytest.raises(ValidationError) as exc:
        services.party_add(actor=w["cw1"], case=case, data=services.PartyInput(kind="organisation", role="third"))
    assert _messages(exc) == {"name": ["请填写单位名称，如小区物业公司"]}
    with pytest.raises(ValidationError) as exc:
        services.party_add(actor=w["cw1"], case=case, data=services.PartyInput(kind="resident", role="boss"))
    assert _messages(exc) == {"role": ["请选择当事人身份"], "resident": ["请从居民档案中选择当事人"]}
    assert list(selectors.parties(selectors.dispute_of(case)).values_list("name", flat=True)) == [
        "张三丰",
        "蜀信物业",
        "H001户（户主：张三丰）",
    ]


def test_party_removal_and_signatory_protection(w, case):
    """A party can be removed unless it signed the agreement."""
    applicant, respondent = _resident(w, case), _org(w, case)
    third = _org(w, case, name="业主委员会", role="third")
    services.party_remove(actor=w["cw1"], case=case, party_id=third.public_id)
    assert not Party.objects.filter(pk=third.pk).exists()
    services.agreement_save(
        actor=w["cw1"],
        case=case,
        terms="一、物业于4月30日前完成屋面防水维修。",
        signatory_ids=[applicant.public_id, respondent.public_id],
    )
    with pytest.raises(ValidationError) as exc:
        services.party_remove(actor=w["cw1"], case=case, party_id=respondent.public_id)
    assert exc.value.messages == ["该当事人是调解协议的签署方，请先修改协议签署方"]
    with pytest.raises(ValidationError):
        services.party_remove(actor=w["cw1"], case=case, party_id="not-a-uuid")
    assert Party.objects.filter(pk=respondent.pk).exists()
    assert AuditRecord.objects.filter(action="disputes.party_removed").count() == 1


def test_session_validation_and_record(w, case, clock):
    with pytest.raises(ValidationError) as exc:
        services.session_add(
            actor=w["cw1"],
            case=case,
            data=_session(held_on=dt.date(2026, 3, 20), summary="太短", attendees="", outcome="maybe"),
        )
    assert _messages(exc) == {
        "held_on": ["调解日期不能晚于今天"],
        "attendees": ["请填写参加人员"],
        "summary": ["调解情况至少10个字"],
        "outcome": ["请选择调解结果"],
    }
    with pytest.raises(ValidationError) as exc:
        services.session_add(actor=w["cw1"], case=case, data=_session(attendees="张三丰 510107198001011234"))
    assert list(_messages(exc)) == ["attendees"]
    assert MediationSession.objects.count() == 0
    session = services.session_add(actor=w["cw1"], case=case, data=_session())
    assert (session.held_on, session.outcome, session.mediator_id, session.mediator_name) == (
        dt.date(2026, 3, 12),
        "agreed",
        w["cw1"].pk,
        "陈静",
    )


def test_agreement_versions_keep_older_pdfs(w, case, clock):
    """Each generation adds a version with the SHA-256 of its file; the terms of every version are printed."""
    applicant, respondent = _resident(w, case), _org(w, case)
    with pytest.raises(ValidationError) as exc:
        services.agreement_generate(actor=w["cw1"], case=case)
    assert exc.value.messages == ["请先填写并保存协议内容"]
    with pytest.raises(ValidationError) as exc:
        services.agreement_save(
            actor=w["cw1"], case=case, terms="一、物业负责维修屋面防水层。", signatory_ids=[applicant.public_id]
        )
    assert _messages(exc) == {"signatories": ["协议至少需要两方当事人签署"]}
    first_terms = "一、物业于2026年4月30日前完成屋面防水维修。\n二、维修期间申请人配合入户。"
    services.agreement_save(
        actor=w["cw1"], case=case, terms=first_terms, signatory_ids=[applicant.public_id, respondent.public_id]
    )
    v1 = services.agreement_generate(actor=w["cw1"], case=case)
    services.agreement_save(
        actor=w["cw1"],
        case=case,
        terms="一、物业于2026年5月15日前完成屋面防水维修并承担费用。",
        signatory_ids=[applicant.public_id, respondent.public_id],
    )
    v2 = services.agreement_generate(actor=w["cw1"], case=case)
    assert (v1.version, v2.version) == (1, 2)
    assert list(selectors.documents(selectors.dispute_of(case)).values_list("version", flat=True)) == [2, 1]
    for doc, terms in ((v1, first_terms), (v2, "一、物业于2026年5月15日前完成屋面防水维修并承担费用。")):
        data = doc.file.open("rb").read()
        assert hashlib.sha256(data).hexdigest() == doc.sha256 and len(data) == doc.size
        text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
        for line in terms.splitlines():
            assert line in text
        assert "申请人：张三丰" in text and "被申请人：蜀信物业" in text
    assert Agreement.objects.get().signatories.count() == 2
    assert AuditRecord.objects.filter(action="disputes.agreement_generated").count() == 2


def test_follow_up_only_after_resolution_and_queue(w, case, clock):
    """A visit needs a resolved or closed dispute; the follow-up queue lists it until the first visit."""
    visit = services.VisitInput(visited_on=dt.date(2026, 3, 16), method="visit", attitude="satisfied", honoured="yes")
    with pytest.raises(ValidationError) as exc:
        services.visit_add(actor=w["cw1"], case=case, data=visit)
    assert exc.value.messages == ["纠纷办结或关闭后才能登记回访"]
    resolve(w, case)
    assert [c.pk for c in selectors.search(w["cw1"], queue="follow_up")] == [case.pk]
    with pytest.raises(ValidationError) as exc:
        services.visit_add(
            actor=w["cw1"],
            case=case,
            data=services.VisitInput(
                visited_on=dt.date(2026, 3, 10), method="fax", attitude="objecting", honoured="no"
            ),
        )
    assert _messages(exc) == {
        "visited_on": ["回访日期不能早于办结日期"],
        "method": ["请选择回访方式"],
        "note": ["当事人仍有异议时，请说明异议内容"],
    }
    made = services.visit_add(actor=w["cw1"], case=case, data=visit)
    assert (made.visitor_id, made.method, made.honoured) == (w["cw1"].pk, "visit", "yes")
    assert list(selectors.search(w["cw1"], queue="follow_up")) == []


def test_search_filters(w, clock):
    """The list filters by colour (and ungraded), status and text (title or party name), within the scope."""
    leak = submit(w, title="楼上漏水邻里纠纷")
    parking = submit(w, title="地下车位被占用")
    submit(w, actor=w["cw2"], building="b3", title="公共收益去向不明")
    services.dispute_set_risk(actor=w["cw1"], case=leak, colour="red", reason="涉及住建和城管两个部门")
    _org(w, parking, name="锦城物业")
    cw1 = w["cw1"]
    assert {c.title for c in selectors.search(cw1)} == {"楼上漏水邻里纠纷", "地下车位被占用"}
    assert [c.pk for c in selectors.search(cw1, colour="red")] == [leak.pk]
    assert [c.pk for c in selectors.search(cw1, colour="none")] == [parking.pk]
    assert [c.pk for c in selectors.search(cw1, text="锦城")] == [parking.pk]
    assert [c.pk for c in selectors.search(cw1, status="submitted", text="漏水")] == [leak.pk]
    assert [c.title for c in selectors.search(w["cw2"])] == ["公共收益去向不明"]


# --- who may write -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "area", "record", "set_risk", "view"),
    [
        ("community_worker", "c1", True, True, True),
        ("community_secretary", "c1", True, True, True),
        ("micro_grid_worker", "m111", True, True, True),  # the holder after dispatch
        ("micro_grid_worker", "m112", False, False, False),
        ("street_officer", "s1", True, True, True),
        ("street_officer", "s2", False, False, False),
        ("community_worker", "c2", False, False, False),
        ("district_officer", "district", True, True, True),
    ],
)
def test_permission_table(w, case, role, area, record, set_risk, view):
    """After dispatch to m111: the holder, c1's community staff and the officers above may write."""
    from shequ.cases import services as case_services
    from shequ.core.permissions import can

    case_services.case_accept(actor=w["cw1"], case=case)
    case_services.case_dispatch(actor=w["cw1"], case=case, target=w["m111"])
    actor = staff(role, w[area])
    assert bool(can(actor, "disputes.record", case)) is record
    assert bool(can(actor, "disputes.set_risk", case)) is set_risk
    assert bool(can(actor, "disputes.view", case)) is view


def test_community_staff_keep_the_file_after_the_case_moved_up(w, case):
    """Once the case is held by the street, c1's community worker may still record; a c1 grid worker may not."""
    from shequ.core.permissions import can

    case.holder, case.holder_path = w["s1"], w["s1"].path
    case.save(update_fields=["holder", "holder_path"])
    assert can(w["cw1"], "disputes.record", case)
    assert not can(staff("grid_worker", w["g11"]), "disputes.record", case)


def test_a_user_of_another_community_is_denied_and_nothing_changes(w, case, clock):
    """Every write by c2's community worker on a c1 dispute is refused before anything is written."""
    applicant, respondent = _resident(w, case), _org(w, case)
    services.agreement_save(
        actor=w["cw1"],
        case=case,
        terms="一、物业负责维修屋面防水。",
        signatory_ids=[applicant.public_id, respondent.public_id],
    )
    resolve(w, case)
    outsider = w["cw2"]
    counts = lambda: (  # noqa: E731
        Party.objects.count(),
        MediationSession.objects.count(),
        AgreementDocument.objects.count(),
        FollowUpVisit.objects.count(),
        AuditRecord.objects.filter(action__startswith="disputes.").count(),
    )
    before = counts()
    attempts = [
        lambda: services.dispute_set_risk(actor=outsider, case=case, colour="red", reason="越权定级测试"),
        lambda: _org(w, case, name="越权单位", actor=outsider),
        lambda: services.party_remove(actor=outsider, case=case, party_id=applicant.public_id),
        lambda: services.session_add(actor=outsider, case=case, data=_session()),
        lambda: services.agreement_save(actor=outsider, case=case, terms="越权修改协议内容测试", signatory_ids=[]),
        lambda: services.agreement_generate(actor=outsider, case=case),
        lambda: services.visit_add(
            actor=outsider,
            case=case,
            data=services.VisitInput(
                visited_on=dt.date(2026, 3, 16), method="phone", attitude="satisfied", honoured="yes"
            ),
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert counts() == before
    dispute = Dispute.objects.get(case=case)
    assert (dispute.risk_colour, Agreement.objects.get().terms) == ("", "一、物业负责维修屋面防水。")
