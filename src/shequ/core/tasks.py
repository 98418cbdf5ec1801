"""Background tasks of the core: keep the audit chain sealed."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task()
@lock_task("audit-seal")
def seal_audit_log() -> int:
    from .audit import seal_pending

    return seal_pending()


@db_periodic_task(crontab(minute="*"))
def seal_audit_log_periodically() -> int:
    from .audit import seal_pending

    return seal_pending()
