"""Dispute pages: the list with filters and the follow-up queue, the dispute page, its forms (errors keep what
was typed), the PDF download, and 404 outside the scope or for a case that is not a dispute."""

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.disputes import services
from shequ.disputes.models import FollowUpVisit, MediationSession, Party

from .conftest import resolve, submit

pytestmark = pytest.mark.django_db
LIST = reverse("disputes:dispute_list")


def _detail(case):
    return reverse("disputes:dispute_detail", args=[case.public_id])


def _action(case, name):
    return reverse("disputes:dispute_action", args=[case.public_id, name])


def test_list_filters_and_follow_up_queue(client, w, clock):
    """The list shows c1's disputes only; the colour filter and the 待回访 queue narrow it."""
    leak = submit(w, title="楼上漏水邻里纠纷")
    parking = submit(w, title="地下车位被占用")
    submit(w, actor=w["cw2"], building="b3", title="公共收益去向不明")
    submit(w, case_type="complaint", title="装修噪音影响休息")
    services.dispute_set_risk(actor=w["cw1"], case=leak, colour="orange", reason="当事人情绪激动，可能升级")
    resolve(w, parking)
    client.force_login(w["cw1"])
    response = client.get(LIST)
    assert response.status_code == 200
    assert {row["case"].title for row in response.context["page"].object_list} == {"楼上漏水邻里纠纷", "地下车位被占用"}
    assert "橙（可能升级）" in response.content.decode()
    response = client.get(LIST, {"colour": "orange"})
    assert [row["case"].pk for row in response.context["page"].object_list] == [leak.pk]
    response = client.get(LIST, {"queue": "follow_up"})
    assert [row["case"].pk for row in response.context["page"].object_list] == [parking.pk]
    assert response.context["follow_up_count"] == 1


def test_detail_renders_and_is_404_outside_scope_or_for_other_types(client, w, case, clock):
    complaint = submit(w, case_type="complaint", title="装修噪音影响休息")
    client.force_login(w["cw1"])
    response = client.get(_detail(case))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("当事人", "调解记录", "调解协议", "回访记录", "标定风险等级", "纠纷办结或关闭后登记回访。"):
        assert text in body
    assert client.get(_detail(complaint)).status_code == 404
    client.force_login(w["cw2"])
    assert client.get(_detail(case)).status_code == 404
    assert client.post(_action(case, "risk"), {"risk-colour": "red", "risk-reason": "越权定级测试"}).status_code == 404


def test_viewer_without_write_right_sees_no_forms(client, w, case):
    """A grid worker of c1 who does not hold the case sees the page but no forms, and a POST is refused."""
    viewer = staff("grid_worker", w["g11"])
    client.force_login(viewer)
    response = client.get(_detail(case))
    assert response.status_code == 200 and response.context["forms"] == {}
    assert client.post(_action(case, "party"), {"party-kind": "other", "party-role": "third"}).status_code == 403
    assert Party.objects.count() == 0


def test_party_form_error_keeps_input_then_success(client, w, case):
    client.force_login(w["cw1"])
    response = client.post(_action(case, "party"), {"party-kind": "organisation", "party-role": "respondent"})
    assert response.status_code == 400
    form = response.context["forms"]["party"]
    assert form.errors == {"name": ["请填写单位名称，如小区物业公司"]}
    assert 'value="organisation" selected' in response.content.decode()
    response = client.post(
        _action(case, "party"),
        {"party-kind": "resident", "party-role": "applicant", "party-resident": str(w["zsf"].public_id)},
    )
    assert response.status_code == 302
    assert Party.objects.get().name == "张三丰"


def test_session_form_errors_then_record(client, w, case, clock):
    client.force_login(w["cw1"])
    data = {
        "session-held_on": "2026-03-20",
        "session-place": "社区调解室",
        "session-mediator_name": "陈静",
        "session-attendees": "双方当事人",
        "session-summary": "双方陈述事实，调解员释明法律规定。",
        "session-outcome": "partial",
    }
    response = client.post(_action(case, "session"), data)
    assert response.status_code == 400
    assert response.context["forms"]["session"].errors == {"held_on": ["调解日期不能晚于今天"]}
    assert "双方陈述事实，调解员释明法律规定。" in response.content.decode()
    assert MediationSession.objects.count() == 0
    response = client.post(_action(case, "session"), {**data, "session-held_on": "2026-03-13"})
    assert response.status_code == 302
    assert MediationSession.objects.get().outcome == "partial"


def test_agreement_generate_and_download(client, w, case, clock):
    applicant = services.party_add(
        actor=w["cw1"], case=case, data=services.PartyInput(kind="resident", role="applicant", resident=w["zsf"])
    )
    respondent = services.party_add(
        actor=w["cw1"], case=case, data=services.PartyInput(kind="other", role="respondent", name="赵六")
    )
    client.force_login(w["cw1"])
    response = client.post(
        _action(case, "agreement"),
        {"agreement-terms": "一、赵六于四月底前修复漏水。", "agreement-signatories": [str(applicant.public_id)]},
    )
    assert response.status_code == 400
    assert response.context["forms"]["agreement"].errors == {"signatories": ["协议至少需要两方当事人签署"]}
    response = client.post(
        _action(case, "agreement"),
        {
            "agreement-terms": "一、赵六于四月底前修复漏水。",
            "agreement-signatories": [str(applicant.public_id), str(respondent.public_id)],
        },
    )
    assert response.status_code == 302
    assert client.post(_action(case, "generate")).status_code == 302
    url = reverse("disputes:agreement_download", args=[case.public_id, 1])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client.get(reverse("disputes:agreement_download", args=[case.public_id, 2])).status_code == 404
    client.force_login(w["cw2"])
    assert client.get(url).status_code == 404


def test_visit_form_only_after_resolution(client, w, case, clock):
    client.force_login(w["cw1"])
    data = {
        "visit-visited_on": "2026-03-16",
        "visit-method": "phone",
        "visit-attitude": "satisfied",
        "visit-honoured": "yes",
    }
    response = client.post(_action(case, "visit"), data)
    assert response.status_code == 400
    assert response.context["forms"]["visit"].non_field_errors() == ["纠纷办结或关闭后才能登记回访"]
    resolve(w, case)
    assert client.post(_action(case, "visit"), data).status_code == 302
    assert FollowUpVisit.objects.get().method == "phone"
    assert client.post(_action(case, "unknown")).status_code == 404
