"""Background task of analysis: the stored warnings are recomputed every half hour in the worker."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="*/30"))
@lock_task("analysis-recompute-warnings")
def recompute_warnings() -> int:
    """Score every open case and update the stored warnings; returns the number of warnings reopened."""
    from .permissions import RECOMPUTE_JOB
    from .services import warnings_recompute

    return warnings_recompute(actor=RECOMPUTE_JOB).reopened
