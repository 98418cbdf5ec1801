"""Background tasks of the core: keep the audit chain sealed and anchored outside the database."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task()
@lock_task("audit-seal")
def seal_audit_log() -> int:
    from .audit import seal_pending

    return seal_pending()


@db_periodic_task(crontab(minute="*"))
def seal_and_anchor_audit_log() -> int:
    """Every minute: seal pending rows, then append the chain's head to the anchor file."""
    from .audit_anchor import append_anchor

    return append_anchor().seq
