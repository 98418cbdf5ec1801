"""Deliver notifications: the inbox entry always, email and SMS for the topics each recipient opted into.

Sending happens in the worker after commit (task `notifications.tasks.send_deliveries`); a delivery that
fails is tried again by the sweep `notifications.tasks.retry_deliveries` until MAX_ATTEMPTS (see domain).
Both act as the system job `DELIVERY`.

`notify_users` and `notify_area` take no actor: they are the inbox side of another service's write (a case
dispatched, an export approved), called inside that service's transaction after it required its own action.
"""

import logging
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core import audit, crypto
from shequ.core.actors import system_job
from shequ.core.errors import ValidationError
from shequ.core.masking import mask_mobile
from shequ.core.permissions import require, write_service
from shequ.core.scoping import scope_of
from shequ.core.validators import validate_mobile

from . import domain
from . import permissions as _permissions  # noqa: F401  (registers the notifications.* actions)
from .domain import Channel, DeliveryStatus
from .models import Delivery, Notification, Preference
from .sms import get_backend

logger = logging.getLogger(__name__)

MOBILE_PURPOSE = "notifications.preference.mobile"

# The worker sending email and SMS (first tries after commit, and the retry sweep).
DELIVERY = system_job("notifications.delivery", gettext_lazy("通知发送"))


def register_columns() -> None:
    """Tell key rotation which column holds ciphertext."""
    crypto.register_column(crypto.EncryptedColumn("notifications.Preference", "mobile_encrypted", MOBILE_PURPOSE))


def notify_area(*, area: Any, roles: Iterable[str], kind: str, title: str, url: str = "", dedupe_key: str = "") -> int:
    """Notify every active user holding one of `roles` exactly at `area` (see `notify_users`); returns the count."""
    from shequ.accounts.selectors import users_assigned_at

    return notify_users(users=users_assigned_at(area, roles), kind=kind, title=title, url=url, dedupe_key=dedupe_key)


def notify_users(*, users: Iterable[Any], kind: str, title: str, url: str = "", dedupe_key: str = "") -> int:
    """Create an inbox entry for each of `users` (inactive ones skipped); returns the number created.

    Titles must not contain personal information (they are shown in lists and sent by email/SMS); link to the
    object instead. With a `dedupe_key`, a user who already has a notification with that key gets no second
    one (enforced by a unique constraint, so concurrent senders cannot double up). Side effects: a Delivery
    per channel the recipient opted into for the kind's topic; sending is queued after commit.
    """
    users = list({u.pk: u for u in users if u.is_active}.values())
    title, url = title[:200], url[:300]
    if dedupe_key:
        already = set(
            Notification.objects.filter(recipient__in=users, dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
        notes = []
        for user in users:
            if user.pk in already:
                continue
            try:
                with transaction.atomic():
                    notes.append(
                        Notification.objects.create(
                            recipient=user, kind=kind, title=title, url=url, dedupe_key=dedupe_key
                        )
                    )
            except IntegrityError:
                continue  # a concurrent sender created it first
    else:
        notes = Notification.objects.bulk_create(
            [Notification(recipient=u, kind=kind, title=title, url=url) for u in users]
        )
    _plan_deliveries(notes, users)
    return len(notes)


def _plan_deliveries(notes: list[Notification], users: list[Any]) -> None:
    topic = domain.topic_of(notes[0].kind) if notes else None
    if topic is None:
        return
    prefs = {p.user_id: p for p in Preference.objects.filter(user__in=users)}
    users_by_id = {u.pk: u for u in users}
    planned = []
    now = timezone.now()
    for note in notes:
        pref = prefs.get(note.recipient_id)
        if pref is None:
            continue
        if topic.value in pref.email_topics and users_by_id[note.recipient_id].email:
            planned.append(
                Delivery(notification=note, channel=Channel.EMAIL.value, created_at=now, next_attempt_at=now)
            )
        if topic.value in pref.sms_topics and pref.mobile_encrypted:
            planned.append(Delivery(notification=note, channel=Channel.SMS.value, created_at=now, next_attempt_at=now))
    if planned:
        created = Delivery.objects.bulk_create(planned)
        transaction.on_commit(partial(_queue, [d.pk for d in created]))


def _queue(ids: list[int]) -> None:
    # The task acts as DELIVERY; only ids travel through the queue.
    from .tasks import send_deliveries

    try:
        send_deliveries(ids)
    except Exception:  # noqa: BLE001 - the queue is down: the retry sweep sends them later
        logger.warning("could not queue %d notification deliveries; the retry sweep will send them", len(ids))


@write_service("notifications.send")
def deliver(*, actor: Any, delivery_id: int) -> str:
    """Try one delivery once, if it is pending and due; return its status afterwards ("" if not claimed).

    `actor` is the sending job (`DELIVERY`).
    Claims the delivery with a conditional update (attempts + 1, next try pushed by a lease), so two workers
    never send the same message at once; sends outside any transaction; records the outcome. A failure keeps
    only the exception class name (gateway text may quote the address) and schedules the next try, or marks
    the delivery failed after the last one.
    """
    require(actor, "notifications.send")
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING.value, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + domain.CLAIM_LEASE)
    if not claimed:
        return ""
    d = Delivery.objects.select_related("notification", "notification__recipient").get(pk=delivery_id)
    try:
        _send(d)
    except Exception as exc:  # noqa: BLE001 - any channel error is recorded and retried
        name = type(exc).__name__[:100]
        wait = domain.next_attempt_after(d.attempts)
        logger.warning("notification delivery %s over %s failed (try %d): %s", d.pk, d.channel, d.attempts, name)
        Delivery.objects.filter(pk=d.pk).update(
            last_error=name,
            status=DeliveryStatus.FAILED.value if wait is None else DeliveryStatus.PENDING.value,
            next_attempt_at=timezone.now() + (wait or domain.CLAIM_LEASE),
        )
        return DeliveryStatus.FAILED.value if wait is None else DeliveryStatus.PENDING.value
    Delivery.objects.filter(pk=d.pk).update(status=DeliveryStatus.SENT.value, sent_at=timezone.now(), last_error="")
    return DeliveryStatus.SENT.value


class NoAddress(Exception):
    """The recipient has no email address or mobile any more (recorded as the delivery's error)."""


def _send(d: Delivery) -> None:
    note = d.notification
    url = domain.link(getattr(settings, "SHEQU_SITE_URL", ""), note.url)
    if d.channel == Channel.EMAIL:
        address = note.recipient.email
        if not address:
            raise NoAddress()
        send_mail(note.title, domain.email_body(note.title, url), None, [address], fail_silently=False)
    elif d.channel == Channel.SMS:
        pref = Preference.objects.filter(user_id=note.recipient_id).first()
        mobile = crypto.decrypt(pref.mobile_encrypted, purpose=MOBILE_PURPOSE) if pref else ""
        if not mobile:
            raise NoAddress()
        get_backend().send(mobile, domain.sms_text(note.title, url))
    else:
        raise ValueError(f"unknown channel {d.channel!r}")


@write_service("notifications.send")
def deliver_many(*, actor: Any, ids: Iterable[int]) -> int:
    """Try each delivery (see `deliver`); return how many were sent."""
    require(actor, "notifications.send")
    return sum(deliver(actor=actor, delivery_id=i) == DeliveryStatus.SENT.value for i in ids)


@write_service("notifications.send")
def retry_due(*, actor: Any, now: Any = None, batch_size: int = 200) -> int:
    """Try every pending delivery whose next try is due (first tries the queue lost, retries); return sent count."""
    require(actor, "notifications.send")
    now = now or timezone.now()
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING.value, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    return deliver_many(actor=actor, ids=ids)


BULK_RETRY_LIMIT = 200


@write_service("notifications.retry_delivery")
def deliveries_retry(*, actor: Any, delivery_ids: Sequence[int]) -> list[int]:
    """Send failed deliveries again: each gets one more try, now, on the worker; return the ids retried.

    Requires `notifications.retry_delivery`; at most BULK_RETRY_LIMIT ids (ValidationError beyond). Locks the
    rows and retries only those still failed (one sent or retried meanwhile is skipped): status back to
    pending, due now, attempts kept, so a try that fails again marks it failed at once (see `deliver`) and the
    operator decides again. Audited per delivery as "notifications.delivery_retried" (status, attempts and
    error before; no address). After commit the ids are queued like fresh deliveries (task `send_deliveries`);
    when the queue is down the retry sweep sends them.
    """
    require(actor, "notifications.retry_delivery")
    ids = sorted({int(i) for i in delivery_ids})
    if len(ids) > BULK_RETRY_LIMIT:
        raise ValidationError(_("每次最多重新发送 %(max)d 条") % {"max": BULK_RETRY_LIMIT})
    if not ids:
        return []
    failed = DeliveryStatus.FAILED.value
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update()
            .filter(pk__in=ids, status=failed)
            .order_by("pk")
            .values("pk", "channel", "attempts", "last_error")
        )
        retried = [r["pk"] for r in rows]
        if not retried:
            return []
        Delivery.objects.filter(pk__in=retried, status=failed).update(
            status=DeliveryStatus.PENDING.value, next_attempt_at=timezone.now()
        )
        labels = dict(Delivery.objects.filter(pk__in=retried).values_list("pk", "notification__recipient__username"))
        audit.record_many(
            [
                audit.Entry(
                    actor=actor,
                    action="notifications.delivery_retried",
                    object_type="notifications.delivery",
                    object_id=str(r["pk"]),
                    object_label=f"{r['channel']} → {labels.get(r['pk'], '')}",
                    before={"status": failed, "attempts": r["attempts"], "last_error": r["last_error"]},
                    after={"status": DeliveryStatus.PENDING.value, "batch": len(retried)},
                )
                for r in rows
            ]
        )
        transaction.on_commit(partial(_queue, retried))
    return retried


@write_service("notifications.retry_delivery")
def delivery_retry(*, actor: Any, delivery_id: int) -> None:
    """Send one failed delivery again (see `deliveries_retry`); ValidationError when it is no longer failed."""
    require(actor, "notifications.retry_delivery")
    if not deliveries_retry(actor=actor, delivery_ids=[delivery_id]):
        raise ValidationError(_("这条记录已不是“发送失败”状态，无需重新发送"))


@write_service("notifications.manage_own")
def mark_read(*, actor: Any, public_ids: list[str] | None = None) -> int:
    """Mark the actor's own notifications read (all when no ids are given)."""
    require(actor, "notifications.manage_own")
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if public_ids is not None:
        qs = qs.filter(public_id__in=public_ids)
    with transaction.atomic():
        return qs.update(read_at=timezone.now())


def preference_of(user: Any) -> Preference:
    """The user's delivery preferences (unsaved defaults, in-app only, if never set)."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


@write_service("notifications.manage_own")
def preferences_update(
    *,
    actor: Any,
    email: str,
    mobile: str,
    clear_mobile: bool = False,
    email_topics: Iterable[str],
    sms_topics: Iterable[str],
) -> Preference:
    """Set the actor's own email address, SMS mobile and the topics sent by email and by SMS.

    A blank `mobile` keeps the stored one unless `clear_mobile`. Raises ValidationError per field: malformed
    address or number, unknown topic or one the actor is not offered (security alerts are for auditors and
    security admins), a channel chosen without its address. The mobile is stored encrypted
    with a masked copy. Audited as "notifications.preferences_updated" (masked number, no address).
    """
    require(actor, "notifications.manage_own")
    errors: dict[str, list[str]] = {}
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("请输入有效的电子邮箱地址，例如 name@example.gov.cn")]
    number = ""
    if (mobile or "").strip():
        try:
            number = validate_mobile(mobile)
        except ValidationError as exc:
            errors["mobile"] = [str(m) for m in exc.messages]
    valid = {t.value for t in domain.topics_offered(scope_of(actor).roles)}
    chosen = {"email_topics": sorted(set(email_topics)), "sms_topics": sorted(set(sms_topics))}
    for field, topics in chosen.items():
        if set(topics) - valid:
            errors.setdefault(field, []).append(_("通知类别无效"))
    with transaction.atomic():
        pref = Preference.objects.select_for_update().filter(user=actor).first() or Preference(user=actor)
        has_mobile = bool(number) or (bool(pref.mobile_encrypted) and not clear_mobile)
        if chosen["email_topics"] and not email and "email" not in errors:
            errors["email"] = [_("选择了邮件通知，请填写电子邮箱")]
        if chosen["sms_topics"] and not has_mobile and "mobile" not in errors:
            errors["mobile"] = [_("选择了短信通知，请填写手机号码")]
        if errors:
            raise ValidationError(errors)
        before = {
            "email_set": bool(actor.email),
            "mobile": pref.mobile_masked,
            "email_topics": pref.email_topics,
            "sms_topics": pref.sms_topics,
        }
        if number:
            pref.mobile_encrypted = crypto.encrypt(number, purpose=MOBILE_PURPOSE)
            pref.mobile_masked = mask_mobile(number)
        elif clear_mobile:
            pref.mobile_encrypted, pref.mobile_masked = "", ""
        pref.email_topics, pref.sms_topics = chosen["email_topics"], chosen["sms_topics"]
        pref.save()
        if actor.email != email:
            actor.email = email
            actor.save(update_fields=["email"])
        audit.record(
            actor=actor,
            action="notifications.preferences_updated",
            obj=actor,
            before=before,
            after={
                "email_set": bool(email),
                "mobile": pref.mobile_masked,
                "email_topics": pref.email_topics,
                "sms_topics": pref.sms_topics,
            },
        )
    return pref
