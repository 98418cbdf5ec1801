"""The case page offers each person only the actions they may take now, the expected one as the primary button
and the others in a menu; destructive ones run only after a confirmation step; helper units are those of the
case's compound and community."""

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.cases import forms, services
from shequ.cases.models import Case, CaseAssignment, CaseTransition
from shequ.cases.selectors import routing_targets
from shequ.cases.tests.factories import dispatched_case, submitted_case
from shequ.core.errors import ValidationError
from shequ.organisations.tests.factories import unit
from shequ.territory.models import Building, Compound
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]


@pytest.fixture
def t():
    t = make_tree()
    t["cw"] = staff("community_worker", t["c1"])
    t["mg"] = staff("micro_grid_worker", t["m111"])
    return t


def _detail(case) -> str:
    return reverse("cases:case_detail", args=[case.public_id])


def _action(case, name: str) -> str:
    return reverse("cases:case_action", args=[case.public_id, name])


def _offered(client, case) -> tuple[str | None, list[str]]:
    context = client.get(_detail(case)).context
    primary = context["primary_action"]
    return (primary["name"] if primary else None, [a["name"] for a in context["menu_actions"]])


def test_a_community_worker_sees_accept_first_and_the_rest_in_the_menu(client, t):
    case = submitted_case(t, t["cw"])
    client.force_login(t["cw"])
    response = client.get(_detail(case))
    body = response.content.decode()
    assert _offered(client, case) == ("accept", ["triage", "reject", "withdraw", "merge", "flag"])
    assert "下一步：受理" in body and 'id="action-menu"' in body and "其他操作" in body


def test_the_micro_grid_worker_sees_no_action_on_a_case_not_yet_dispatched_to_them(client, t):
    case = submitted_case(t, t["cw"])
    client.force_login(t["mg"])
    assert client.get(_detail(case)).context["actions"] == []


def test_after_dispatching_the_dispatcher_no_longer_sees_the_holders_actions(client, t):
    """Dispatched to micro-grid m111: its worker signs for it; the community keeps only its own actions."""
    case = dispatched_case(t, t["cw"], to="m111")
    client.force_login(t["cw"])
    assert _offered(client, case) == (None, ["transfer", "withdraw", "merge", "flag"])
    client.force_login(t["mg"])
    assert _offered(client, case) == ("start", ["return", "resolve", "request", "flag"])


def test_after_dispatching_to_a_department_only_its_staff_see_the_holders_actions(client, t):
    dept = unit("department", "区城管局", t["district"])
    officer = staff("department_officer", t["district"], unit=dept)
    case = dispatched_case(t, t["cw"], to=dept)
    client.force_login(t["cw"])
    assert _offered(client, case)[0] is None
    client.force_login(officer)
    assert _offered(client, case) == ("start", ["return", "resolve", "request", "flag"])


def test_a_holders_action_posted_by_the_dispatcher_changes_nothing(client, t):
    case = dispatched_case(t, t["cw"], to="m111")
    client.force_login(t["cw"])
    response = client.post(_action(case, "start"), follow=True)
    assert [str(m) for m in response.context["messages"]] == [f"该诉求现由{t['m111'].name}办理"]
    case.refresh_from_db()
    assert (case.status, CaseTransition.objects.filter(case=case).count()) == ("dispatched", 3)


def test_an_action_without_permission_is_refused(client, t):
    """A helper-less viewer posting 受理 is refused with 403; the case stays submitted."""
    case = submitted_case(t, t["cw"])
    client.force_login(t["mg"])
    assert client.post(_action(case, "accept"), {"accept-note": ""}).status_code == 403
    case.refresh_from_db()
    assert case.status == "submitted"


@pytest.mark.parametrize(
    ("name", "who", "data", "status_after"),
    [
        ("reject", "cw", {"reject-reason": "不属于社区职责范围", "reject-where_instead": "12345热线"}, "not_accepted"),
        ("withdraw", "cw", {"withdraw-reason": "报告人来电称已自行解决，要求撤回"}, "withdrawn"),
        ("return", "mg", {"return-reason": "不属于本微网格"}, "accepted"),
        ("flag", "cw", {"flag-reason": "同一人一周内重复反映十次"}, "dispatched"),
    ],
)
def test_a_destructive_action_runs_only_after_the_confirmation(client, t, name, who, data, status_after):
    """The first POST answers with the confirmation page (the entered values, posted again) and changes nothing;
    posting that page runs the action."""
    case = dispatched_case(t, t["cw"], to="m111") if name in ("return", "flag") else submitted_case(t, t["cw"])
    before = (case.status, CaseTransition.objects.filter(case=case).count(), case.malicious_status)
    client.force_login(t[who])
    response = client.post(_action(case, name), data)
    assert response.status_code == 200
    assert response.templates[0].name == "cases/case_action_confirm.html"
    body = response.content.decode()
    assert 'name="confirmed" value="1"' in body and next(iter(data.values())) in body
    case.refresh_from_db()
    assert (case.status, CaseTransition.objects.filter(case=case).count(), case.malicious_status) == before
    response = client.post(_action(case, name), {**data, "confirmed": "1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == status_after
    if name == "flag":
        assert case.malicious_status == "proposed"


def test_accept_needs_no_confirmation(client, t):
    case = submitted_case(t, t["cw"])
    client.force_login(t["cw"])
    assert client.post(_action(case, "accept"), {"accept-note": ""}).status_code == 302
    case.refresh_from_db()
    assert case.status == "accepted"


@pytest.fixture
def committees(t):
    """Owners' committees and property companies of compound1 (the case's), of another compound of the same
    community, and one registered without its compound."""
    other = Compound.objects.create(community=t["c1"], code="510107001002-C02", name="锦苑二期")
    Building.objects.create(compound=other, micro_grid=t["m112"], name="5栋", number=5)
    return {
        "own": unit("owners_committee", "锦苑小区业主委员会", t["c1"], compound=t["compound1"]),
        "own_pm": unit("property_company", "锦苑物业", t["c1"], compound=t["compound1"]),
        "other": unit("owners_committee", "锦苑二期业主委员会", t["c1"], compound=other),
        "other_pm": unit("property_company", "二期物业", t["c1"], compound=other),
        "loose": unit("owners_committee", "洗面桥业主委员会", t["c1"]),
        "station": unit("social_org", "洗面桥社工站", t["c1"]),
        "dept": unit("department", "区住建局", t["district"]),
    }


def test_helper_units_are_those_of_the_cases_compound_and_community(t, committees):
    case = services.case_accept(actor=t["cw"], case=submitted_case(t, t["cw"]))
    form = forms.DispatchForm(actor=t["cw"], case=case, prefix="dispatch")
    offered = {label.split("（")[0] for value, label in form.fields["helpers"].choices if value.startswith("u:")}
    assert offered == {"锦苑小区业主委员会", "锦苑物业", "洗面桥社工站", "区住建局"}
    assert {u.name for u in routing_targets(case).units} == offered


@pytest.mark.parametrize("key", ["other", "other_pm", "loose"])
def test_the_service_refuses_another_compounds_unit_as_helper(t, committees, key):
    case = services.case_accept(actor=t["cw"], case=submitted_case(t, t["cw"]))
    with pytest.raises(ValidationError) as caught:
        services.case_dispatch(actor=t["cw"], case=case, target=t["m111"], helpers=[committees[key]])
    assert caught.value.message_dict == {"helpers": [f"协办单位“{committees[key].name}”不负责诉求所在地"]}
    case.refresh_from_db()
    assert (case.status, CaseAssignment.objects.filter(case=case).count()) == ("accepted", 0)
    assert Case.objects.get(pk=case.pk).holder_id == t["c1"].pk


def test_the_transfer_hint_reads_plainly(t):
    case = services.case_accept(actor=t["cw"], case=submitted_case(t, t["cw"]))
    help_text = str(forms.TransferForm(actor=t["cw"], case=case, prefix="transfer").fields["target"].help_text)
    assert "可转办给：街道办事处，本街道的社区、网格和微网格" in help_text
    assert not any(code in help_text for code in ("street", "community", "grid", "micro_grid"))
