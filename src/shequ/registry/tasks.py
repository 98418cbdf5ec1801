"""Background tasks of the register: erase data whose consent was withdrawn; recover interrupted imports; expire
approved full exports not downloaded in time."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import import_tasks  # noqa: F401  (registers the import tasks with the consumer)


@db_periodic_task(crontab(minute="17"))
def erase_withdrawn_residents() -> int:
    from .services import erase_due_residents

    return erase_due_residents()


# No lock_task: runs may overlap safely (each batch is re-checked under its row lock), and a huey lock left by
# a worker killed mid-run would stop the very job that recovers from killed workers.
@db_periodic_task(crontab(minute="*"))
def recover_import_batches() -> int:
    from .import_recovery import recover_stale_batches

    return recover_stale_batches()


@db_periodic_task(crontab(minute="*/10"))
def expire_full_exports() -> int:
    from .disclosures import full_export_expire_due

    return full_export_expire_due()
