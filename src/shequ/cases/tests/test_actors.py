"""Cases under the one actor model: residents act on their own cases only, anonymous reports keep no link to
the resident, the timeline names actors in words, and dispatch refuses targets outside the routing targets."""

import pytest

from shequ.accounts.tests.factories import staff
from shequ.cases import selectors, services
from shequ.cases.models import Case, CaseAssignment, CaseTransition
from shequ.cases.tests.factories import resolved_case, submitted_case
from shequ.cases.views import _timeline
from shequ.core.actors import ResidentActor
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.registry.tests.factories import make_resident
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]
REPORT = {
    "case_type": "help",
    "title": "楼道灯坏了",
    "description": "三单元楼道灯坏了很久",
    "channel": "portal",
    "reporter_name": "程建华",
    "reporter_mobile": "",
}


@pytest.fixture
def t():
    return make_tree()


def _report(t, actor, *, anonymous=False, building="b1"):
    return submitted_case(t, actor, building=building, anonymous=anonymous, **REPORT)


def _resolved(t, actor):
    cw = staff("community_worker", t["c1"])
    return resolved_case(
        t, cw, submitted_by=actor, to="c1", handler=cw, started=False, reply="已更换楼道灯泡，恢复照明", **REPORT
    )


def _snapshot(case):
    case.refresh_from_db()
    return (
        case.status,
        case.satisfaction,
        case.reopen_count,
        CaseTransition.objects.filter(case=case).count(),
        AuditRecord.objects.count(),
    )


@pytest.mark.parametrize("action", ["rate", "reopen", "withdraw"])
def test_a_resident_cannot_act_on_another_residents_case(t, action):
    """Rating, reopening or withdrawing someone else's case is refused and writes nothing."""
    owner = make_resident(t["c1"], name="程建华")
    other = make_resident(t["c1"], name="李秀英")
    case = _resolved(t, ResidentActor(owner))
    before = _snapshot(case)
    actor = ResidentActor(other)
    with pytest.raises(PermissionDenied):
        if action == "rate":
            services.case_rate(actor=actor, case=case, satisfaction="unsatisfied", reopen=True)
        elif action == "reopen":
            services.case_reopen(actor=actor, case=case, reason="还是不亮")
        else:
            services.case_withdraw(actor=actor, case=case)
    assert _snapshot(case) == before


def test_the_reporter_rates_and_reopens_their_own_case(t):
    """The reporter's unsatisfied rating with reopen sends the case back to work."""
    owner = make_resident(t["c1"], name="程建华")
    case = _resolved(t, ResidentActor(owner))
    services.case_rate(actor=ResidentActor(owner), case=case, satisfaction="unsatisfied", reopen=True)
    case.refresh_from_db()
    assert (case.status, case.satisfaction, case.reopen_count) == ("in_progress", "unsatisfied", 1)


def test_a_resident_reports_only_for_their_own_community(t):
    """A resident of c1 without a dwelling cannot report on a building of c2; nothing is written."""
    resident = make_resident(t["c1"], name="程建华")
    with pytest.raises(PermissionDenied):
        _report(t, ResidentActor(resident), building="b3")
    assert not Case.objects.exists()


def test_an_anonymous_report_keeps_no_link_to_the_resident(t):
    """The case has no reporter and its audit row is a resident's with an empty reference."""
    resident = make_resident(t["c1"], name="程建华")
    case = _report(t, ResidentActor(resident, anonymous=True), anonymous=True)
    assert (case.anonymous, case.reporter_id, case.reporter_name) == (True, None, "")
    row = AuditRecord.objects.get(action="cases.submitted")
    assert (row.actor_kind, row.actor_ref, row.actor_id) == ("resident", "", None)


def test_the_timeline_names_residents_in_words(t):
    """A named resident shows as "居民 程*", an anonymous one as "匿名居民", staff by name."""
    resident = make_resident(t["c1"], name="程建华")
    named = _report(t, ResidentActor(resident))
    anonymous = _report(t, ResidentActor(resident, anonymous=True), anonymous=True)
    cw = staff("community_worker", t["c1"])
    services.case_accept(actor=cw, case=named)
    assert [s["actor_label"] for s in _timeline(named)] == ["居民 程*", cw.display_name]
    assert [s["actor_label"] for s in _timeline(anonymous)] == ["匿名居民"]
    CaseTransition.objects.filter(case=named, event="submit").update(actor_label=f"resident:{resident.public_id}")
    assert _timeline(named)[0]["actor_label"] == "居民 程*"  # an old row, translated on display


def test_dispatch_outside_the_routing_targets_is_refused_by_the_service(t):
    """A grid of another street is not among the routing targets: the service refuses it, nothing is written."""
    cw = staff("community_worker", t["c1"])
    case = _report(t, cw)
    services.case_accept(actor=cw, case=case)
    targets = selectors.routing_targets(case)
    outside = t["c2"].children.first()
    assert not targets.lead_allowed(outside) and not targets.helper_allowed(outside)
    assert targets.lead_allowed(t["m111"]) and targets.helper_allowed(t["m112"])
    with pytest.raises(ValidationError) as exc:
        services.case_dispatch(actor=cw, case=case, target=outside)
    assert list(exc.value.message_dict) == ["target"]
    with pytest.raises(ValidationError) as exc:
        services.case_dispatch(actor=cw, case=case, target=t["m111"], helpers=[outside])
    assert list(exc.value.message_dict) == ["helpers"]
    case.refresh_from_db()
    assert (case.status, case.holder_id) == ("accepted", t["c1"].pk)
    assert not CaseAssignment.objects.exists()
    with pytest.raises(ValidationError):
        services.case_transfer(actor=cw, case=case, target=outside, reason="不属本街道")
