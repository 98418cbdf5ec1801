"""Stored warnings: recomputation, the reopening rule, the district's threshold, the staff's actions, permissions
as a table (every refusal changes nothing), scoping, and the pages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.accounts.tests.factories import staff
from shequ.analysis import selectors, services
from shequ.analysis.models import RiskThreshold, Warning, WarningEvent
from shequ.analysis.permissions import RECOMPUTE_JOB
from shequ.cases import services as case_services
from shequ.cases.models import Case
from shequ.core.actors import DEMO_LOADER, SYSTEM
from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.permissions import can
from shequ.registry.tests.factories import make_resident
from shequ.territory.tests.factories import make_tree

WARNINGS = reverse("analysis:warnings")


@pytest.fixture
def world(calendar):
    """c1: two reports by one resident on b2 (30 points each), an escalating third by the same resident on b1
    (70 points) and a calm one on b1 (10 points); c2: one calm report. Warnings computed once by the job."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    resident = make_resident(t["c1"])

    def submit(title, description, building, reporter=None, actor=cw):
        data = case_services.CaseInput(
            case_type="complaint",
            title=title,
            description=description,
            channel="staff",
            building=t[building],
            reporter=reporter,
            reporter_name="王某",
        )
        return case_services.case_submit(actor=actor, data=data)

    first = submit("楼道堆放杂物", "三单元楼道堆满纸箱，影响通行", "b2", resident)
    submit("楼道仍有杂物", "纸箱还没清理，影响通行", "b2", resident)
    hot = submit("楼道杂物无人处理", "我们要集体去市里上访", "b1", resident)
    calm = submit("路灯不亮", "小区门口路灯不亮，晚上看不清", "b1")
    other = submit("噪音扰民", "楼下商铺音响声音很大", "b3", actor=staff("community_worker", t["c2"]))
    services.warnings_recompute(actor=RECOMPUTE_JOB)
    return {
        "t": t,
        "cw": cw,
        "resident": resident,
        "first": first,
        "hot": hot,
        "calm": calm,
        "other": other,
        "submit": submit,
    }


def _warning(case):
    return Warning.objects.get(case=case)


# --- recomputation ---------------------------------------------------------------------------------------------


def test_recompute_stores_one_warning_per_scored_case_with_reason_codes(world):
    """Every open case that scores gets one warning (raised once, audited once); reasons keep stable codes."""
    hot = _warning(world["hot"])
    assert (hot.score, hot.state, hot.district_id) == (70, "open", world["t"]["district"].pk)
    assert hot.codes == ["repeat_reporter", "repeat_place", "escalation_words"]
    assert hot.reasons[2] == {"code": "escalation_words", "points": 40, "params": {"words": "上访、集体、市里"}}
    assert _warning(world["calm"]).score == 10
    assert not Warning.objects.filter(case=world["other"]).exists()  # nothing to report: no warning
    assert Warning.objects.count() == 4
    assert WarningEvent.objects.filter(event="raise").count() == 4
    assert AuditRecord.objects.filter(action="analysis.recompute", actor_ref=RECOMPUTE_JOB.name).count() == 1
    result = services.warnings_recompute(actor=RECOMPUTE_JOB)
    assert (result.cases, result.created, result.updated, result.reopened) == (5, 0, 4, 0)
    assert Warning.objects.count() == 4 and WarningEvent.objects.count() == 4
    assert AuditRecord.objects.filter(action="analysis.recompute").count() == 1  # a quiet run leaves no record


def test_recompute_updates_score_and_reasons_in_every_state(world):
    """An acknowledged warning gets the new score and reasons, and stays acknowledged."""
    services.warning_acknowledge(actor=world["cw"], warning=_warning(world["hot"]))
    Case.objects.filter(pk=world["hot"].pk).update(reopen_count=1)
    services.warnings_recompute(actor=RECOMPUTE_JOB)
    hot = _warning(world["hot"])
    assert (hot.score, hot.state) == (85, "acknowledged")
    assert hot.codes[-2:] == ["reopened", "escalation_words"]


def test_a_closed_warning_reopens_only_when_a_new_reason_appears(world):
    """Closed; another report by the same resident changes only numbers: still closed. The case escalates (a new
    code): reopened, with a reopen event naming the new code and an audit record of the run."""
    hot = services.warning_close(actor=world["cw"], warning=_warning(world["hot"]), note="已上门沟通")
    assert (hot.state, hot.codes_at_close) == ("closed", ["repeat_reporter", "repeat_place", "escalation_words"])
    world["submit"]("楼道杂物", "楼道又堆满了纸箱", "b2", world["resident"])
    services.warnings_recompute(actor=RECOMPUTE_JOB)
    hot = _warning(world["hot"])
    assert (hot.state, hot.score) == ("closed", 80)
    Case.objects.filter(pk=world["hot"].pk).update(escalation_count=1)
    result = services.warnings_recompute(actor=RECOMPUTE_JOB)
    hot = _warning(world["hot"])
    assert (result.reopened, hot.state, hot.score) == (1, "open", 90)
    reopen = hot.events.get(event="reopen")
    assert (reopen.codes, reopen.actor_id, reopen.actor_label) == (
        ["escalated"],
        None,
        "job:analysis.recompute_warnings",
    )
    assert AuditRecord.objects.filter(action="analysis.recompute").last().after["reopened"] == 1


def test_staff_recompute_covers_their_own_cases_only(world):
    """A community worker of c2 recomputes their territory: one case, nothing of c1 touched."""
    before = _warning(world["hot"]).computed_at
    result = services.warnings_recompute(actor=staff("community_worker", world["t"]["c2"]))
    assert (result.cases, result.updated) == (1, 0)
    assert _warning(world["hot"]).computed_at == before


# --- threshold and listing -------------------------------------------------------------------------------------


def test_list_shows_only_warnings_at_or_above_the_district_threshold(world):
    """Default 60: only the escalating case. The district sets 25: the two b2 reports join; audited."""
    cw = world["cw"]
    assert [w.case_id for w in selectors.listed_warnings(cw)] == [world["hot"].pk]
    officer = staff("district_officer", world["t"]["district"])
    services.risk_threshold_set(actor=officer, district=world["t"]["district"], threshold=25)
    assert [w.score for w in selectors.listed_warnings(cw)] == [70, 30, 30]
    assert selectors.threshold_of(world["t"]["district"]) == 25
    record = AuditRecord.objects.get(action="analysis.set_threshold")
    assert (record.before, record.after) == ({"threshold": 60}, {"threshold": 25})


def test_threshold_is_validated_and_refused_to_others(world):
    """Out of range: a Chinese error; a street officer or an officer of another district: refused, nothing stored."""
    district = world["t"]["district"]
    officer = staff("district_officer", district)
    with pytest.raises(ValidationError) as exc:
        services.risk_threshold_set(actor=officer, district=district, threshold=0)
    assert exc.value.messages == ["预警阈值须为1到200之间的整数"]
    for actor in (staff("street_officer", world["t"]["s1"]), staff("community_secretary", world["t"]["c1"])):
        with pytest.raises(PermissionDenied):
            services.risk_threshold_set(actor=actor, district=district, threshold=30)
    with pytest.raises(PermissionDenied):
        services.risk_threshold_set(actor=officer, district=world["t"]["s1"], threshold=30)
    assert not RiskThreshold.objects.exists()
    assert not AuditRecord.objects.filter(action="analysis.set_threshold").exists()


def test_counts_by_state_and_open_warning_count(world, settings):
    """Counts of listed warnings per state; open_warning_count is the open ones; a case that is no longer open
    drops out of the list."""
    settings.SHEQU_RISK_THRESHOLD = 10
    cw = world["cw"]
    assert selectors.open_warning_count(cw) == 4
    services.warning_acknowledge(actor=cw, warning=_warning(world["calm"]))
    services.warning_close(actor=cw, warning=_warning(world["first"]))
    counts = {c.state: c.count for c in selectors.counts_by_state(cw)}
    assert counts == {"open": 2, "acknowledged": 1, "assigned": 0, "closed": 1}
    assert selectors.open_warning_count(cw) == 2
    Case.objects.filter(pk=world["hot"].pk).update(status="resolved")
    assert selectors.open_warning_count(cw) == 1
    assert selectors.open_warning_count(staff("community_worker", world["t"]["c2"])) == 0


# --- actions ----------------------------------------------------------------------------------------------------


def test_acknowledge_assign_note_close_with_history_and_audit(world):
    """Each action moves the state as the table says, records a history event and an audit record."""
    cw = world["cw"]
    grid = staff("grid_worker", world["t"]["g11"], display_name="李网格")
    w = services.warning_acknowledge(actor=cw, warning=_warning(world["hot"]))
    assert w.state == "acknowledged"
    w = services.warning_assign(actor=cw, warning=w, user=grid, note="请上门了解")
    assert (w.state, w.assignee_id) == ("assigned", grid.pk)
    w = services.warning_note(actor=cw, warning=w, text="已电话联系报告人")
    w = services.warning_close(actor=cw, warning=w)
    assert w.state == "closed"
    events = list(w.events.values_list("event", "text"))
    assert events == [
        ("raise", ""),
        ("acknowledge", ""),
        ("assign", "请上门了解"),
        ("note", "已电话联系报告人"),
        ("close", ""),
    ]
    actions = list(
        AuditRecord.objects.filter(object_type="analysis.warning", actor_id=cw.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "analysis.warning_acknowledge",
        "analysis.warning_assign",
        "analysis.warning_note",
        "analysis.warning_close",
    ]


def test_invalid_steps_and_assignees_are_refused_in_chinese(world):
    """No acknowledging a closed warning; no empty note; no assignee outside the case's territory."""
    cw = world["cw"]
    w = services.warning_close(actor=cw, warning=_warning(world["hot"]))
    with pytest.raises(ValidationError) as exc:
        services.warning_acknowledge(actor=cw, warning=w)
    assert exc.value.messages == ["该预警当前状态下不能执行此操作"]
    with pytest.raises(ValidationError) as exc:
        services.warning_note(actor=cw, warning=w, text="  ")
    assert exc.value.messages == ["请填写备注"]
    open_one = _warning(world["calm"])
    for outsider in (staff("community_worker", world["t"]["c2"]), staff("grid_worker", world["t"]["g12"])):
        with pytest.raises(ValidationError) as exc:
            services.warning_assign(actor=cw, warning=open_one, user=outsider)
        assert exc.value.messages == ["只能指派给能看到该诉求的本辖区工作人员"]
    assert _warning(world["calm"]).state == "open"


def test_assignable_people_see_the_case_and_lie_in_the_actor_territory(world):
    """For a b1 case in c1: the c1 staff and the g11/m111 workers; not g12, not c2, not the street above a
    community secretary."""
    t = world["t"]
    sec = staff("community_secretary", t["c1"], username="sec1")
    inside = {staff("grid_worker", t["g11"], username="g11w"), staff("micro_grid_worker", t["m111"], username="m111w")}
    staff("grid_worker", t["g12"], username="g12w")
    staff("community_worker", t["c2"], username="c2w")
    staff("street_officer", t["s1"], username="s1o")
    names = set(selectors.assignable_users(sec, _warning(world["hot"])).values_list("username", flat=True))
    assert names == {world["cw"].username, "sec1"} | {u.username for u in inside}


# --- permissions as a table -------------------------------------------------------------------------------------

ACT_TABLE = [
    ("community_worker", "c1", True),
    ("community_secretary", "c1", True),
    ("street_officer", "s1", True),
    ("district_officer", "district", True),
    ("grid_worker", "g11", False),
    ("micro_grid_worker", "m111", False),
    ("community_worker", "c2", False),
    ("street_officer", "s2", False),
]


@pytest.mark.parametrize(("role", "area", "allowed"), ACT_TABLE)
def test_who_may_act_on_a_warning(world, role, area, allowed):
    """Dispatchers whose territory holds the case act on its warning; a refusal changes nothing."""
    actor = staff(role, world["t"][area])
    warning = _warning(world["hot"])
    assert can(actor, "analysis.act_on_warning", warning).allowed is allowed
    audits = AuditRecord.objects.count()
    if allowed:
        assert services.warning_acknowledge(actor=actor, warning=warning).state == "acknowledged"
    else:
        with pytest.raises(PermissionDenied):
            services.warning_close(actor=actor, warning=warning)
        assert _warning(world["hot"]).state == "open"
        assert WarningEvent.objects.filter(warning=warning).count() == 1
        assert AuditRecord.objects.count() == audits


@pytest.mark.parametrize(
    ("actor_name", "allowed"),
    [("job", True), ("demo", True), ("system", False), ("worker", True), ("grid", False)],
)
def test_who_may_recompute(world, actor_name, allowed):
    """The recomputation job and the demo loader; dispatchers on demand; not another job, not a grid worker."""
    actors = {
        "job": RECOMPUTE_JOB,
        "demo": DEMO_LOADER,
        "system": SYSTEM,
        "worker": world["cw"],
        "grid": staff("grid_worker", world["t"]["g11"]),
    }
    actor = actors[actor_name]
    assert can(actor, "analysis.recompute").allowed is allowed
    if not allowed:
        audits = AuditRecord.objects.count()
        with pytest.raises(PermissionDenied):
            services.warnings_recompute(actor=actor)
        assert AuditRecord.objects.count() == audits


def test_scoping_hides_other_territories(world):
    """A c2 worker neither lists nor fetches a c1 warning (NotFound, as for a missing one)."""
    c2 = staff("community_worker", world["t"]["c2"])
    assert list(selectors.listed_warnings(c2)) == []
    with pytest.raises(NotFound):
        selectors.get_warning_for(c2, _warning(world["hot"]).public_id)


def test_periodic_task_recomputes_as_the_job(world):
    """The huey task runs the recomputation as the job (tests run tasks inline)."""
    from shequ.analysis.tasks import recompute_warnings

    Case.objects.filter(pk=world["hot"].pk).update(escalate_after=timezone.now() - dt.timedelta(days=2))
    services.warning_close(actor=world["cw"], warning=_warning(world["hot"]))
    recompute_warnings.call_local()
    assert _warning(world["hot"]).state == "open"  # "overdue" is a new reason


# --- pages ------------------------------------------------------------------------------------------------------


def test_list_page_shows_counts_reasons_and_actions(client, world):
    """Tabs with counts by state, the reasons in words, the four actions; the closed tab filters."""
    client.force_login(world["cw"])
    body = client.get(WARNINGS).content.decode()
    assert "全部（1）" in body and "待处置（1）" in body and "已关闭（0）" in body
    assert world["hot"].tracking_number in body and "含敏感词：上访、集体、市里（+40分）" in body
    assert "预警阈值：60 分" in body
    for label in ("知悉", "指派", "保存备注", "关闭"):
        assert f">{label}</button>" in body
    assert world["hot"].tracking_number not in client.get(WARNINGS + "?state=closed").content.decode()


def test_acting_through_the_page(client, world):
    """POST acknowledge then assign: the warning moves and the list says so; a grid worker's POST is 403."""
    w = _warning(world["hot"])
    grid = staff("grid_worker", world["t"]["g11"], display_name="李网格")
    client.force_login(world["cw"])
    url = reverse("analysis:warning_act", args=[w.public_id, "acknowledge"])
    assert client.post(url).status_code == 302
    response = client.post(
        reverse("analysis:warning_act", args=[w.public_id, "assign"]), {"user": str(grid.public_id)}, follow=True
    )
    body = response.content.decode()
    assert f"已将 {world['hot'].tracking_number} 的预警指派给 李网格" in body and "已指派（1）" in body
    client.force_login(grid)
    assert client.post(reverse("analysis:warning_act", args=[w.public_id, "close"])).status_code == 403
    assert _warning(world["hot"]).state == "assigned"
    client.force_login(staff("community_worker", world["t"]["c2"]))
    assert client.post(reverse("analysis:warning_act", args=[w.public_id, "close"])).status_code == 404


def test_page_refusals_and_empty_state(client, world):
    """Department officer: 403; a c2 worker: the empty state; a GET on an action: 405."""
    client.force_login(staff("department_officer", world["t"]["district"]))
    assert client.get(WARNINGS).status_code == 403
    client.force_login(staff("community_worker", world["t"]["c2"]))
    assert "暂无达到预警阈值的诉求。" in client.get(WARNINGS).content.decode()
    url = reverse("analysis:warning_act", args=[_warning(world["hot"]).public_id, "close"])
    assert client.get(url).status_code == 405


def test_threshold_page_sets_the_district_threshold(client, world):
    """A district officer sees the form and saves 25; a community secretary gets 403."""
    district = world["t"]["district"]
    client.force_login(staff("district_officer", district))
    url = reverse("analysis:threshold")
    assert "信访风险预警阈值" in client.get(url).content.decode()
    response = client.post(url, {"district": str(district.public_id), "threshold": "25"}, follow=True)
    assert "武侯区 的预警阈值已设为 25 分" in response.content.decode()
    assert RiskThreshold.objects.get(district=district).threshold == 25
    client.force_login(staff("community_secretary", world["t"]["c1"]))
    assert client.get(url).status_code == 403


def test_recompute_button(client, world):
    """The on-demand recomputation answers with what it did."""
    client.force_login(world["cw"])
    response = client.post(reverse("analysis:warnings_recompute"), follow=True)
    assert "已重新计算 4 件在办诉求的预警，新增 0 条，重新打开 0 条" in response.content.decode()
