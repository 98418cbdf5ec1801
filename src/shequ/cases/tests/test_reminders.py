"""Approaching-deadline notices: once per (case, stage, deadline), only for running deadlines."""

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings

from shequ.accounts.tests.factories import staff
from shequ.cases import reminders, services, tasks
from shequ.cases.models import Case
from shequ.cases.tests.factories import submitted_case
from shequ.notifications import services as notification_services
from shequ.notifications.models import Delivery, Notification
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]
SH = dt.timezone(dt.timedelta(hours=8))
SUBMITTED = dt.datetime(2026, 3, 16, 9, 0, tzinfo=SH)  # a Monday


@pytest.fixture
def t():
    return make_tree()


def _case(t, cw, title="楼道堆放杂物，联系13812345678"):
    return submitted_case(
        t,
        cw,
        now=SUBMITTED,
        case_type="help",
        title=title,
        description="三单元楼道堆满纸箱",
        reporter_name="",
        reporter_mobile="",
    )


def _deadline_notes(user):
    return list(Notification.objects.filter(recipient=user, kind="case.deadline"))


def test_running_twice_sends_one_notice(t):
    """Two hours before the accept deadline the holder unit is told once, however often the sweep runs."""
    cw = staff("community_worker", t["c1"])
    outsider = staff("community_worker", t["c2"])
    case = _case(t, cw)
    now = case.accept_by - dt.timedelta(hours=2)
    assert reminders.send_deadline_reminders(now=now) == 1
    assert reminders.send_deadline_reminders(now=now + dt.timedelta(minutes=15)) == 0
    [note] = _deadline_notes(cw)
    assert case.tracking_number in note.title and "受理" in note.title
    assert "13812345678" not in note.title and "138****5678" in note.title
    assert note.url == f"/cases/{case.public_id}/"
    assert _deadline_notes(outsider) == []


def test_outside_the_window_or_overdue_gets_none(t):
    cw = staff("community_worker", t["c1"])
    case = _case(t, cw)
    assert reminders.send_deadline_reminders(now=case.accept_by - dt.timedelta(hours=25)) == 0
    assert reminders.send_deadline_reminders(now=case.accept_by + dt.timedelta(minutes=1)) == 0
    assert _deadline_notes(cw) == []


@override_settings(SHEQU_DEADLINE_REMINDER_WINDOW=dt.timedelta(hours=48))
def test_window_is_configurable(t):
    cw = staff("community_worker", t["c1"])
    case = _case(t, cw)
    assert reminders.send_deadline_reminders(now=case.accept_by - dt.timedelta(hours=30)) == 1


def test_next_stage_gets_its_own_notice_for_the_new_holder(t):
    """After dispatch the resolve deadline runs: the micro-grid (the new holder) is told, once."""
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    case = _case(t, cw)
    reminders.send_deadline_reminders(now=case.accept_by - dt.timedelta(hours=1))
    services.case_accept(actor=cw, case=case, now=SUBMITTED + dt.timedelta(hours=1))
    services.case_dispatch(actor=cw, case=case, target=t["m111"])
    now = case.resolve_by - dt.timedelta(hours=3)
    assert reminders.send_deadline_reminders(now=now) == 1
    assert reminders.send_deadline_reminders(now=now) == 0
    [note] = _deadline_notes(mg)
    assert "办理" in note.title
    assert len(_deadline_notes(cw)) == 1  # the accept-stage notice only


def test_suspended_and_resolved_cases_get_none(t):
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    resolved, suspended = _case(t, cw), _case(t, cw, title="路灯不亮")
    for case in (resolved, suspended):
        services.case_accept(actor=cw, case=case, now=SUBMITTED + dt.timedelta(hours=1))
        services.case_dispatch(actor=cw, case=case, target=t["m111"])
        services.case_start(actor=mg, case=case)
    services.case_resolve(actor=mg, case=resolved, reply="已清理楼道杂物。")
    # Suspension needs an approved request (tested in test_services); only the resulting state matters here.
    Case.objects.filter(pk=suspended.pk).update(status="suspended")
    now = suspended.resolve_by - dt.timedelta(hours=1)
    assert reminders.send_deadline_reminders(now=now) == 0
    assert Notification.objects.filter(kind="case.deadline").count() == 0


def test_opted_in_holder_gets_the_reminder_by_email(t, django_capture_on_commit_callbacks):
    cw = staff("community_worker", t["c1"])
    notification_services.preferences_update(
        actor=cw, email="cw@example.gov.cn", mobile="", email_topics=["deadline"], sms_topics=[]
    )
    case = _case(t, cw)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_deadline_reminders(now=case.accept_by - dt.timedelta(hours=2))
    assert [m.to for m in mail.outbox] == [["cw@example.gov.cn"]]
    assert "13812345678" not in mail.outbox[0].subject + mail.outbox[0].body
    assert Delivery.objects.get().status == "sent"


def test_periodic_task_runs_the_sweep(t, clock):
    cw = staff("community_worker", t["c1"])
    case = _case(t, cw)
    clock.now = case.accept_by - dt.timedelta(hours=2)
    assert tasks.deadline_reminders.call_local() == 1
    assert tasks.deadline_reminders.call_local() == 0
