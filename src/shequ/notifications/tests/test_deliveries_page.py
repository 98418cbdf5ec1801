"""The delivery page for system admins: failed and stuck email/SMS deliveries, filters, counts, masked addresses,
and sending failed ones again (one, or the filtered ones in bulk) through the worker, audited."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.permissions import can
from shequ.notifications import domain, selectors, services
from shequ.notifications.models import Delivery, Notification
from shequ.notifications.sms import get_backend
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db
MOBILE = "13912345678"
EMAIL = "wang.xiaoming@example.gov.cn"
PAGE = reverse("notifications:deliveries")
BULK = reverse("notifications:deliveries_retry_failed")


@pytest.fixture
def outbox():
    with override_settings(SHEQU_SMS_BACKEND="shequ.notifications.sms.LocmemBackend"):
        yield get_backend().outbox


@pytest.fixture
def t():
    return make_tree()


@pytest.fixture
def admin(t):
    return staff("system_admin", t["district"], username="sysadmin")


@pytest.fixture
def wang(t):
    user = staff("micro_grid_worker", t["m111"], username="wxm", display_name="王小明")
    services.preferences_update(actor=user, email=EMAIL, mobile=MOBILE, email_topics=[], sms_topics=[])
    return user


@pytest.fixture
def li(t):
    return staff("micro_grid_worker", t["m211"], username="lhh", display_name="李红", email="li@example.gov.cn")


def _delivery(
    user,
    channel="sms",
    status="failed",
    *,
    title="派单：楼道堆放杂物",
    attempts=5,
    error="ConnectionError",
    created=None,
    due=None,
):
    from django.utils import timezone

    now = timezone.now()
    note = Notification.objects.create(recipient=user, kind="case.dispatch", title=title, url="/cases/x/")
    return Delivery.objects.create(
        notification=note,
        channel=channel,
        status=status,
        attempts=attempts,
        last_error=error if status != "sent" else "",
        created_at=created or now,
        next_attempt_at=due or now,
        sent_at=now if status == "sent" else None,
    )


def _page(client, query=""):
    response = client.get(PAGE + query)
    assert response.status_code == 200
    return response


# --- the list ------------------------------------------------------------------------------------------------


def test_default_view_lists_failed_and_stuck_with_counts_per_status(client, clock, admin, wang):
    """需处理 shows failed deliveries and pending ones whose due try is over 15 minutes late; counts per tab."""
    failed = _delivery(wang, title="失败的通知")
    stuck = _delivery(
        wang, "email", "pending", title="积压的通知", attempts=1, due=clock.now - dt.timedelta(minutes=16)
    )
    _delivery(wang, "sms", "pending", title="正在重试的通知", attempts=2, due=clock.now - dt.timedelta(minutes=14))
    _delivery(wang, "email", "sent", title="已发出的通知", attempts=1)
    client.force_login(admin)
    response = _page(client)
    page = response.content.decode()
    assert [row.delivery.pk for row in response.context["rows"]] == [stuck.pk, failed.pk]
    assert "失败的通知" in page and "积压的通知" in page
    assert "正在重试的通知" not in page and "已发出的通知" not in page
    assert response.context["counts"] == {"attention": 2, "failed": 1, "stale": 1, "pending": 2, "sent": 1, "all": 4}
    assert "发送失败（1）" in page and "积压未发（1）" in page and "已发送（1）" in page
    assert "ConnectionError" in page and "无法连接短信网关或邮件服务器" in page


def test_status_tabs(client, clock, admin, wang):
    _delivery(wang, title="失败的通知")
    _delivery(wang, "email", "pending", title="积压的通知", attempts=1, due=clock.now - dt.timedelta(hours=1))
    _delivery(wang, "email", "sent", title="已发出的通知", attempts=1)
    client.force_login(admin)
    titles = {
        view: [r.delivery.notification.title for r in _page(client, f"?status={view}").context["rows"]]
        for view in ("failed", "stale", "sent", "all")
    }
    assert titles == {
        "failed": ["失败的通知"],
        "stale": ["积压的通知"],
        "sent": ["已发出的通知"],
        "all": ["已发出的通知", "积压的通知", "失败的通知"],
    }


def test_addresses_are_masked_and_never_shown_in_full(client, admin, wang):
    """The recipient appears by name with the current address masked (mobile 139****5678, email w***@domain)."""
    _delivery(wang, "sms")
    _delivery(wang, "email")
    client.force_login(admin)
    page = _page(client).content.decode()
    assert "王小明" in page
    assert "139****5678" in page and "w***@example.gov.cn" in page
    assert MOBILE not in page and EMAIL not in page and "wang.xiaoming" not in page


def test_filters_channel_recipient_name_and_dates(client, clock, admin, wang, li):
    old = _delivery(wang, "sms", title="三天前的短信", created=clock.now - dt.timedelta(days=3))
    sms = _delivery(wang, "sms", title="今天的短信")
    email = _delivery(li, "email", title="李红的邮件")
    client.force_login(admin)

    def shown(query):
        return [r.delivery.pk for r in _page(client, query).context["rows"]]

    assert shown("?channel=sms") == [sms.pk, old.pk]
    assert shown("?channel=email") == [email.pk]
    assert shown("?recipient=王小") == [sms.pk, old.pk]
    assert shown("?recipient=lhh") == [email.pk]
    today = clock.now.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert shown(f"?since={today.isoformat()}") == [email.pk, sms.pk]
    assert shown(f"?until={(today - dt.timedelta(days=1)).isoformat()}") == [old.pk]
    response = _page(client, "?channel=sms&recipient=王小明")
    assert response.context["counts"]["failed"] == 2


def test_recipient_search_is_by_name_only(client, admin, wang):
    """A mobile number or email address finds nothing: addresses are not a search key."""
    _delivery(wang, "sms")
    _delivery(wang, "email")
    client.force_login(admin)
    for query in (MOBILE, "5678", EMAIL, "example.gov.cn"):
        response = _page(client, f"?recipient={query}")
        assert response.context["rows"] == [], query
        assert "没有符合条件的发送记录。" in response.content.decode()


def test_invalid_filter_values_are_ignored(client, admin, wang):
    _delivery(wang)
    client.force_login(admin)
    response = _page(client, "?status=nonsense&channel=fax&since=yesterday")
    assert len(response.context["rows"]) == 1


def test_dates_at_the_edge_of_the_calendar_are_ignored_not_a_500(client, admin, wang):
    """0001-01-01 and 9999-12-31 cannot become a time range (OverflowError before): they are dropped."""
    _delivery(wang)
    client.force_login(admin)
    response = _page(client, "?since=0001-01-01&until=9999-12-31")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 1


def test_the_list_is_paginated(client, clock, admin, wang):
    for i in range(51):
        _delivery(wang, title=f"通知{i:02d}", created=clock.now - dt.timedelta(minutes=60 - i))
    client.force_login(admin)
    first = _page(client).content.decode()
    second = _page(client, "?page=2").content.decode()
    assert "通知50" in first and "通知00" not in first
    assert "通知00" in second and "通知50" not in second
    assert "第 2 / 2 页，共 51 条" in second


def test_empty_state(client, admin, wang):
    _delivery(wang, "email", "sent", attempts=1)
    client.force_login(admin)
    page = _page(client).content.decode()
    assert "没有发送失败或积压的通知，一切正常。" in page
    assert "批量重新发送" not in page


# --- who may use it ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "area", "allowed"),
    [
        ("system_admin", "city", True),
        ("system_admin", "district", True),
        ("security_admin", "district", False),
        ("auditor", "district", False),
        ("district_officer", "district", False),
        ("community_secretary", "c1", False),
        ("micro_grid_worker", "m111", False),
    ],
)
def test_permission_table(t, role, area, allowed):
    actor = staff(role, t[area])
    assert bool(can(actor, "notifications.view_deliveries")) is allowed
    assert bool(can(actor, "notifications.retry_delivery")) is allowed


@pytest.mark.parametrize("role", ["auditor", "security_admin", "district_officer"])
def test_other_roles_get_not_found_and_change_nothing(client, t, wang, outbox, role):
    """List, confirmation pages and both retry actions answer 404 to other roles; nothing is sent or audited."""
    failed = _delivery(wang)
    client.force_login(staff(role, t["district"]))
    assert client.get(PAGE).status_code == 404
    assert client.get(reverse("notifications:delivery_retry", args=[failed.pk])).status_code == 404
    assert client.post(reverse("notifications:delivery_retry", args=[failed.pk])).status_code == 404
    assert client.get(BULK).status_code == 404
    assert client.post(BULK, {"delivery": [failed.pk]}).status_code == 404
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 5)
    assert outbox == []
    assert not AuditRecord.objects.filter(action="notifications.delivery_retried").exists()


def test_the_menu_offers_the_page_to_system_admins_only(client, t, admin):
    """The page is reached from the menu: a system admin sees the item, a security admin does not."""
    link = f'href="{PAGE}"'
    client.force_login(admin)
    assert link in client.get(reverse("notifications:inbox")).content.decode()
    client.force_login(staff("security_admin", t["district"]))
    assert link not in client.get(reverse("notifications:inbox")).content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.url


def test_service_refuses_other_roles(t, wang):
    failed = _delivery(wang)
    with pytest.raises(PermissionDenied):
        services.deliveries_retry(actor=staff("auditor", t["district"]), delivery_ids=[failed.pk])
    failed.refresh_from_db()
    assert failed.status == "failed"
    assert not AuditRecord.objects.filter(action="notifications.delivery_retried").exists()


def test_a_missing_delivery_is_not_found(client, admin):
    client.force_login(admin)
    assert client.get(reverse("notifications:delivery_retry", args=[999999])).status_code == 404


# --- sending one again ---------------------------------------------------------------------------------------


def test_retry_asks_for_confirmation_then_sends_through_the_worker(
    client, admin, wang, outbox, django_capture_on_commit_callbacks
):
    """GET only shows the confirmation; POST re-queues it (task send_deliveries), it is sent and audited."""
    failed = _delivery(wang, "sms")
    url = reverse("notifications:delivery_retry", args=[failed.pk])
    client.force_login(admin)
    confirm = client.get(url + "?next=" + PAGE + "%3Fchannel%3Dsms")
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "确认重新发送" in text and "139****5678" in text and MOBILE not in text
    failed.refresh_from_db()
    assert failed.status == "failed" and outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"next": PAGE + "?channel=sms"})
    assert response.status_code == 302 and response.url == PAGE + "?channel=sms"
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == ("sent", 6, "")
    assert outbox == [(MOBILE, "派单：楼道堆放杂物 /cases/x/")]
    record = AuditRecord.objects.get(action="notifications.delivery_retried")
    assert (record.actor_id, record.object_type, record.object_id) == (
        admin.pk,
        "notifications.delivery",
        str(failed.pk),
    )
    assert record.before == {"status": "failed", "attempts": 5, "last_error": "ConnectionError"}
    assert record.after == {"status": "pending", "batch": 1}
    assert MOBILE not in str(record.before) + str(record.after) + record.object_label


class FailingBackend:
    def send(self, mobile: str, text: str) -> None:
        raise ConnectionError(f"gateway refused {mobile}")


def test_a_retry_that_fails_again_is_failed_at_once(client, admin, wang, django_capture_on_commit_callbacks):
    """The retry is one more try: failing again leaves it failed (attempts + 1), ready for another decision."""
    failed = _delivery(wang, "sms", attempts=domain.MAX_ATTEMPTS)
    client.force_login(admin)
    with override_settings(SHEQU_SMS_BACKEND=f"{__name__}.FailingBackend"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("notifications:delivery_retry", args=[failed.pk]))
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", domain.MAX_ATTEMPTS + 1, "ConnectionError")


def test_email_retry_goes_to_the_current_address(client, admin, wang, django_capture_on_commit_callbacks):
    failed = _delivery(wang, "email", error="SMTPServerDisconnected")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notifications:delivery_retry", args=[failed.pk]))
    failed.refresh_from_db()
    assert failed.status == "sent"
    assert [m.to for m in mail.outbox] == [[EMAIL]]


def test_only_failed_deliveries_are_retried(client, admin, wang, outbox):
    """A sent (or already retried) delivery is left alone with a message; nothing is audited."""
    sent = _delivery(wang, "sms", "sent", attempts=1)
    client.force_login(admin)
    page = client.get(reverse("notifications:delivery_retry", args=[sent.pk])).content.decode()
    assert "确认重新发送" not in page and "无需重新发送" in page
    response = client.post(reverse("notifications:delivery_retry", args=[sent.pk]), follow=True)
    assert "这条记录已不是“发送失败”状态，无需重新发送" in response.content.decode()
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == ("sent", 1)
    assert outbox == []
    assert not AuditRecord.objects.filter(action="notifications.delivery_retried").exists()


def test_retry_needs_the_csrf_token(admin, wang):
    failed = _delivery(wang)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(reverse("notifications:delivery_retry", args=[failed.pk])).status_code == 403
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_queue_down_leaves_the_retry_to_the_sweep(admin, wang, outbox, monkeypatch, django_capture_on_commit_callbacks):
    """When the task queue refuses the job, the delivery stays pending and due: the retry sweep sends it."""
    from shequ.notifications import tasks

    def queue_down(ids):
        raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "send_deliveries", queue_down)  # the outside world: the queue server
    failed = _delivery(wang, "sms")
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_retry(actor=admin, delivery_id=failed.pk)
    failed.refresh_from_db()
    assert failed.status == "pending" and outbox == []
    assert services.retry_due(actor=services.DELIVERY) == 1
    failed.refresh_from_db()
    assert failed.status == "sent"


# --- bulk ----------------------------------------------------------------------------------------------------


def test_bulk_retry_confirms_the_filtered_failed_ones_then_sends_them(
    client, admin, wang, li, outbox, django_capture_on_commit_callbacks
):
    """The confirmation lists the failed deliveries matching the filters; confirming sends exactly those."""
    sms = _delivery(wang, "sms", title="王的短信")
    _delivery(li, "email", title="李的邮件")
    client.force_login(admin)
    page = _page(client, "?channel=sms").content.decode()
    assert "批量重新发送失败记录（1 条）" in page
    confirm = client.get(BULK + "?channel=sms")
    assert confirm.status_code == 200
    assert [r.delivery.pk for r in confirm.context["rows"]] == [sms.pk]
    text = confirm.content.decode()
    assert "确认重新发送 1 条" in text and "李的邮件" not in text
    assert Delivery.objects.filter(status="failed").count() == 2  # nothing written before confirming

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK, {"delivery": [sms.pk], "next": PAGE + "?channel=sms"}, follow=True)
    assert response.redirect_chain[-1][0] == PAGE + "?channel=sms"
    assert "已重新提交发送 1 条" in response.content.decode()
    assert dict(Delivery.objects.values_list("notification__title", "status")) == {
        "王的短信": "sent",
        "李的邮件": "failed",
    }
    assert outbox == [(MOBILE, "王的短信 /cases/x/")]
    assert AuditRecord.objects.filter(action="notifications.delivery_retried").count() == 1


def test_bulk_retry_skips_deliveries_no_longer_failed(client, admin, wang, django_capture_on_commit_callbacks):
    failed = _delivery(wang, "sms")
    sent = _delivery(wang, "email", "sent", attempts=1)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK, {"delivery": [failed.pk, sent.pk]}, follow=True)
    text = response.content.decode()
    assert "已重新提交发送 1 条" in text and "1 条已不是“发送失败”状态，未重新发送。" in text
    assert AuditRecord.objects.filter(action="notifications.delivery_retried").count() == 1


def test_bulk_retry_is_limited(client, admin, wang):
    """At most BULK_RETRY_LIMIT (newest first) are offered; the service refuses more, changing nothing."""
    notes = Notification.objects.bulk_create(
        [
            Notification(recipient=wang, kind="case.dispatch", title=f"通知{i}")
            for i in range(services.BULK_RETRY_LIMIT + 1)
        ]
    )
    Delivery.objects.bulk_create(
        [Delivery(notification=n, channel="sms", status="failed", attempts=5, last_error="NoAddress") for n in notes]
    )
    client.force_login(admin)
    confirm = client.get(BULK)
    assert len(confirm.context["rows"]) == services.BULK_RETRY_LIMIT
    assert confirm.context["total"] == services.BULK_RETRY_LIMIT + 1
    assert "每次最多重新发送 200 条" in confirm.content.decode()
    ids = list(Delivery.objects.values_list("pk", flat=True))
    with pytest.raises(ValidationError):
        services.deliveries_retry(actor=admin, delivery_ids=ids)
    response = client.post(BULK, {"delivery": ids}, follow=True)
    assert "每次最多重新发送 200 条" in response.content.decode()
    assert Delivery.objects.filter(status="failed").count() == services.BULK_RETRY_LIMIT + 1
    assert not AuditRecord.objects.filter(action="notifications.delivery_retried").exists()


def test_bulk_post_without_ids_changes_nothing(client, admin, wang):
    _delivery(wang)
    client.force_login(admin)
    response = client.post(BULK, {"delivery": ["x"]}, follow=True)
    assert "所选记录无效" in response.content.decode()
    response = client.post(BULK, {}, follow=True)
    assert "没有可重新发送的记录" in response.content.decode()
    assert Delivery.objects.get().status == "failed"


def test_selector_rows_hold_no_full_address(admin, wang):
    sms, email = _delivery(wang, "sms"), _delivery(wang, "email")
    rows = selectors.delivery_rows(selectors.deliveries_for(admin, selectors.DeliveryFilter()))
    assert {(r.delivery.pk, r.recipient_name, r.address_masked) for r in rows} == {
        (sms.pk, "王小明", "139****5678"),
        (email.pk, "王小明", "w***@example.gov.cn"),
    }
