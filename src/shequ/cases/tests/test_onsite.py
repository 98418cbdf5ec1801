"""On-the-spot handling (onsite.case_resolve_on_the_spot): a worker who may also accept for the community reports,
accepts, dispatches to the building's micro-grid, signs for and resolves in one go; anyone else is refused before
anything is written, and a step that fails leaves nothing behind."""

import pytest
from django.test import override_settings

from shequ.accounts.models import RoleAssignment
from shequ.accounts.tests.factories import staff
from shequ.cases import onsite, services
from shequ.cases.models import Case, CaseTransition
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.permissions import can, write_actions
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]


@pytest.fixture
def t():
    return make_tree()


def _data(t, building="b1", **kw):
    return services.CaseInput(
        case_type="help",
        title="楼道灯坏了",
        description="一单元三楼楼道灯坏了，晚上看不见路",
        channel="grid",
        building=t[building],
        **kw,
    )


def _worker(t, *roles):
    """A staff account holding each (role, area key) given."""
    (role, key), *more = roles
    user = staff(role, t[key])
    for role, key in more:
        RoleAssignment.objects.create(user=user, role=role, area=t[key])
    return user


def _nothing_written(audits_before):
    return (Case.objects.count(), CaseTransition.objects.count(), AuditRecord.objects.count()) == (0, 0, audits_before)


def test_marked_with_the_actions_it_requires():
    """The service is a write service requiring its own action first, then those of the steps it runs."""
    assert write_actions(onsite.case_resolve_on_the_spot) == (
        "cases.resolve_on_the_spot",
        "cases.submit",
        "cases.dispatch",
        "cases.handle",
    )


def test_a_grid_worker_who_may_accept_resolves_in_one_go(t):
    """Submitted, accepted, dispatched to m111, started and resolved with the reply: five transitions, audited."""
    worker = _worker(t, ("micro_grid_worker", "m111"), ("community_worker", "c1"))
    assert can(worker, "cases.resolve_on_the_spot", t["b1"])
    case = onsite.case_resolve_on_the_spot(actor=worker, data=_data(t), reply="已更换楼道灯泡，恢复照明")
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.holder_id, case.micro_grid_id, case.reply, case.channel) == (
        "resolved",
        t["m111"].pk,
        t["m111"].pk,
        "已更换楼道灯泡，恢复照明",
        "grid",
    )
    assert list(CaseTransition.objects.filter(case=case).values_list("event", flat=True)) == [
        "submit",
        "accept",
        "dispatch",
        "start",
        "resolve",
    ]
    assert list(CaseTransition.objects.filter(case=case, event="accept").values_list("note", flat=True)) == [
        "网格员现场处理"
    ]
    actions = set(AuditRecord.objects.filter(object_id=str(case.public_id)).values_list("action", flat=True))
    assert {"cases.accept", "cases.dispatch", "cases.start", "cases.resolve"} <= actions


@pytest.mark.parametrize(
    "roles",
    [
        # A grid worker of another grid, dispatcher of another community: outside the place's grid and community.
        [("grid_worker", "g12"), ("community_worker", "c2")],
        # The place's own micro-grid worker, who may report but not accept.
        [("micro_grid_worker", "m111")],
        # A street officer may accept but does not report.
        [("street_officer", "s1")],
    ],
)
def test_a_worker_who_may_not_finish_is_refused_and_nothing_is_written(t, roles):
    """PermissionDenied on cases.resolve_on_the_spot; no case, transition or audit record is left."""
    worker = _worker(t, *roles)
    audits = AuditRecord.objects.count()
    assert not can(worker, "cases.resolve_on_the_spot", t["b1"])
    with pytest.raises(PermissionDenied) as refused:
        onsite.case_resolve_on_the_spot(actor=worker, data=_data(t), reply="已更换楼道灯泡，恢复照明")
    assert refused.value.action == "cases.resolve_on_the_spot"
    assert _nothing_written(audits)


def test_a_failing_step_rolls_back_the_report(t):
    """A reply too short for the resolution is refused by the last step, and the report is undone with it."""
    worker = _worker(t, ("micro_grid_worker", "m111"), ("community_worker", "c1"))
    audits = AuditRecord.objects.count()
    with pytest.raises(ValidationError) as invalid:
        onsite.case_resolve_on_the_spot(actor=worker, data=_data(t), reply="好")
    assert set(invalid.value.message_dict) == {"reply"}
    assert _nothing_written(audits)


@override_settings(SHEQU_CLASSIFIER_MIN_CONFIDENCE=0.99)
def test_a_case_the_system_cannot_classify_needs_a_category(t, categories):
    """With the category tree loaded, no category chosen and no confident suggestion (待分拣), the worker is asked
    to choose one."""
    worker = _worker(t, ("micro_grid_worker", "m111"), ("community_worker", "c1"))
    audits = AuditRecord.objects.count()
    data = _data(t, classify=True)
    with pytest.raises(ValidationError) as invalid:
        onsite.case_resolve_on_the_spot(actor=worker, data=data, reply="已现场处理完毕")
    assert invalid.value.message_dict == {"category": ["系统无法确定分类，现场处理时请选择分类"]}
    assert _nothing_written(audits)
