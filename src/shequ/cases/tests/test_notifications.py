"""In-app notifications: dispatch, escalation and resolution reach the right units' inboxes."""

import datetime as dt

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.cases import services, sweep
from shequ.cases.tests.factories import submitted_case
from shequ.notifications.models import Notification
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]
SH = dt.timezone(dt.timedelta(hours=8))


def _case(t, cw, now=None):
    return submitted_case(
        t,
        cw,
        now=now,
        case_type="help",
        title="路灯不亮，联系13812345678",
        description="后门通道路灯坏了一个月",
        reporter_name="",
        reporter_mobile="",
    )


def test_dispatch_and_resolution_notify_the_right_people(client):
    """Dispatch notifies the micro-grid worker (title masked); resolution notifies the community's dispatcher."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    other = staff("micro_grid_worker", t["m112"])
    case = _case(t, cw)
    services.case_accept(actor=cw, case=case)
    services.case_dispatch(actor=cw, case=case, target=t["m111"])
    [note] = Notification.objects.filter(recipient=mg)
    assert note.kind == "case.dispatch" and case.tracking_number in note.title
    assert "13812345678" not in note.title and "138****5678" in note.title
    assert not Notification.objects.filter(recipient=other).exists()
    services.case_start(actor=mg, case=case)
    services.case_resolve(actor=mg, case=case, reply="已更换灯泡，恢复照明。")
    assert Notification.objects.filter(recipient=cw, kind="case.resolved").count() == 1
    client.force_login(mg)
    inbox = client.get(reverse("notifications:inbox"))
    assert inbox.status_code == 200 and case.tracking_number in inbox.content.decode()
    opened = client.post(reverse("notifications:open", args=[note.public_id]))
    assert opened.status_code == 302 and opened.url == f"/cases/{case.public_id}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_escalation_notifies_new_and_old_holder():
    """An overdue case escalated to the street notifies the street officer and the community's staff."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    so = staff("street_officer", t["s1"])
    _case(t, cw, now=dt.datetime(2026, 3, 16, 9, 0, tzinfo=SH))
    assert sweep.escalate_overdue(now=dt.datetime(2026, 3, 18, 9, 0, tzinfo=SH)) == 1
    assert Notification.objects.filter(recipient=so, kind="case.escalate").count() == 1
    assert Notification.objects.filter(recipient=cw, kind="case.escalated_away").count() == 1
