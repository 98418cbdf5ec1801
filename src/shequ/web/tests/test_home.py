"""The workbench home is the day's work: each app's to-dos for the actor's scope, each count linking to a list
of exactly that many rows; grid and micro-grid workers land on their phone page; the left menu by role."""

from datetime import timedelta

import pytest
from django.urls import resolve, reverse

from shequ.accounts import services as accounts_services
from shequ.accounts.tests.factories import staff
from shequ.analysis import services as analysis_services
from shequ.analysis.permissions import RECOMPUTE_JOB
from shequ.cases import approvals, services, sweep
from shequ.cases.models import Case
from shequ.cases.tests.factories import (
    accepted_case,
    dispatched_case,
    dispatcher_of,
    handler_of,
    in_progress_case,
    resolved_case,
    submitted_case,
)
from shequ.core.todos import todos_for
from shequ.organisations.tests.factories import unit
from shequ.registry import disclosures, forms, selectors
from shequ.registry.models import ImportBatch
from shequ.registry.tests.factories import make_resident
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db

HOT = "我们要集体去市里上访"  # escalation words: a petition-risk warning above the test threshold


def _set(case, **fields):
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def build_world(clock):
    """c1 (street s1): one case of each kind of to-do; c2 (street s2): the same overdue case and warning, which
    c1's staff never count."""
    t = make_tree()
    now = clock.now
    cw = dispatcher_of(t["c1"])
    sec = staff("community_secretary", t["c1"], username="sec")
    fresh = submitted_case(t)  # 待受理, due tomorrow
    late = _set(submitted_case(t, description=HOT), accept_by=now - timedelta(hours=1))
    today = _set(accepted_case(t), dispatch_by=now + timedelta(hours=1))  # 待派单, due today (17:30 → 18:30)
    escalated = _set(dispatched_case(t), resolve_by=now - timedelta(hours=2), escalate_after=now - timedelta(hours=2))
    assert sweep.case_escalate(case=escalated, now=now)  # to the grid, next check tomorrow: still overdue
    returned = dispatched_case(t)
    services.case_return(actor=handler_of(t["m111"]), case=returned, reason="不属于本网格")
    asked = in_progress_case(t, to="g11")
    approvals.case_request_change(
        actor=handler_of(t["g11"]), case=asked, kind="extend", reason="需要协调物业维修", days=3
    )
    resolved_case(t, case_type="dispute", title="邻里噪音纠纷")  # 待回访
    other = _set(submitted_case(t, building="b3", description=HOT), accept_by=now - timedelta(hours=1))
    analysis_services.warnings_recompute(actor=RECOMPUTE_JOB)
    for community in (t["c1"], t["c2"]):
        ImportBatch.objects.create(
            community=community,
            uploaded_by=dispatcher_of(community),
            file_name="居民.csv",
            file_sha256="0" * 64,
            file_format="csv",
            status="validated",
        )
    make_resident(t["c1"], actor=cw, name="张三")
    qs = selectors.listed_residents(cw, forms.parse_filters({}).filters())
    disclosures.full_export_request(actor=cw, queryset=qs, filters={}, reason_code="benefits", reason_detail="低保年审")
    return {"t": t, "cw": cw, "sec": sec, "fresh": fresh, "late": late, "today": today, "other": other}


@pytest.fixture
def world(calendar, categories, clock, settings):
    settings.SHEQU_RISK_THRESHOLD = 40
    return build_world(clock)


COMMUNITY_WORKER_TODOS = {
    "cases.overdue.accept": 1,
    "cases.overdue.resolve": 1,
    "cases.due_today.dispatch": 1,
    "cases.to_accept": 2,
    "cases.to_dispatch": 2,
    "cases.returned": 1,
    "cases.approvals": 1,
    "disputes.follow_up": 1,
    "analysis.open_warnings": 2,  # the escalation words (70 points) and the escalated case (40)
    "registry.imports_waiting": 1,
}


def test_community_worker_counts_only_their_community(world):
    """Each provider counts with its scoped selector: c2's overdue case, warning and import are not counted."""
    assert {t.key: t.count for t in todos_for(world["cw"])} == COMMUNITY_WORKER_TODOS


def test_counts_are_ordered_overdue_first_with_the_stage(world):
    items = todos_for(world["cw"])
    assert [(t.key, str(t.stage)) for t in items[:3]] == [
        ("cases.overdue.accept", "受理"),
        ("cases.overdue.resolve", "办理"),
        ("cases.due_today.dispatch", "派单"),
    ]


def test_secretary_also_sees_the_export_request_to_approve(world):
    """The Party secretary approves the worker's full export; the worker never approves their own."""
    counts = {t.key: t.count for t in todos_for(world["sec"])}
    assert counts == {**COMMUNITY_WORKER_TODOS, "registry.export_approvals": 1}


def test_street_officer_sees_the_street_not_the_other_street(world):
    """A street officer of s1 counts c1's overdue cases and warnings, never c2's (street s2), and the reverse."""
    officer = staff("street_officer", world["t"]["s1"], username="street")
    counts = {t.key: t.count for t in todos_for(officer)}
    assert (counts["cases.overdue.accept"], counts["cases.overdue.resolve"], counts["analysis.open_warnings"]) == (
        1,
        1,
        2,
    )
    other = staff("street_officer", world["t"]["s2"], username="street2")
    assert {t.key: t.count for t in todos_for(other)} == {
        "cases.overdue.accept": 1,
        "cases.to_accept": 1,
        "analysis.open_warnings": 1,
    }


def test_answers_to_review_and_a_departments_cases_are_its_staffs_to_dos(client, world):
    """A grid worker's answer held for the community's review is a to-do of its dispatchers; a case dispatched
    to a department is its officer's, and each count opens a list of that many rows."""
    t = world["t"]
    held = in_progress_case(t, to="m111", case_type="complaint", title="楼道堆物")
    held = services.case_resolve(actor=handler_of(t["m111"]), case=held, reply="楼道杂物已清理完毕")
    assert held.status == "answer_review"
    assert {x.key: x.count for x in todos_for(world["cw"])}["cases.answer_reviews"] == 1
    dept = unit("department", "区城管局", t["district"])
    officer = staff("department_officer", t["district"], unit=dept)
    dispatched_case(t, world["cw"], to=dept)
    items = todos_for(officer)
    assert {x.key: x.count for x in items} == {"cases.to_handle": 1}
    client.force_login(officer)
    assert _rows_at(client, items[0].url) == 1
    client.force_login(world["cw"])
    cw_items = {x.key: x for x in todos_for(world["cw"])}
    assert _rows_at(client, cw_items["cases.answer_reviews"].url) == 1


def test_the_queue_opens_on_the_first_tab_with_work(client, world):
    """A department officer lands on 我承办的 (their cases), a dispatcher on 待受理; all empty: 待受理."""
    dept = unit("department", "区城管局", world["t"]["district"])
    officer = staff("department_officer", world["t"]["district"], unit=dept)
    client.force_login(officer)
    assert client.get(reverse("cases:case_queue")).context["tab"] == "to_accept"
    dispatched_case(world["t"], world["cw"], to=dept)
    assert client.get(reverse("cases:case_queue")).context["tab"] == "to_handle"
    client.force_login(world["cw"])
    assert client.get(reverse("cases:case_queue")).context["tab"] == "to_accept"


def _rows_at(client, url):
    """How many rows the list behind a to-do shows."""
    response = client.get(url)
    assert response.status_code == 200
    ctx = response.context
    name = resolve(url.split("?")[0]).url_name
    if name in ("warnings", "answer_reviews"):
        return len(ctx["rows"])
    if name == "export_requests":
        return len(ctx["to_decide"])
    return ctx["page"].paginator.count  # the case queue, the dispute list, the import list


@pytest.mark.parametrize("who", ["cw", "sec"])
def test_each_count_links_to_a_list_of_that_many_rows(client, world, who):
    """Every to-do's link opens its list, and the list shows exactly the count."""
    client.force_login(world[who])
    items = client.get(reverse("web:home")).context["todos"]
    assert items and {t.key: _rows_at(client, t.url) for t in items} == {t.key: t.count for t in items}


def test_home_page_shows_the_counts_and_links(client, world):
    client.force_login(world["cw"])
    page = client.get(reverse("web:home")).content.decode()
    assert 'href="/cases/?tab=overdue&amp;stage=accept"' in page and "受理时限" in page
    assert "今天没有待办事项" not in page and "我负责的辖区" not in page


def test_overdue_list_holds_every_case_past_any_stage_deadline(client, world):
    """已超时 lists escalated and not-escalated cases past their running deadline, in scope only."""
    client.force_login(world["cw"])
    page = client.get(reverse("cases:case_queue"), {"tab": "overdue"})
    listed = {row.case.tracking_number for row in page.context["page"].object_list}
    assert len(listed) == 2 and world["late"].tracking_number in listed
    assert world["other"].tracking_number not in listed
    assert all(row.overdue for row in page.context["page"].object_list)


def test_empty_home_says_so_and_offers_what_the_role_can_do(client, db):
    t = make_tree()
    client.force_login(staff("community_worker", t["c1"]))
    response = client.get(reverse("web:home"))
    page = response.content.decode()
    assert response.context["todos"] == [] and "今天没有待办事项" in page
    assert reverse("cases:case_create") in page and reverse("territory:browser") in page


@pytest.mark.parametrize("role, area", [("grid_worker", "g11"), ("micro_grid_worker", "m111")])
def test_grid_workers_land_on_their_phone_page(client, db, role, area):
    t = make_tree()
    client.force_login(staff(role, t[area]))
    response = client.get(reverse("web:home"))
    assert (response.status_code, response.url) == (302, reverse("cases:grid_home"))


def _menu(client, user):
    client.force_login(user)
    response = client.get(reverse("territory:browser"))
    return [item["key"] for item in response.context["menu"]]


def test_menu_offers_the_grid_page_to_grid_workers_only(client, db):
    t = make_tree()
    grid = staff("grid_worker", t["g11"])
    assert _menu(client, grid)[0] == "grid" and "home" not in _menu(client, grid)
    both = staff("community_worker", t["c1"])
    staff_role = both.assignments.first()
    both.assignments.create(role="grid_worker", area=t["g11"], unit=staff_role.unit)
    assert _menu(client, both)[:2] == ["home", "grid"]
    assert "grid" not in _menu(client, staff("community_secretary", t["c1"]))


@pytest.mark.parametrize(
    "role, area, token, shown",
    [
        ("community_worker", "c1", True, False),
        ("community_secretary", "c1", True, False),
        ("grid_worker", "g11", True, False),
        ("district_officer", "district", False, False),
        ("district_officer", "district", True, True),
        ("system_admin", "district", False, True),
    ],
)
def test_menu_lists_api_docs_only_for_roles_that_use_the_api(client, db, role, area, token, shown):
    t = make_tree()
    user = staff(role, t[area])
    if token:
        accounts_services.token_issue(actor=user)
    assert ("api" in _menu(client, user)) is shown
    assert (client.get(reverse("api-docs")).status_code == 200) is shown
