"""Two-unit dispatch (双派单), case-level grants for units outside the tree, extension and suspension approval,
merge, and the malicious-report flag."""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.accounts.tests.factories import staff
from shequ.cases import approvals, selectors, services, sweep
from shequ.cases.models import Case, CaseAssignment, CaseRequest
from shequ.cases.tests.factories import accepted_case, submitted_case
from shequ.core import calendar
from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.permissions import can
from shequ.organisations.tests.factories import unit
from shequ.territory.models import Area
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def t():
    t = make_tree()
    # A second community of street s1, to help its neighbour.
    t["c3"] = Area.objects.create(parent=t["s1"], level="community", code="510107001003", name="桐梓林社区")
    t["dept"] = unit("department", "区住建局", t["district"])
    t["pm"] = unit("property_company", "锦苑物业服务有限公司", t["c1"])
    t["pm2"] = unit("property_company", "玉林物业", t["c2"])
    return t


def test_department_sees_and_handles_only_the_cases_dispatched_to_it(t):
    cw = staff("community_worker", t["c1"])
    officer = staff("department_officer", t["district"], unit=t["dept"])
    mine = accepted_case(t, cw)
    other = accepted_case(t, cw, title="另一件事")
    assert not selectors.cases_for(officer).exists()
    with pytest.raises(NotFound):
        selectors.get_case_for(officer, mine.public_id)

    services.case_dispatch(actor=cw, case=mine, target=t["dept"], note="请住建局处理")
    mine.refresh_from_db()
    assert (mine.status, mine.holder_unit_id, mine.holder_id) == ("dispatched", t["dept"].pk, t["c1"].pk)
    assert list(selectors.cases_for(officer)) == [mine]
    with pytest.raises(NotFound):
        selectors.get_case_for(officer, other.public_id)
    assert list(selectors.queue(officer, "to_handle")) == [mine]
    # The community only supervises now: its grid and micro-grid workers cannot handle it.
    assert not can(staff("micro_grid_worker", t["m111"]), "cases.handle", mine)
    # Confidentiality: the department handles a complaint without knowing who complained.
    assert not can(officer, "cases.see_reporter", mine)
    with pytest.raises(PermissionDenied):
        services.reporter_mobile(actor=officer, case=mine)

    case = selectors.get_case_for(officer, mine.public_id)
    services.case_start(actor=officer, case=case)
    services.case_resolve(actor=officer, case=case, reply="已组织清理楼道杂物，并张贴提示。")
    assert Case.objects.get(pk=mine.pk).status == "resolved"


def test_a_department_officer_without_that_unit_sees_nothing(t):
    cw = staff("community_worker", t["c1"])
    other_dept = unit("department", "区城管局", t["district"])
    stranger = staff("department_officer", t["district"], unit=other_dept)
    unitless = staff("department_officer", t["district"])
    case = accepted_case(t, cw)
    services.case_dispatch(actor=cw, case=case, target=t["dept"])
    for actor in (stranger, unitless):
        assert not selectors.cases_for(actor).exists()
        assert not can(actor, "cases.view", case)
        with pytest.raises(PermissionDenied):
            services.case_start(actor=actor, case=case)
    assert Case.objects.get(pk=case.pk).status == "dispatched"


def test_two_unit_dispatch_gives_helpers_sight_and_opinion_but_not_resolution(t):
    cw = staff("community_worker", t["c1"])
    pm_staff = staff("org_staff", t["c1"], unit=t["pm"])
    neighbour = staff("community_worker", t["c3"])
    case = accepted_case(t, cw)
    services.case_dispatch(actor=cw, case=case, target=t["m111"], helpers=[t["pm"], t["c3"]], note="物业配合清理")
    roles = sorted(CaseAssignment.objects.filter(case=case, active=True).values_list("role", flat=True))
    assert roles == ["helper", "helper", "lead"]
    for helper in (pm_staff, neighbour):
        assert selectors.get_case_for(helper, case.public_id) == case
        assert list(selectors.queue(helper, "assisting")) == [case]
        assert not can(helper, "cases.handle", case)
        with pytest.raises(PermissionDenied):
            services.case_resolve(actor=helper, case=case, reply="物业已经处理完毕。")
    services.case_assist(actor=pm_staff, case=case, note="物业已安排保洁员周六清运")
    assert case.transitions.filter(event="assist").count() == 1
    with pytest.raises(ValidationError):
        services.case_assist(actor=pm_staff, case=case, note="好")
    # The lead alone (the micro-grid) may not record helper opinions.
    with pytest.raises(PermissionDenied):
        services.case_assist(actor=staff("micro_grid_worker", t["m111"]), case=case, note="我也来说两句话")
    # A helper sees no other case of the community.
    accepted_case(t, cw, title="无关的另一件")
    assert selectors.cases_for(pm_staff).count() == 1


def test_redispatch_ends_the_previous_grants(t):
    cw = staff("community_worker", t["c1"])
    pm_staff = staff("org_staff", t["c1"], unit=t["pm"])
    mg = staff("micro_grid_worker", t["m111"])
    case = accepted_case(t, cw)
    services.case_dispatch(actor=cw, case=case, target=t["m111"], helpers=[t["pm"]])
    services.case_return(actor=mg, case=case, reason="不属于本微网格")
    assert not CaseAssignment.objects.filter(case=case, active=True).exists()
    assert not selectors.cases_for(pm_staff).exists()


def test_dispatch_validation(t):
    cw = staff("community_worker", t["c1"])
    case = accepted_case(t, cw)
    cases = [
        ({"target": t["pm2"]}, "target"),  # the property company of another community
        ({"target": t["m211"]}, "target"),  # a micro-grid of another community
        ({"target": t["m111"], "helpers": [t["m111"]]}, "helpers"),  # the lead twice
        ({"target": t["m111"], "helpers": [t["c2"]]}, "helpers"),  # a community of another street
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.case_dispatch(actor=cw, case=case, **kwargs)
        assert field in exc.value.message_dict
    assert Case.objects.get(pk=case.pk).status == "accepted"
    assert not CaseAssignment.objects.filter(case=case).exists()


def test_escalation_of_a_unit_led_case_keeps_the_unit_and_raises_the_supervisor(t):
    cw = staff("community_worker", t["c1"])
    case = accepted_case(t, cw)
    services.case_dispatch(actor=cw, case=case, target=t["dept"])
    case.refresh_from_db()
    later = case.resolve_by + dt.timedelta(hours=1)
    assert sweep.escalate_overdue(now=later) == 1
    case.refresh_from_db()
    assert (case.holder_id, case.holder_unit_id, case.supervised) == (t["s1"].pk, t["dept"].pk, True)
    assert can(staff("street_officer", t["s1"]), "cases.dispatch", case)


def _in_progress(t):
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    case = accepted_case(t, cw)
    services.case_dispatch(actor=cw, case=case, target=t["m111"])
    services.case_start(actor=mg, case=case)
    return cw, mg, case


def test_extension_needs_the_level_above_and_moves_the_deadline_by_working_days(t):
    cw, mg, case = _in_progress(t)
    gw = staff("grid_worker", t["g11"])
    other_grid = staff("grid_worker", t["g12"])
    before = case.resolve_by
    with pytest.raises(ValidationError):
        approvals.case_request_change(actor=mg, case=case, kind="extend", days=0, reason="需要协调物业公司维修")
    req = approvals.case_request_change(actor=mg, case=case, kind="extend", days=5, reason="需要协调物业公司维修")
    assert req.approver_area_id == t["g11"].pk
    with pytest.raises(ValidationError):  # one pending request at a time
        approvals.case_request_change(actor=mg, case=case, kind="extend", days=3, reason="再申请一次延期试试")
    for stranger in (mg, other_grid):
        with pytest.raises(PermissionDenied):
            approvals.case_request_decide(actor=stranger, request=req, approve=True)
    assert CaseRequest.objects.get(pk=req.pk).status == "pending"
    assert list(selectors.queue(gw, "approvals")) == [case]
    approvals.case_request_decide(actor=gw, request=req, approve=True, note="同意")
    case.refresh_from_db()
    expected = calendar.current_calendar().add_working_days(before.astimezone(SHANGHAI).date(), 5)
    assert case.resolve_by.astimezone(SHANGHAI).date() == expected
    assert case.escalate_after == case.resolve_by
    assert case.transitions.filter(event="extend").count() == 1
    assert AuditRecord.objects.filter(action="cases.change_decided").count() == 1
    with pytest.raises(ValidationError):  # decided already
        approvals.case_request_decide(actor=gw, request=req, approve=False, note="不同意")


def test_refusal_needs_a_reason_and_changes_nothing(t):
    _cw, mg, case = _in_progress(t)
    gw = staff("grid_worker", t["g11"])
    before = case.resolve_by
    req = approvals.case_request_change(actor=mg, case=case, kind="extend", days=2, reason="需要协调物业公司维修")
    with pytest.raises(ValidationError):
        approvals.case_request_decide(actor=gw, request=req, approve=False, note="")
    approvals.case_request_decide(actor=gw, request=req, approve=False, note="时限内可以完成")
    case.refresh_from_db()
    assert case.resolve_by == before and CaseRequest.objects.get(pk=req.pk).status == "refused"


def test_suspension_stops_the_clock_and_resume_moves_the_deadline(t, clock):
    _cw, mg, case = _in_progress(t)
    gw = staff("grid_worker", t["g11"])
    before = case.resolve_by
    req = approvals.case_request_change(actor=mg, case=case, kind="suspend", reason="当事人住院，暂无法调查")
    approvals.case_request_decide(actor=gw, request=req, approve=True)
    case.refresh_from_db()
    assert (case.status, case.escalate_after) == ("suspended", None)
    assert sweep.escalate_overdue(now=before + dt.timedelta(days=30)) == 0
    resume_at = timezone.now() + dt.timedelta(days=7)
    approvals.case_resume(actor=mg, case=case, note="当事人已出院", now=resume_at)
    case.refresh_from_db()
    assert case.status == "in_progress" and case.suspended_at is None
    lost = calendar.current_calendar().working_days_between(
        timezone.localtime(req.decided_at).date(), timezone.localtime(resume_at).date()
    )
    assert lost >= 4
    expected = calendar.current_calendar().add_working_days(before.astimezone(SHANGHAI).date(), lost)
    assert case.resolve_by.astimezone(SHANGHAI).date() == expected


def test_merge_a_duplicate(t):
    cw = staff("community_worker", t["c1"])
    first = accepted_case(t, cw)
    dup = submitted_case(t, cw)
    far = submitted_case(t, staff("community_worker", t["c2"]), building="b3")
    with pytest.raises(ValidationError):
        services.case_merge(actor=cw, case=dup, into=dup)
    with pytest.raises(PermissionDenied):
        services.case_merge(actor=cw, case=dup, into=far)
    services.case_merge(actor=cw, case=dup, into=first, note="同一楼道")
    dup.refresh_from_db()
    assert (dup.status, dup.merged_into_id) == ("merged", first.pk)
    assert first.transitions.filter(event="merge_in").count() == 1
    another = submitted_case(t, cw)
    with pytest.raises(ValidationError):  # merged cases are terminal targets
        services.case_merge(actor=cw, case=another, into=dup)


def test_malicious_flag_is_proposed_and_reviewed_by_someone_else(t):
    cw = staff("community_worker", t["c1"])
    secretary = staff("community_secretary", t["c1"])
    gw = staff("grid_worker", t["g11"])
    case = accepted_case(t, cw)
    with pytest.raises(ValidationError):
        services.case_flag_malicious(actor=cw, case=case, reason="太短")
    services.case_flag_malicious(actor=cw, case=case, reason="同一人一个月内重复反映已办结事项二十余次，内容不实")
    assert Case.objects.get(pk=case.pk).malicious_status == "proposed"
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):  # not the proposer
        services.case_review_malicious(actor=cw, case=case, confirm=True, note="确认")
    with pytest.raises(PermissionDenied):  # not a grid worker
        services.case_review_malicious(actor=gw, case=case, confirm=True, note="确认")
    assert Case.objects.get(pk=case.pk).malicious_status == "proposed"
    services.case_review_malicious(actor=secretary, case=case, confirm=False, note="核实后情况属实，不属恶意")
    case.refresh_from_db()
    assert case.malicious_status == "dismissed" and case.status == "accepted"


# --- pages ---------------------------------------------------------------------------------------------------


def _url(case, action=""):
    return f"/cases/{case.public_id}/{action + '/' if action else ''}"


def test_two_unit_dispatch_and_the_department_page_flow(client, t):
    cw = staff("community_worker", t["c1"])
    officer = staff("department_officer", t["district"], unit=t["dept"])
    pm_staff = staff("org_staff", t["c1"], unit=t["pm"])
    case = accepted_case(t, cw)
    client.force_login(cw)
    page = client.get(_url(case))
    choices = dict(
        page.context["actions"][[a["name"] for a in page.context["actions"]].index("dispatch")]["form"]
        .fields["target"]
        .choices
    )
    assert f"u:{t['dept'].public_id}" in choices and f"u:{t['pm2'].public_id}" not in choices
    response = client.post(
        _url(case, "dispatch"),
        {"dispatch-target": f"u:{t['dept'].public_id}", "dispatch-helpers": [f"u:{t['pm'].public_id}"]},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    case.refresh_from_db()
    assert case.holder_unit_id == t["dept"].pk

    client.force_login(officer)
    page = client.get(_url(case))
    assert page.status_code == 200
    assert "王某" not in page.content.decode()  # a complaint: the reporter stays hidden from the handler
    names = [a["name"] for a in page.context["actions"]]
    assert "start" in names and "dispatch" not in names
    assert client.get("/cases/?tab=to_handle").status_code == 200
    assert client.post(_url(case, "start")).status_code == 302
    response = client.post(
        _url(case, "request"),
        {"request-kind": "extend", "request-days": "3", "request-reason": "需要现场勘查后再定方案"},
    )
    assert response.status_code == 302
    assert CaseRequest.objects.get(case=case).approver_area_id == t["c1"].pk

    client.force_login(pm_staff)
    page = client.get(_url(case))
    assert [a["name"] for a in page.context["actions"]] == ["assist"]
    assert client.post(_url(case, "assist"), {"assist-note": "物业已安排人员配合"}).status_code == 302

    client.force_login(cw)
    response = client.post(_url(case, "decide"), {"decide-decision": "approve", "decide-note": "同意延期"})
    assert response.status_code == 302
    assert CaseRequest.objects.get(case=case).status == "approved"
    page = client.get(_url(case))
    text = page.content.decode()
    assert "区住建局" in text and "协办" in text and "已批准" in text


def test_request_form_errors_are_shown_in_chinese(client, t):
    _cw, mg, case = _in_progress(t)
    client.force_login(mg)
    response = client.post(_url(case, "request"), {"request-kind": "extend", "request-reason": "需要协调"})
    assert response.status_code == 400
    assert "申请延期时请填写延期工作日数" in response.content.decode()
    assert not CaseRequest.objects.exists()
