"""The bulk sweep and the one-case escalation agree (hypothesis): on random sets of cases — any status, holders at
every rung of a small territory tree, running deadlines before, at or after now, some already escalated to the
district — `sweep.escalate_overdue` and `sweep.case_escalate` applied to each case escalate the same cases, to the
same holder one rung up, with the same next check, status, transition and audit rows.

The tree is built once per run; every example works inside a transaction that is rolled back, and each path runs
from the same starting rows inside its own savepoint.
"""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shequ.cases import domain, sweep
from shequ.cases.domain import Status
from shequ.cases.models import Case, CaseTransition
from shequ.core import calendar
from shequ.core.models import AuditRecord
from shequ.territory.models import Area
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 18, 9, 0, tzinfo=SH)  # a Wednesday
HOLDERS = ("m111", "m112", "g11", "g21", "c1", "c2", "s1", "s2", "district")
OFFSETS = (
    -dt.timedelta(days=3),
    -dt.timedelta(days=1),
    -dt.timedelta(microseconds=1),
    dt.timedelta(0),  # exactly now: not yet overdue
    dt.timedelta(minutes=1),
    dt.timedelta(days=2),
)
case_specs = st.fixed_dictionaries(
    {
        # Half the draws among the statuses that escalate, so most examples have cases to move.
        "status": st.sampled_from(sorted(domain.ESCALATABLE_STATUSES)) | st.sampled_from(list(Status)),
        "holder": st.sampled_from(HOLDERS),
        "accept": st.sampled_from(OFFSETS),
        "dispatch": st.sampled_from(OFFSETS),
        "resolve": st.sampled_from(OFFSETS),
        # Escalated before: supervised, counted, and checked again at its own time instead of the stage deadline.
        "escalated": st.none() | st.tuples(st.integers(1, 3), st.none() | st.sampled_from(OFFSETS)),
    }
)


@pytest.fixture
def tree(calendar):
    return make_tree()


def _community(area):
    node = area
    while node.level not in ("community", "street", "district"):
        node = node.parent
    return node if node.level == "community" else None


def _make(t, index, spec):
    holder = t[spec["holder"]]
    community = _community(holder) or t["c1"]
    deadlines = domain.Deadlines(
        accept_by=NOW + spec["accept"],
        dispatch_by=NOW + spec["dispatch"],
        resolve_by=NOW + spec["resolve"],
    )
    escalate_after = domain.running_deadline(spec["status"], deadlines)
    count = 0
    if spec["escalated"] is not None:
        count, check = spec["escalated"]
        escalate_after = NOW + check if check is not None and escalate_after is not None else None
    return Case.objects.create(
        tracking_number=f"P{index:06d}",
        case_type="help",
        channel="staff",
        title=f"随机诉求{index}",
        description="楼道灯坏了",
        status=spec["status"].value,
        community=community,
        location_path=community.path,
        first_receiver=community,
        holder=holder,
        holder_path=holder.path,
        submitted_at=NOW - dt.timedelta(days=5),
        accept_by=deadlines.accept_by,
        dispatch_by=deadlines.dispatch_by,
        resolve_by=deadlines.resolve_by,
        escalate_after=escalate_after,
        supervised=count > 0,
        escalation_count=count,
    )


def _outcome(cases):
    """Per case: its escalation-related fields, its transitions and its audit records (ids and times left out)."""
    result = []
    for case in cases:
        row = Case.objects.select_related("holder").get(pk=case.pk)
        transitions = list(
            CaseTransition.objects.filter(case=row).values_list(
                "event", "from_status", "to_status", "from_holder_id", "to_holder_id", "actor_id", "actor_label", "note"
            )
        )
        audits = list(
            AuditRecord.objects.filter(object_type="cases.case", object_id=str(row.public_id)).values_list(
                "action", "actor_kind", "actor_ref", "actor_label", "object_label", "before", "after"
            )
        )
        result.append(
            (row.holder_id, row.status, row.supervised, row.escalation_count, row.escalate_after, transitions, audits)
        )
    return result


def _bulk(cases):
    with transaction.atomic():
        moved = sweep.escalate_overdue(now=NOW, batch_size=3)  # small batches: the examples cross batch edges
        outcome = _outcome(cases)
        transaction.set_rollback(True)
    return moved, outcome


def _one_by_one(cases):
    with transaction.atomic():
        moved = sum(sweep.case_escalate(case=Case.objects.get(pk=c.pk), now=NOW) for c in cases)
        outcome = _outcome(cases)
        transaction.set_rollback(True)
    return moved, outcome


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(case_specs, min_size=2, max_size=10))
def test_bulk_sweep_and_single_escalation_agree(tree, specs):
    """Both paths escalate exactly the due cases, one rung up, with identical rows; the rest stay untouched."""
    with transaction.atomic():
        cases = [_make(tree, i, spec) for i, spec in enumerate(specs)]
        before = _outcome(cases)
        bulk_moved, bulk = _bulk(cases)
        single_moved, single = _one_by_one(cases)
        transaction.set_rollback(True)
    assert single == bulk
    assert single_moved == bulk_moved
    next_check = domain.next_escalation_check(calendar.current_calendar(), NOW)
    due = 0
    for case, old, new in zip(cases, before, bulk, strict=True):
        if domain.escalation_due(
            status=case.status, holder_level=case.holder.level, escalate_after=case.escalate_after, now=NOW
        ):
            due += 1
            holder = Area.objects.get(pk=new[0])
            assert holder.level == domain.ESCALATES_TO[case.holder.level] and case.holder.path.startswith(holder.path)
            assert new[1:5] == (case.status, True, case.escalation_count + 1, next_check)
            assert [t[0] for t in new[5]] == ["escalate"] and [a[0] for a in new[6]] == ["cases.escalate"]
            assert new[6][0][1:3] == ("system", sweep.ESCALATION.name)
        else:
            assert new == old
    assert bulk_moved == due
