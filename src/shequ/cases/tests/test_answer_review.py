"""Community review of grid workers' answers (答复待审核): held by default for complaints, invisible to the
reporter until approved, sent back with a note, the per-community setting, and who may do what."""

import pytest

from shequ.accounts.tests.factories import staff
from shequ.cases import portal_services, selectors
from shequ.cases.models import Case, CaseTransition, CommunityCaseSettings
from shequ.cases.review_services import answer_needs_review, answer_review, review_settings_update, review_types_of
from shequ.cases.services import case_resolve, case_start
from shequ.cases.tests.factories import dispatched_case
from shequ.core.errors import InvalidTransition, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]
ANSWER = "已清理楼道杂物，恢复通行。"


@pytest.fixture
def t():
    return make_tree()


def _held(t, case_type="complaint"):
    case = dispatched_case(t, case_type=case_type)
    mg = staff("micro_grid_worker", t["m111"])
    case = case_start(actor=mg, case=case)
    return case_resolve(actor=mg, case=case, reply=ANSWER)


def test_a_grid_workers_complaint_answer_waits_and_the_reporter_sees_nothing(t):
    """The answer is kept on the hold step, the reply stays empty, and the portal shows 办理中 without the step."""
    case = _held(t)
    case.refresh_from_db()
    assert (case.status, case.reply, case.resolved_at) == ("answer_review", "", None)
    hold = CaseTransition.objects.get(case=case, event="hold_answer")
    assert hold.note == ANSWER
    assert portal_services.status_label(case.status) == "办理中"
    events = [e.event for e in portal_services.timeline_of(case)]
    assert events == ["提交", "受理", "派单", "签收办理"]
    assert {e.status for e in portal_services.timeline_of(case)} <= {"已提交", "已受理", "已派单", "办理中"}


def test_approval_publishes_the_held_answer(t):
    """The community worker approves: resolved with the held text as the reply; the reporter sees 办结答复."""
    case = _held(t)
    cw = staff("community_worker", t["c1"])
    assert [c.pk for c in selectors.answers_waiting_review(cw)] == [case.pk]
    case = answer_review(actor=cw, case=case, approve=True)
    case.refresh_from_db()
    assert (case.status, case.reply) == ("resolved", ANSWER)
    assert case.resolved_at is not None
    assert portal_services.status_label(case.status) == "已办结"
    assert [e.event for e in portal_services.timeline_of(case)][-1] == "办结答复"
    assert list(selectors.answers_waiting_review(cw)) == []


def test_sending_back_needs_a_note_and_returns_the_case_to_work(t):
    """Without a note nothing changes; with one the case is 办理中 again and the worker answers anew."""
    case = _held(t)
    cw = staff("community_worker", t["c1"])
    with pytest.raises(ValidationError):
        answer_review(actor=cw, case=case, approve=False, note="")
    assert Case.objects.get(pk=case.pk).status == "answer_review"
    case = answer_review(actor=cw, case=case, approve=False, note="请补充处理后的照片")
    assert case.status == "in_progress"
    assert CaseTransition.objects.filter(case=case, event="revise_answer", note="请补充处理后的照片").count() == 1


def test_only_reviewed_types_and_grid_holders_wait(t):
    """A help request is published at once; a complaint held by the community itself is not reviewed."""
    help_case = _held(t, case_type="help")
    assert help_case.status == "resolved"
    case = dispatched_case(t, to="c1")
    assert answer_needs_review(case) is False


def test_another_communitys_setting_does_not_apply(t):
    """c2 reviews nothing; c1 keeps the default (complaints) and holds the answer."""
    secretary2 = staff("community_secretary", t["c2"])
    review_settings_update(actor=secretary2, community=t["c2"], case_types=[])
    assert review_types_of(t["c2"]) == [] and review_types_of(t["c1"]) == ["complaint"]
    assert _held(t).status == "answer_review"


def test_the_setting_turns_review_off_and_is_audited(t):
    """With no type reviewed in c1 the complaint answer resolves at once; the change is in the audit log."""
    secretary = staff("community_secretary", t["c1"])
    review_settings_update(actor=secretary, community=t["c1"], case_types=[])
    assert _held(t).status == "resolved"
    log = AuditRecord.objects.get(action="cases.review_settings")
    assert (log.before, log.after) == ({"review_answers_for": ["complaint"]}, {"review_answers_for": []})


@pytest.mark.parametrize(
    ("role", "area"), [("micro_grid_worker", "m111"), ("grid_worker", "g11"), ("community_worker", "c2")]
)
def test_who_may_not_review_changes_nothing(t, role, area):
    """The worker who answered, the grid worker and another community's worker are refused; nothing changes."""
    case = _held(t)
    before = CaseTransition.objects.filter(case=case).count()
    with pytest.raises(PermissionDenied):
        answer_review(actor=staff(role, t[area]), case=case, approve=True)
    with pytest.raises(InvalidTransition):
        case_resolve(actor=staff("micro_grid_worker", t["m111"]), case=case, reply=ANSWER)
    case.refresh_from_db()
    assert case.status == "answer_review" and CaseTransition.objects.filter(case=case).count() == before


def test_only_the_communitys_secretary_changes_the_setting(t):
    """A community worker and another community's secretary are refused; no row, no audit record."""
    for actor in (staff("community_worker", t["c1"]), staff("community_secretary", t["c2"])):
        with pytest.raises(PermissionDenied):
            review_settings_update(actor=actor, community=t["c1"], case_types=[])
    assert not CommunityCaseSettings.objects.exists()
    assert not AuditRecord.objects.filter(action="cases.review_settings").exists()
    with pytest.raises(ValidationError):
        review_settings_update(actor=staff("community_secretary", t["c1"]), community=t["c1"], case_types=["x"])
