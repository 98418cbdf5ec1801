"""Where a published resolution goes next: functions registered here run inside `resolution_publish`'s transaction.

The integrator connects public notices (公示) with `register_publisher(fn)`; `fn(actor=..., resolution=...)` is
called after `published_at` is stamped. With nothing registered, publication is recorded in deliberation only.
"""

from collections.abc import Callable
from typing import Any

Publisher = Callable[..., None]
_PUBLISHERS: list[Publisher] = []


def register_publisher(fn: Publisher) -> None:
    if fn not in _PUBLISHERS:
        _PUBLISHERS.append(fn)


def publishers() -> tuple[Publisher, ...]:
    return tuple(_PUBLISHERS)


def publish_as_notice(*, actor: Any, resolution: Any) -> None:
    """Publish the resolution as a public notice (公示) to the residents of the body's community or compound, for
    at least a week (or the notice minimum), starting today; objections go through the notice."""
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.translation import gettext as _

    from shequ.notices import services as notices

    body = resolution.meeting.body
    today = timezone.localdate()
    days = max(7, notices.min_days())
    text = "\n\n".join(part for part in (resolution.text, resolution.explanation) if part)
    notices.notice_publish(
        actor=actor,
        area=body.area,
        compound=body.compound,
        kind="resolution",
        title=_("%(body)s决议：%(title)s") % {"body": body.name, "title": resolution.title},
        body=text,
        starts_on=today,
        ends_on=today + timedelta(days=days - 1),
        source_type="deliberation.resolution",
        source_id=str(resolution.public_id),
    )
