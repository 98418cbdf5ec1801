"""Background tasks of the register: erase data whose consent was withdrawn."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import import_tasks  # noqa: F401  (registers the import tasks with the consumer)


@db_periodic_task(crontab(minute="17"))
def erase_withdrawn_residents() -> int:
    from .services import erase_due_residents

    return erase_due_residents()
