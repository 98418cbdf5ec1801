"""Case pages: the staff queues, the case page (scope, reporter confidentiality), the POST actions of the whole
journey, a refused transition, staff entry, and an unauthorised actor."""

import datetime as dt

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.cases import services, sweep
from shequ.cases.models import Case, CaseTransition
from shequ.cases.tests.factories import no_answer_review, submitted_case
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
QUEUE = reverse("cases:case_queue")
NEW = reverse("cases:case_create")


@pytest.fixture
def t():
    return make_tree()


def _submit(t, actor, title, **kw):
    return submitted_case(t, actor, title=title, reporter_name="王某某", **kw)


def _detail(case) -> str:
    return reverse("cases:case_detail", args=[case.public_id])


def _action(case, name: str) -> str:
    return reverse("cases:case_action", args=[case.public_id, name])


def _titles(response) -> set[str]:
    return {row.case.title for row in response.context["page"].object_list}


def test_queue_tabs_list_exactly_the_right_cases(client, t, clock):
    """A community worker of c1 sees per tab only the c1 cases in that stage; c2's case appears nowhere."""
    cw = staff("community_worker", t["c1"])
    past = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)  # accept_by ended 2026-03-11, before the clock
    escalated = _submit(t, cw, "已升级", now=past)
    sweep.escalate_overdue()  # held by the street now, supervised, deadline moved to the next working day
    _submit(t, cw, "待受理")
    overdue = _submit(t, cw, "超时未受理", now=past)
    accepted = _submit(t, cw, "待派单")
    services.case_accept(actor=cw, case=accepted)
    dispatched = _submit(t, cw, "已派单")
    services.case_accept(actor=cw, case=dispatched)
    services.case_dispatch(actor=cw, case=dispatched, target=t["m111"])
    _submit(t, staff("community_worker", t["c2"]), "别的社区", building="b3")
    client.force_login(cw)
    expected = {
        "to_accept": {"待受理", "超时未受理"},
        "to_dispatch": {"待派单"},
        "to_handle": {"已派单"},
        "overdue": {"超时未受理", "已升级"},  # past a stage deadline, escalated or not
        "supervised": {"已升级"},
        "all": {"已升级", "待受理", "超时未受理", "待派单", "已派单"},
    }
    for tab, titles in expected.items():
        response = client.get(QUEUE, {"tab": tab})
        assert response.status_code == 200
        assert (tab, _titles(response)) == (tab, titles)
    escalated.refresh_from_db()
    assert (escalated.holder_id, escalated.supervised) == (t["s1"].pk, True)
    body = client.get(QUEUE, {"tab": "overdue"}).content.decode()
    assert overdue.tracking_number in body and "已超时" in body
    assert _titles(client.get(QUEUE, {"tab": "all", "text": "派单"})) == {"待派单", "已派单"}
    assert _titles(client.get(QUEUE, {"tab": "all", "status": "accepted"})) == {"待派单"}


def test_queue_empty_state_and_denial(client, t):
    """An empty tab says so; a department officer (no territorial role) is refused the queue."""
    client.force_login(staff("community_worker", t["c1"]))
    response = client.get(QUEUE, {"tab": "supervised"})
    assert response.status_code == 200 and "没有督办中的诉求。" in response.content.decode()
    client.force_login(staff("department_officer", t["district"]))
    assert client.get(QUEUE).status_code == 403


def test_case_page_is_404_for_another_micro_grid_and_200_for_the_holder(client, t):
    """A case dispatched to m111 is not found for m112's worker and shown to m111's worker."""
    cw = staff("community_worker", t["c1"])
    case = _submit(t, cw, "楼道堆放杂物")
    services.case_accept(actor=cw, case=case)
    services.case_dispatch(actor=cw, case=case, target=t["m111"])
    client.force_login(staff("micro_grid_worker", t["m112"]))
    assert client.get(_detail(case)).status_code == 404
    client.force_login(staff("micro_grid_worker", t["m111"]))
    response = client.get(_detail(case))
    assert response.status_code == 200
    assert [a["name"] for a in response.context["actions"]] == ["start", "return", "resolve", "request", "flag"]


def test_complainant_is_hidden_from_the_handling_unit_and_shown_to_the_community(client, t):
    """On a complaint the m111 worker handling it never sees the reporter; the c1 worker sees the masked data."""
    cw = staff("community_worker", t["c1"])
    case = _submit(t, cw, "楼道堆放杂物")
    services.case_accept(actor=cw, case=case)
    services.case_dispatch(actor=cw, case=case, target=t["m111"])
    client.force_login(staff("micro_grid_worker", t["m111"]))
    body = client.get(_detail(case)).content.decode()
    assert "王某某" not in body and "138****5678" not in body and "查看完整电话" not in body
    client.force_login(cw)
    body = client.get(_detail(case)).content.decode()
    assert "王某某" in body and "138****5678" in body and "13812345678" not in body
    response = client.post(reverse("cases:case_reporter_mobile", args=[case.public_id]))
    assert response.status_code == 200 and "13812345678" in response.content.decode()


def test_full_journey_through_the_post_actions(client, t):
    """Accept → dispatch to m111 → start (m111 worker) → resolve → satisfied call-back: closed, 6 timeline rows."""
    no_answer_review(t["c1"])  # the community publishes answers without review
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    case = _submit(t, cw, "楼道堆放杂物")
    client.force_login(cw)
    response = client.post(_action(case, "accept"), {"accept-note": ""})
    assert response.status_code == 302 and response.url == _detail(case)
    response = client.post(_action(case, "dispatch"), {"dispatch-target": f"a:{t['m111'].public_id}"})
    assert response.status_code == 302
    client.force_login(mg)
    assert client.post(_action(case, "start")).status_code == 302
    response = client.post(_action(case, "resolve"), {"resolve-reply": "已联系物业清理楼道杂物，并张贴提示。"})
    assert response.status_code == 302
    client.force_login(cw)
    response = client.post(_action(case, "rate"), {"rate-satisfaction": "satisfied"}, follow=True)
    assert response.status_code == 200
    # No page was read in between, so every step's success message is still queued.
    assert [str(m) for m in response.context["messages"]] == [
        "已受理",
        "已派单至 洗面桥社区1网格1微网格",
        "已签收",
        "已办结",
        "已记录回访评价",
    ]
    case.refresh_from_db()
    assert (case.status, case.holder_id, case.satisfaction) == ("closed", t["m111"].pk, "satisfied")
    assert list(CaseTransition.objects.filter(case=case).order_by("at", "id").values_list("event", flat=True)) == [
        "submit",
        "accept",
        "dispatch",
        "start",
        "resolve",
        "close",
    ]
    assert len(response.context["timeline"]) == 6
    # A closed case can still be reopened (the reopen period is the service's business) and flagged as malicious
    # (repeated reports often show only afterwards).
    assert [a["name"] for a in response.context["actions"]] == ["reopen", "flag"]


def test_action_not_allowed_in_the_state_shows_the_message_and_changes_nothing(client, t):
    """Resolving a case that was never accepted answers "当前状态不能执行该操作"; status and timeline stay."""
    cw = staff("community_worker", t["c1"])
    case = _submit(t, cw, "楼道堆放杂物")
    client.force_login(cw)
    response = client.post(_action(case, "resolve"), {"resolve-reply": "直接办结，无需受理。"}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["当前状态不能执行该操作"]
    case.refresh_from_db()
    assert (case.status, case.reply, CaseTransition.objects.filter(case=case).count()) == ("submitted", "", 1)


def test_action_validation_error_rerenders_the_page(client, t):
    """A (confirmed) rejection without a reason re-renders the page with the field errors; nothing changes."""
    cw = staff("community_worker", t["c1"])
    case = _submit(t, cw, "楼道堆放杂物")
    client.force_login(cw)
    data = {"reject-reason": "不", "reject-where_instead": "12345", "confirmed": "1"}
    response = client.post(_action(case, "reject"), data)
    assert response.status_code == 400
    form = next(a["form"] for a in response.context["actions"] if a["name"] == "reject")
    assert form.errors == {"reason": ["请填写不予受理的理由和建议的办理渠道"]}
    case.refresh_from_db()
    assert case.status == "submitted"


def test_entry_form_creates_a_case(client, t):
    """A community worker registers a phone call on building b1; the page shows the new case's number."""
    client.force_login(staff("community_worker", t["c1"]))
    assert client.get(NEW).status_code == 200
    data = {
        "case_type": "help",
        "title": "路灯不亮",
        "description": "小区门口路灯连续三晚不亮",
        "building": str(t["b1"].public_id),
        "reporter_name": "李某",
        "reporter_mobile": "13912345678",
        "channel": "staff",
    }
    response = client.post(NEW, data, follow=True)
    case = Case.objects.get(title="路灯不亮")
    assert response.redirect_chain == [(_detail(case), 302)]
    assert [str(m) for m in response.context["messages"]] == [f"已登记诉求，受理编号 {case.tracking_number}"]
    assert (case.case_type, case.channel, case.community_id, case.micro_grid_id, case.compound_id) == (
        "help",
        "staff",
        t["c1"].pk,
        t["m111"].pk,
        t["compound1"].pk,
    )


def test_entry_form_reports_a_missing_title_in_chinese(client, t):
    """Without a title nothing is created and the title field carries the service's Chinese message."""
    client.force_login(staff("community_worker", t["c1"]))
    data = {"case_type": "help", "title": "", "description": "小区门口路灯连续三晚不亮", "channel": "staff"}
    data["community"] = str(t["c1"].public_id)
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert response.context["form"].errors == {"title": ["请填写标题（不超过100字）"]}
    assert Case.objects.count() == 0


def test_unauthorised_post_is_404_and_changes_nothing(client, t):
    """A department officer outside the territory posting an accept gets 404; the case stays submitted."""
    cw = staff("community_worker", t["c1"])
    case = _submit(t, cw, "楼道堆放杂物")
    client.force_login(staff("department_officer", t["district"]))
    assert client.post(_action(case, "accept"), {"accept-note": ""}).status_code == 404
    case.refresh_from_db()
    assert (case.status, CaseTransition.objects.filter(case=case).count()) == ("submitted", 1)
