"""Email and SMS deliveries: planned per preference, sent after commit, failures recorded and retried."""

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings

from shequ.accounts.tests.factories import staff
from shequ.notifications import domain, services
from shequ.notifications.models import Delivery, Notification
from shequ.notifications.sms import get_backend
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db
MOBILE = "13912345678"
TITLE = "派单：202603160001 楼道堆放杂物"
URL = "/cases/00000000-0000-0000-0000-000000000001/"


@pytest.fixture
def outbox():
    with override_settings(SHEQU_SMS_BACKEND="shequ.notifications.sms.LocmemBackend"):
        yield get_backend().outbox


@pytest.fixture
def t():
    return make_tree()


def _opted_in(t, *, email_topics=("assignment",), sms_topics=("assignment",), email="mg@example.gov.cn"):
    user = staff("micro_grid_worker", t["m111"])
    services.preferences_update(
        actor=user, email=email, mobile=MOBILE, email_topics=email_topics, sms_topics=sms_topics
    )
    return user


def _notify(t, kind="case.dispatch"):
    return services.notify_area(area=t["m111"], roles=["micro_grid_worker"], kind=kind, title=TITLE, url=URL)


def test_opted_in_user_gets_email_and_sms_after_commit(t, outbox, django_capture_on_commit_callbacks):
    """Both channels are sent once the notifying transaction commits; texts hold the title and link only."""
    user = _opted_in(t)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert _notify(t) == 1
        assert mail.outbox == [] and outbox == []  # nothing leaves before commit
    assert len(callbacks) >= 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.subject, message.to, message.from_email) == (TITLE, ["mg@example.gov.cn"], "shequ@localhost")
    assert URL in message.body
    assert outbox == [(MOBILE, f"{TITLE} {URL}")]
    deliveries = Delivery.objects.filter(notification__recipient=user).order_by("channel")
    assert [(d.channel, d.status, d.attempts, d.last_error) for d in deliveries] == [
        ("email", "sent", 1, ""),
        ("sms", "sent", 1, ""),
    ]
    assert all(d.sent_at is not None for d in deliveries)


@override_settings(SHEQU_SITE_URL="https://shequ.example.gov.cn/")
def test_links_carry_the_site_url_when_configured(t, outbox, django_capture_on_commit_callbacks):
    _opted_in(t)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(t)
    assert outbox == [(MOBILE, f"{TITLE} https://shequ.example.gov.cn{URL}")]
    assert f"https://shequ.example.gov.cn{URL}" in mail.outbox[0].body


def test_other_topics_and_users_without_preferences_stay_in_app(t, outbox, django_capture_on_commit_callbacks):
    """Resolution notices are not sent to someone who chose assignments only; nobody opted in: in-app only."""
    _opted_in(t, email_topics=("assignment",), sms_topics=())
    plain = staff("micro_grid_worker", t["m111"])
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(t, kind="case.resolved") == 2
    assert mail.outbox == [] and outbox == []
    assert Delivery.objects.count() == 0
    assert Notification.objects.filter(recipient=plain).count() == 1


def test_unknown_kind_is_in_app_only(t, outbox, django_capture_on_commit_callbacks):
    offered = [topic.value for topic in domain.topics_offered(frozenset())]  # every topic but security alerts
    _opted_in(t, email_topics=offered, sms_topics=offered)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(t, kind="system.notice")
    assert Delivery.objects.count() == 0 and mail.outbox == [] and outbox == []


class FailingBackend:
    calls = 0

    def send(self, mobile: str, text: str) -> None:
        FailingBackend.calls += 1
        raise ConnectionError(f"gateway refused {mobile}")


def test_failure_is_recorded_without_personal_data_and_retried(t, clock, outbox, django_capture_on_commit_callbacks):
    """A failing SMS keeps the inbox entry and the sent email; it is retried on schedule, then succeeds."""
    user = _opted_in(t)
    FailingBackend.calls = 0
    with override_settings(SHEQU_SMS_BACKEND=f"{__name__}.FailingBackend"):
        with django_capture_on_commit_callbacks(execute=True):
            _notify(t)
        sms = Delivery.objects.get(channel="sms")
        assert (sms.status, sms.attempts, sms.last_error) == ("pending", 1, "ConnectionError")
        assert MOBILE not in sms.last_error
        assert sms.next_attempt_at == clock.now + dt.timedelta(minutes=1)
        assert Delivery.objects.get(channel="email").status == "sent"
        assert Notification.objects.filter(recipient=user).count() == 1
        assert services.retry_due(actor=services.DELIVERY) == 0  # not due yet: nothing tried
        assert FailingBackend.calls == 1
        clock.advance(minutes=1)
        assert services.retry_due(actor=services.DELIVERY) == 0
        sms.refresh_from_db()
        assert (sms.status, sms.attempts) == ("pending", 2)
        assert sms.next_attempt_at == clock.now + dt.timedelta(minutes=5)
    clock.advance(minutes=5)
    with override_settings(SHEQU_SMS_BACKEND="shequ.notifications.sms.LocmemBackend"):
        assert services.retry_due(actor=services.DELIVERY) == 1
        assert get_backend().outbox == [(MOBILE, f"{TITLE} {URL}")]
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == ("sent", 3, "")
    assert len(mail.outbox) == 1  # the email was not sent again


def test_retries_are_bounded(t, clock, django_capture_on_commit_callbacks):
    """After MAX_ATTEMPTS failed tries the delivery is failed and never tried again."""
    _opted_in(t, email_topics=())
    FailingBackend.calls = 0
    with override_settings(SHEQU_SMS_BACKEND=f"{__name__}.FailingBackend"):
        with django_capture_on_commit_callbacks(execute=True):
            _notify(t)
        for _ in range(10):
            clock.advance(hours=2)
            services.retry_due(actor=services.DELIVERY)
    sms = Delivery.objects.get(channel="sms")
    assert (sms.status, sms.attempts, FailingBackend.calls) == ("failed", domain.MAX_ATTEMPTS, domain.MAX_ATTEMPTS)
    assert Notification.objects.count() == 1


def test_a_claimed_delivery_is_not_sent_twice(t, outbox, django_capture_on_commit_callbacks):
    """`deliver` on an already sent delivery does nothing (the worker and the sweep may both pick it up)."""
    _opted_in(t, email_topics=())
    with django_capture_on_commit_callbacks(execute=True):
        _notify(t)
    sms = Delivery.objects.get(channel="sms")
    assert services.deliver(actor=services.DELIVERY, delivery_id=sms.pk) == ""
    assert len(outbox) == 1


def test_email_address_removed_before_sending_fails_without_address(t, clock):
    """The address is read at send time; with none left the try fails as NoAddress (no data recorded)."""
    user = _opted_in(t, sms_topics=())
    _notify(t)  # on_commit not run: the delivery waits for the sweep
    user.email = ""
    user.save(update_fields=["email"])
    assert services.retry_due(actor=services.DELIVERY) == 0
    email = Delivery.objects.get(channel="email")
    assert (email.status, email.last_error) == ("pending", "NoAddress")


def test_dedupe_key_notifies_each_recipient_once(t):
    staff("micro_grid_worker", t["m111"])
    kwargs = {"area": t["m111"], "roles": ["micro_grid_worker"], "kind": "case.deadline", "title": TITLE}
    assert services.notify_area(**kwargs, dedupe_key="k1") == 1
    assert services.notify_area(**kwargs, dedupe_key="k1") == 0
    assert services.notify_area(**kwargs, dedupe_key="k2") == 1
    assert Notification.objects.count() == 2


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [(1, dt.timedelta(minutes=1)), (2, dt.timedelta(minutes=5)), (4, dt.timedelta(hours=1)), (5, None), (6, None)],
)
def test_retry_schedule(attempts, wait):
    assert domain.next_attempt_after(attempts) == wait


def test_notify_users_skips_inactive_and_duplicate_users(t):
    active = staff("micro_grid_worker", t["m111"])
    gone = staff("micro_grid_worker", t["m111"], is_active=False)
    assert services.notify_users(users=[active, active, gone], kind="case.request", title=TITLE) == 1
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [active.pk]


def test_sending_is_for_jobs_not_people(t, outbox):
    """A staff member, even a system admin, or a visitor cannot drive the sending: nothing is claimed or sent."""
    from shequ.core.errors import PermissionDenied

    _opted_in(t, email_topics=())
    _notify(t)  # on_commit not run: the delivery waits for the sweep
    sms = Delivery.objects.get(channel="sms")
    for actor in (staff("system_admin", t["district"]), None):
        with pytest.raises(PermissionDenied):
            services.retry_due(actor=actor)
        with pytest.raises(PermissionDenied):
            services.deliver(actor=actor, delivery_id=sms.pk)
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, outbox) == ("pending", 0, [])
    assert services.retry_due(actor=services.DELIVERY) == 1


def test_marking_read_touches_only_the_actors_own_notifications(t):
    """`mark_read` marks the actor's own inbox; a job has no inbox to mark."""
    from shequ.core.actors import SYSTEM
    from shequ.core.errors import PermissionDenied

    me = staff("micro_grid_worker", t["m111"])
    other = staff("micro_grid_worker", t["m111"])
    _notify(t)
    with pytest.raises(PermissionDenied):
        services.mark_read(actor=SYSTEM)
    assert services.mark_read(actor=me) == 1
    assert Notification.objects.get(recipient=other).read_at is None
