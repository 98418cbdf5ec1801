"""Security alerts: the audit integrity watch notifies every auditor and security admin, once a day per problem."""

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.core import audit
from shequ.core.actors import COMMAND_LINE
from shequ.core.audit_anchor import append_anchor
from shequ.core.models import AuditRecord
from shequ.core.tests.audit_guards import drop_guards, install_guards
from shequ.notifications.models import Delivery, Notification, Preference
from shequ.notifications.security import KIND_AUDIT_INTEGRITY, watch_audit_integrity
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _guards_installed(db):
    install_guards()


def _write(n):
    for i in range(n):
        audit.record(actor=COMMAND_LINE, action=f"test.{i}", object_type="x", object_id=str(i))


def test_stale_anchoring_and_failures_alert_the_auditor_and_security_admin(clock):
    """The watch alerts every auditor and security admin once a day per problem, and records the alert."""
    district = make_tree()["district"]
    auditor = staff("auditor", district)
    secadmin = staff("security_admin", district)
    other = staff("community_worker", district)
    _write(3)
    append_anchor()
    report = watch_audit_integrity(full=False)
    assert report.ok and not report.anchors.stale
    assert Notification.objects.count() == 0

    clock.advance(minutes=10)  # no anchor since: anchoring stopped
    report = watch_audit_integrity(full=False)
    assert report.ok and report.anchors.stale
    notes = Notification.objects.filter(kind=KIND_AUDIT_INTEGRITY)
    assert sorted(n.recipient_id for n in notes) == sorted([auditor.pk, secadmin.pk])
    assert other.pk not in {n.recipient_id for n in notes}
    assert notes.first().title == "审计日志锚定已停止，请检查后台进程"
    watch_audit_integrity(full=False)
    assert notes.count() == 2  # the same problem alerts once a day

    append_anchor()
    drop_guards()
    AuditRecord.objects.filter(seq__gte=2).exclude(action="core.audit_integrity_alert").delete()
    watch_audit_integrity(full=True)
    failed = Notification.objects.filter(title="审计日志完整性校验失败，请立即核查并保全数据库")
    assert failed.count() == 2
    assert AuditRecord.objects.filter(action="core.audit_integrity_alert").count() >= 1


def test_security_alerts_go_by_email_to_those_who_chose_the_topic(clock):
    """An auditor who chose 安全告警 by email gets an email delivery besides the inbox entry."""
    district = make_tree()["district"]
    auditor = staff("auditor", district, email="audit@example.gov.cn")
    Preference.objects.create(user=auditor, email_topics=["security"])
    _write(1)
    watch_audit_integrity(full=False)  # no anchor at all: anchoring has not run
    note = Notification.objects.get(recipient=auditor, kind=KIND_AUDIT_INTEGRITY)
    assert list(Delivery.objects.filter(notification=note).values_list("channel", flat=True)) == ["email"]


def test_the_alert_is_recorded_by_the_watch_job_and_shown_by_its_chinese_name(client):
    """The alert's audit row names the system job (kind, reference, label); the audit page shows its name."""
    district = make_tree()["district"]
    auditor = staff("auditor", district)
    _write(1)
    watch_audit_integrity(full=False)  # no anchor at all: anchoring has not run
    record = AuditRecord.objects.get(action="core.audit_integrity_alert")
    assert (record.actor_kind, record.actor_ref, record.actor_label, record.actor_id) == (
        "system",
        "audit.integrity_watch",
        "job:audit.integrity_watch",
        None,
    )
    client.force_login(auditor)
    body = client.get(reverse("core:audit_list"), {"action": "core.audit_integrity_alert"}).content.decode()
    assert "<td>审计日志完整性监测</td>" in body
    assert "job:audit.integrity_watch" not in body
