"""Reads of notifications, always limited to the user's own inbox."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from shequ.core.errors import NotFound

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
