"""Background tasks of notifications: send email/SMS deliveries after commit, retry the failed ones."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task()
def send_deliveries(ids: list[int]) -> int:
    """First try of freshly planned deliveries (queued after the notifying transaction commits)."""
    from .services import DELIVERY, deliver_many

    return deliver_many(actor=DELIVERY, ids=ids)


@db_periodic_task(crontab(minute="*"))
@lock_task("notifications-retry-deliveries")
def retry_deliveries() -> int:
    from .services import DELIVERY, retry_due

    return retry_due(actor=DELIVERY)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("notifications-audit-watch")
def watch_audit_anchors() -> bool:
    """Every five minutes: the newest anchor against the database, and whether anchoring still runs."""
    from .security import watch_audit_integrity

    return watch_audit_integrity(full=False).ok


@db_periodic_task(crontab(hour="2", minute="30"))
@lock_task("notifications-audit-verify")
def verify_audit_log_nightly() -> bool:
    """Every night: the whole chain and every anchor."""
    from .security import watch_audit_integrity

    return watch_audit_integrity(full=True).ok
