"""Background tasks of cases: the escalation sweep runs every five minutes in the worker."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="*/5"))
@lock_task("cases-escalation-sweep")
def escalation_sweep() -> int:
    from .sweep import escalate_overdue

    return escalate_overdue()


@db_periodic_task(crontab(minute="*/15"))
@lock_task("cases-deadline-reminders")
def deadline_reminders() -> int:
    from .reminders import send_deadline_reminders

    return send_deadline_reminders()
