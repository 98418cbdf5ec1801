"""The inbox and the preferences page: own notifications only, unread filter, mark read, validation."""

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.core import crypto
from shequ.core.models import AuditRecord
from shequ.notifications import services
from shequ.notifications.models import Notification, Preference
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def t():
    return make_tree()


@pytest.fixture
def me(t):
    return staff("micro_grid_worker", t["m111"])


@pytest.fixture
def other(t):
    return staff("micro_grid_worker", t["m112"])


def _note(user, title, read=False):
    from django.utils import timezone

    return Notification.objects.create(
        recipient=user, kind="case.dispatch", title=title, url="/cases/x/", read_at=timezone.now() if read else None
    )


def test_inbox_shows_only_own_notifications_with_unread_count(client, me, other):
    _note(me, "我的通知甲")
    _note(me, "我的通知乙", read=True)
    _note(other, "别人的通知")
    client.force_login(me)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "我的通知甲" in page and "我的通知乙" in page and "别人的通知" not in page
    assert "1 条未读" in page


def test_unread_filter(client, me):
    _note(me, "未读的通知")
    _note(me, "已读的通知", read=True)
    client.force_login(me)
    page = client.get(reverse("notifications:inbox") + "?unread=1").content.decode()
    assert "未读的通知" in page and "已读的通知" not in page


def test_inbox_is_paginated(client, me):
    for i in range(31):
        _note(me, f"通知{i:02d}")
    client.force_login(me)
    first = client.get(reverse("notifications:inbox")).content.decode()
    second = client.get(reverse("notifications:inbox") + "?page=2").content.decode()
    assert "通知30" in first and "通知00" not in first
    assert "通知00" in second and "通知30" not in second


def test_mark_one_read_and_all_read(client, me, other):
    a, b = _note(me, "甲"), _note(me, "乙")
    theirs = _note(other, "丙")
    client.force_login(me)
    response = client.post(reverse("notifications:read", args=[a.public_id]), {"next": "/notifications/?unread=1"})
    assert response.status_code == 302 and response.url == "/notifications/?unread=1"
    a.refresh_from_db(), b.refresh_from_db()
    assert a.read_at is not None and b.read_at is None
    client.post(reverse("notifications:read_all"))
    b.refresh_from_db(), theirs.refresh_from_db()
    assert b.read_at is not None and theirs.read_at is None


def test_someone_elses_notification_is_not_found(client, me, other):
    """Opening or marking another user's notification answers 404 and changes nothing."""
    theirs = _note(other, "别人的通知")
    client.force_login(me)
    assert client.post(reverse("notifications:open", args=[theirs.public_id])).status_code == 404
    assert client.post(reverse("notifications:read", args=[theirs.public_id])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_redirect_refuses_outside_targets(client, me):
    note = _note(me, "甲")
    client.force_login(me)
    response = client.post(reverse("notifications:read", args=[note.public_id]), {"next": "https://evil.example/"})
    assert response.url == reverse("notifications:inbox")


def test_inbox_requires_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/login" in response.url


def test_preferences_page_saves_encrypted_mobile_and_email(client, me):
    client.force_login(me)
    assert client.get(reverse("notifications:preferences")).status_code == 200
    response = client.post(
        reverse("notifications:preferences"),
        {
            "email": "me@example.gov.cn",
            "mobile": "139 1234 5678",
            "email_topics": ["assignment", "deadline"],
            "sms_topics": ["escalation"],
        },
    )
    assert response.status_code == 302
    pref = Preference.objects.get(user=me)
    me.refresh_from_db()
    assert me.email == "me@example.gov.cn"
    assert (pref.email_topics, pref.sms_topics, pref.mobile_masked) == (
        ["assignment", "deadline"],
        ["escalation"],
        "139****5678",
    )
    assert "13912345678" not in pref.mobile_encrypted
    assert crypto.decrypt(pref.mobile_encrypted, purpose=services.MOBILE_PURPOSE) == "13912345678"
    record = AuditRecord.objects.get(action="notifications.preferences_updated")
    assert "13912345678" not in str(record.after) and record.after["mobile"] == "139****5678"
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "139****5678" in page and "13912345678" not in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "请输入有效的电子邮箱地址"),
        ({"mobile": "1234"}, "mobile", "手机号码应为11位数字，以13–19开头"),
        ({"email_topics": ["assignment"]}, "email", "选择了邮件通知，请填写电子邮箱"),
        ({"sms_topics": ["deadline"]}, "mobile", "选择了短信通知，请填写手机号码"),
        ({"sms_topics": ["nonsense"]}, "sms_topics", "不在可用的选项中"),
    ],
)
def test_preferences_validation_in_chinese(client, me, data, field, message):
    """Bad input re-renders the form with a Chinese message on the field and saves nothing."""
    client.force_login(me)
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert not Preference.objects.filter(user=me).exists()
    assert not AuditRecord.objects.filter(action="notifications.preferences_updated").exists()


def test_blank_mobile_keeps_the_stored_one_and_clear_removes_it(me):
    services.preferences_update(actor=me, email="", mobile="13912345678", email_topics=[], sms_topics=["deadline"])
    services.preferences_update(actor=me, email="", mobile="", email_topics=[], sms_topics=["deadline"])
    assert Preference.objects.get(user=me).mobile_masked == "139****5678"
    with pytest.raises(services.ValidationError):
        services.preferences_update(
            actor=me, email="", mobile="", clear_mobile=True, email_topics=[], sms_topics=["deadline"]
        )
    services.preferences_update(actor=me, email="", mobile="", clear_mobile=True, email_topics=[], sms_topics=[])
    pref = Preference.objects.get(user=me)
    assert (pref.mobile_encrypted, pref.mobile_masked, pref.sms_topics) == ("", "", [])


def test_security_alerts_are_offered_to_auditors_and_security_admins_only(client, me, t):
    """A grid worker is neither shown nor allowed the 安全告警 topic (service refuses it too); an auditor is."""
    client.force_login(me)
    assert 'value="security"' not in client.get(reverse("notifications:preferences")).content.decode()
    with pytest.raises(services.ValidationError):
        services.preferences_update(
            actor=me, email="me@example.gov.cn", mobile="", email_topics=["security"], sms_topics=[]
        )
    assert not Preference.objects.filter(user=me).exists()
    auditor = staff("auditor", t["district"])
    client.force_login(auditor)
    assert 'value="security"' in client.get(reverse("notifications:preferences")).content.decode()
    services.preferences_update(
        actor=auditor, email="audit@example.gov.cn", mobile="", email_topics=["security"], sms_topics=[]
    )
    assert Preference.objects.get(user=auditor).email_topics == ["security"]
