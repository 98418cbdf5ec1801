"""Case lifecycle through the services: intake, accept, dispatch, resolve, rate, escalation sweep, scope."""

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection

from shequ.accounts.tests.factories import staff
from shequ.cases import selectors, services, sweep
from shequ.cases.models import Case, CaseTransition
from shequ.cases.tests.factories import no_answer_review, submitted_case
from shequ.core import calendar
from shequ.core.actors import COMMAND_LINE
from shequ.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def t():
    return make_tree()


def test_intake_places_the_case_and_sets_the_accept_deadline(t):
    """A case on building b1 lies in micro-grid m111 of community c1, which receives and holds it."""
    worker = staff("community_worker", t["c1"])
    now = dt.datetime(2025, 9, 26, 10, 0, tzinfo=SHANGHAI)  # Friday before the 2025-09-28 make-up Sunday
    case = submitted_case(t, worker, now=now)
    assert (case.status, case.community_id, case.micro_grid_id, case.holder_id) == (
        "submitted",
        t["c1"].pk,
        t["m111"].pk,
        t["c1"].pk,
    )
    assert case.accept_by.astimezone(SHANGHAI).date() == dt.date(2025, 9, 28)
    assert case.escalate_after == case.accept_by
    assert case.reporter_mobile_masked == "138****5678" and "13812345678" not in case.reporter_mobile_encrypted
    assert len(case.tracking_number) == 12
    assert CaseTransition.objects.filter(case=case, event="submit").count() == 1


def test_full_lifecycle_with_timeline_and_audit(t):
    """Accept → dispatch to the micro-grid → start → resolve with a reply → satisfied rating closes it."""
    no_answer_review(t["c1"])  # the community publishes answers without review
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    case = submitted_case(t, cw)
    services.case_accept(actor=cw, case=case)
    assert case.resolve_by is not None and case.escalate_after == case.dispatch_by
    services.case_dispatch(actor=cw, case=case, target=t["m111"])
    assert (case.status, case.holder_id, case.escalate_after) == ("dispatched", t["m111"].pk, case.resolve_by)
    services.case_start(actor=mg, case=case)
    services.case_resolve(actor=mg, case=case, reply="已联系物业清理楼道杂物，并张贴提示。")
    services.case_rate(actor=cw, case=case, satisfaction="satisfied")
    case.refresh_from_db()
    assert (case.status, case.satisfaction, case.escalate_after) == ("closed", "satisfied", None)
    assert list(selectors.timeline(case).values_list("event", flat=True)) == [
        "submit",
        "accept",
        "dispatch",
        "start",
        "resolve",
        "close",
    ]
    assert AuditRecord.objects.filter(object_id=str(case.public_id)).count() == 7


def test_transition_not_in_the_table_is_refused_and_nothing_changes(t):
    """Resolving a case that was never accepted raises InvalidTransition; status and timeline stay."""
    cw = staff("community_worker", t["c1"])
    case = submitted_case(t, cw)
    with pytest.raises(InvalidTransition):
        services.case_resolve(actor=cw, case=case, reply="直接办结，无需受理")
    case.refresh_from_db()
    assert case.status == "submitted" and CaseTransition.objects.filter(case=case).count() == 1


def test_dispatch_only_downwards_and_only_by_the_holder(t):
    """A community cannot dispatch into another community; a grid worker cannot dispatch at all."""
    cw = staff("community_worker", t["c1"])
    case = submitted_case(t, cw)
    services.case_accept(actor=cw, case=case)
    with pytest.raises(ValidationError):
        services.case_dispatch(actor=cw, case=case, target=t["m211"])
    with pytest.raises(PermissionDenied):
        services.case_dispatch(actor=staff("grid_worker", t["g11"]), case=case, target=t["m111"])
    case.refresh_from_db()
    assert (case.status, case.holder_id) == ("accepted", t["c1"].pk)


def test_return_goes_back_to_the_dispatcher(t):
    """A micro-grid worker returns a case with a reason: it is accepted again, held by the community."""
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    case = submitted_case(t, cw)
    services.case_accept(actor=cw, case=case)
    services.case_dispatch(actor=cw, case=case, target=t["m111"])
    services.case_return(actor=mg, case=case, reason="不属于本网格事项")
    assert (case.status, case.holder_id) == ("accepted", t["c1"].pk)


def test_scope_grid_worker_cannot_see_or_act_on_another_micro_grid(t):
    """A micro-grid worker of m112 neither sees nor handles a case located in and held by m111."""
    cw = staff("community_worker", t["c1"])
    other = staff("micro_grid_worker", t["m112"])
    case = submitted_case(t, cw)
    services.case_accept(actor=cw, case=case)
    services.case_dispatch(actor=cw, case=case, target=t["m111"])
    with pytest.raises(NotFound):
        selectors.get_case_for(other, case.public_id)
    with pytest.raises(PermissionDenied):
        services.case_start(actor=other, case=case)


def test_complainant_identity_is_hidden_from_the_handling_unit(t):
    """For a complaint, the micro-grid worker handling it may not see the reporter; the dispatcher may (audited)."""
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    case = submitted_case(t, cw)
    with pytest.raises(PermissionDenied):
        services.reporter_mobile(actor=mg, case=case)
    assert services.reporter_mobile(actor=cw, case=case) == "13812345678"
    assert AuditRecord.objects.filter(action="cases.reporter_revealed").count() == 1
    help_case = submitted_case(t, cw, case_type="help")
    services.case_accept(actor=cw, case=help_case)
    services.case_dispatch(actor=cw, case=help_case, target=t["m111"])
    assert services.reporter_mobile(actor=mg, case=help_case) == "13812345678"


def test_sweep_escalates_overdue_once_and_then_again_a_level_up(t):
    """A case not accepted in time goes to the street and is supervised; a second sweep the same day does nothing;
    a day later, still untouched, it goes to the district."""
    cw = staff("community_worker", t["c1"])
    submitted = dt.datetime(2026, 3, 16, 9, 0, tzinfo=SHANGHAI)  # Monday
    case = submitted_case(t, cw, now=submitted)
    late = dt.datetime(2026, 3, 18, 9, 0, tzinfo=SHANGHAI)  # accept_by was end of Tuesday
    assert sweep.escalate_overdue(now=late) == 1
    assert sweep.escalate_overdue(now=late) == 0
    case.refresh_from_db()
    assert (case.holder_id, case.supervised, case.escalation_count, case.status) == (t["s1"].pk, True, 1, "submitted")
    assert case.escalate_after.astimezone(SHANGHAI).date() == dt.date(2026, 3, 19)
    assert sweep.escalate_overdue(now=dt.datetime(2026, 3, 20, 9, 0, tzinfo=SHANGHAI)) == 1
    case.refresh_from_db()
    assert (case.holder_id, case.escalation_count) == (t["district"].pk, 2)
    assert sweep.escalate_overdue(now=dt.datetime(2026, 3, 30, 9, 0, tzinfo=SHANGHAI)) == 0
    street = staff("street_officer", t["s1"])
    assert selectors.get_case_for(street, case.public_id) == case


def test_sweep_leaves_cases_within_their_deadline_alone(t):
    """A freshly accepted case is not escalated."""
    cw = staff("community_worker", t["c1"])
    case = submitted_case(t, cw)
    services.case_accept(actor=cw, case=case)
    assert sweep.escalate_overdue() == 0


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_never_escalate_the_same_case_twice(flushable_audit):
    """Two sweeps racing over 30 overdue cases escalate each exactly once."""
    calendar.seed_official_calendar()
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    submitted = dt.datetime(2026, 3, 16, 9, 0, tzinfo=SHANGHAI)
    cases = [submitted_case(t, cw, now=submitted) for _ in range(30)]
    late = dt.datetime(2026, 3, 18, 9, 0, tzinfo=SHANGHAI)
    results, errors = [], []

    def run_sweep():
        try:
            results.append(sweep.escalate_overdue(now=late, batch_size=7))
        except Exception as exc:  # noqa: BLE001 - collected and asserted
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run_sweep) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert errors == []
    assert sum(results) == 30
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("escalation_count", flat=True)) == {1}
    assert CaseTransition.objects.filter(event="escalate").count() == 30


def test_categories_seed_is_idempotent():
    """The shipped tree loads (scheme + 社区事务) with parents; a second run changes nothing."""
    from shequ.cases.models import Category

    created, updated = services.categories_seed()
    assert created == Category.objects.count() == 710 and updated == 0
    assert services.categories_seed() == (0, 0)
    parking = Category.objects.get(name="停车管理")
    assert (parking.code, parking.parent.name, parking.level) == ("S01-01", "社区事务", 2)


def test_reopen_only_within_the_period_and_rating_by_the_dispatcher(t, clock):
    """The handling micro-grid worker cannot record the rating; a closed case reopens within 15 days only."""
    no_answer_review(t["c1"])  # the community publishes answers without review
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    case = submitted_case(t, cw)
    services.case_accept(actor=cw, case=case)
    services.case_dispatch(actor=cw, case=case, target=t["m111"])
    services.case_start(actor=mg, case=case)
    services.case_resolve(actor=mg, case=case, reply="已处理完毕，请查看现场。")
    with pytest.raises(PermissionDenied):
        services.case_rate(actor=mg, case=case, satisfaction="satisfied")
    services.case_rate(actor=cw, case=case, satisfaction="basically")
    clock.advance(days=16)
    with pytest.raises(ValidationError, match="已超过重办期限"):
        services.case_reopen(actor=cw, case=case, reason="仍未解决")
    case.refresh_from_db()
    assert case.status == "closed"


def test_map_point_resolves_to_micro_grid_and_community(t):
    """A case placed by a map pin inside m111's polygon lies in m111 and is received by community c1."""
    from shequ.territory import services as territory

    square = {
        "type": "Polygon",
        "coordinates": [[[104.05, 30.64], [104.051, 30.64], [104.051, 30.641], [104.05, 30.641], [104.05, 30.64]]],
    }
    territory.boundaries_import(
        actor=COMMAND_LINE,
        collection={
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"code": t["m111"].code}, "geometry": square}],
        },
    )
    territory.micro_grid_index(force=True)
    cw = staff("community_worker", t["c1"])
    data = services.CaseInput(
        case_type="help",
        title="路灯不亮",
        description="后门通道路灯坏了很久",
        channel="staff",
        lng=104.0505,
        lat=30.6405,
        crs="gcj02",
    )
    case = services.case_submit(actor=cw, data=data)
    assert (case.micro_grid_id, case.community_id, case.holder_id) == (t["m111"].pk, t["c1"].pk, t["c1"].pk)
