"""Deliver notifications to the staff of a unit (the users assigned exactly at that territory node)."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Notification


def notify_area(*, area: Any, roles: Iterable[str], kind: str, title: str, url: str = "") -> int:
    """Create an inbox entry for every active user holding one of `roles` exactly at `area`; returns the count.

    Titles must not contain personal information (they are shown in lists); link to the object instead.
    """
    from shequ.accounts.selectors import users_assigned_at

    users = list(users_assigned_at(area, roles))
    Notification.objects.bulk_create(
        [Notification(recipient=u, kind=kind, title=title[:200], url=url[:300]) for u in users]
    )
    return len(users)


def mark_read(*, user: Any, public_ids: list[str] | None = None) -> int:
    """Mark the user's notifications read (all when no ids are given)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if public_ids is not None:
        qs = qs.filter(public_id__in=public_ids)
    with transaction.atomic():
        return qs.update(read_at=timezone.now())
