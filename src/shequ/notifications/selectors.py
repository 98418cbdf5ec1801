"""Reads of notifications: the user's own inbox; for system admins, the email/SMS deliveries to watch."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import NotFound
from shequ.core.masking import mask_email, mask_text
from shequ.core.permissions import can

from .domain import Channel, DeliveryStatus
from .models import Delivery, Notification


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first, with their email/SMS deliveries."""
    qs = Notification.objects.filter(recipient=user).prefetch_related(
        Prefetch("deliveries", queryset=Delivery.objects.order_by("channel"))
    )
    return qs.filter(read_at__isnull=True) if unread_only else qs


def get_notification_for(user: Any, public_id: Any) -> Notification:
    """One of the user's own notifications; NotFound for a missing id and for anyone else's alike."""
    note = Notification.objects.filter(recipient=user, public_id=public_id).first()
    if note is None:
        raise NotFound()
    return note


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --- delivery operations (system admins) -------------------------------------------------------------------

# A pending delivery whose due try has not been made for this long is stuck: the retry sweep runs every minute
# and a crashed worker's claim lapses after domain.CLAIM_LEASE, so only a stopped worker or queue leaves it there.
STALE_AFTER = datetime.timedelta(minutes=15)


class DeliveryView(StrEnum):
    """The status tabs of the delivery page; ATTENTION (failed or stuck) is the default."""

    ATTENTION = "attention"
    FAILED = "failed"
    STALE = "stale"
    PENDING = "pending"
    SENT = "sent"
    ALL = "all"


@dataclass(frozen=True)
class DeliveryFilter:
    """What the delivery page shows: a status tab, a channel, creation days (inclusive), a recipient's name."""

    view: DeliveryView = DeliveryView.ATTENTION
    channel: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    recipient: str = ""


# Known failure classes (the delivery keeps only the class name, see domain) and what they usually mean.
ERROR_HINTS = {
    "NoAddress": _("收件人已没有电子邮箱或手机号码"),
    "ConnectionError": _("无法连接短信网关或邮件服务器"),
    "ConnectionRefusedError": _("无法连接短信网关或邮件服务器"),
    "TimeoutError": _("连接短信网关或邮件服务器超时"),
    "SMTPConnectError": _("无法连接邮件服务器"),
    "SMTPServerDisconnected": _("邮件服务器断开了连接"),
    "SMTPAuthenticationError": _("邮件服务器认证失败，请检查发信账号配置"),
    "SMTPRecipientsRefused": _("邮件服务器拒收该收件地址"),
    "SMTPSenderRefused": _("邮件服务器拒绝了发件地址"),
    "ImportError": _("短信网关配置有误"),
    "TypeError": _("短信网关配置有误"),
}


@dataclass(frozen=True)
class DeliveryRow:
    """One line of the delivery page: the record, who it was for, their current address masked, the state."""

    delivery: Delivery
    recipient_name: str
    address_masked: str
    stale: bool
    error_hint: str


def require_deliveries_access(actor: Any) -> None:
    """NotFound unless the actor may view deliveries: the pages answer like missing ones to everyone else."""
    if not can(actor, "notifications.view_deliveries"):
        raise NotFound()


def _stale_q(now: datetime.datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING.value, next_attempt_at__lt=now - STALE_AFTER)


def _view_q(view: DeliveryView, now: datetime.datetime) -> Q:
    failed = Q(status=DeliveryStatus.FAILED.value)
    return {
        DeliveryView.ATTENTION: failed | _stale_q(now),
        DeliveryView.FAILED: failed,
        DeliveryView.STALE: _stale_q(now),
        DeliveryView.PENDING: Q(status=DeliveryStatus.PENDING.value),
        DeliveryView.SENT: Q(status=DeliveryStatus.SENT.value),
        DeliveryView.ALL: Q(),
    }[view]


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filtered(f: DeliveryFilter) -> QuerySet[Delivery]:
    """Deliveries matching every criterion but the status tab."""
    qs = Delivery.objects.all()
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.since:
        qs = qs.filter(created_at__gte=_day_start(f.since))
    if f.until:
        qs = qs.filter(created_at__lt=_day_start(f.until + datetime.timedelta(days=1)))
    name = f.recipient.strip()
    if name:
        # By name only: an address is never a search key here (it is not even stored with the delivery).
        qs = qs.filter(
            Q(notification__recipient__display_name__icontains=name)
            | Q(notification__recipient__username__icontains=name)
        )
    return qs


def deliveries_for(actor: Any, f: DeliveryFilter, *, now: datetime.datetime | None = None) -> QuerySet[Delivery]:
    """Email/SMS deliveries matching `f`, newest first, for the delivery page; NotFound unless the actor may view."""
    require_deliveries_access(actor)
    now = now or timezone.now()
    return (
        _filtered(f)
        .filter(_view_q(f.view, now))
        .select_related("notification", "notification__recipient", "notification__recipient__notification_preference")
        .order_by("-created_at", "-id")
    )


def delivery_counts(actor: Any, f: DeliveryFilter, *, now: datetime.datetime | None = None) -> dict[str, int]:
    """How many deliveries matching `f` (status tab aside) are in each tab, in one query."""
    require_deliveries_access(actor)
    now = now or timezone.now()
    counts = _filtered(f).aggregate(
        **{view.value: Count("pk", filter=_view_q(view, now)) for view in DeliveryView if view != DeliveryView.ALL},
        all=Count("pk"),
    )
    return {view.value: counts[view.value] for view in DeliveryView}


def get_delivery_for(actor: Any, delivery_id: int) -> Delivery:
    """One delivery with its notification and recipient; NotFound when missing or when the actor may not view."""
    require_deliveries_access(actor)
    delivery = (
        Delivery.objects.select_related(
            "notification", "notification__recipient", "notification__recipient__notification_preference"
        )
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        raise NotFound()
    return delivery


def failed_for_retry(actor: Any, f: DeliveryFilter, *, limit: int) -> tuple[list[Delivery], int]:
    """The failed deliveries matching `f` (status tab aside), newest first, at most `limit`; and how many match."""
    qs = deliveries_for(actor, replace(f, view=DeliveryView.FAILED))
    return list(qs[:limit]), qs.count()


def _address_masked(delivery: Delivery) -> str:
    """The recipient's current address for the delivery's channel, masked ("" when there is none)."""
    user = delivery.notification.recipient
    if delivery.channel == Channel.EMAIL:
        return mask_email(user.email or "")
    pref = getattr(user, "notification_preference", None)  # the reverse one-to-one raises when absent
    masked = pref.mobile_masked if pref is not None else ""
    return mask_text(masked)  # stored masked already; mask again in case a clear number ever lands there


def delivery_rows(deliveries: Iterable[Delivery], *, now: datetime.datetime | None = None) -> list[DeliveryRow]:
    """Lines for the delivery page: names and masked addresses only, never a full number or address."""
    now = now or timezone.now()
    rows = []
    for d in deliveries:
        user = d.notification.recipient
        rows.append(
            DeliveryRow(
                delivery=d,
                recipient_name=user.display_name or user.username,
                address_masked=_address_masked(d),
                stale=d.status == DeliveryStatus.PENDING and d.next_attempt_at < now - STALE_AFTER,
                error_hint=str(ERROR_HINTS.get(d.last_error, "")),
            )
        )
    return rows
