"""Background tasks of the resident portal: send login SMS, forget old login codes."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, task


@task(retries=2, retry_delay=10)  # no database work: no connection handling needed
def send_sms(payload: str) -> None:
    """Send one login SMS; `payload` is the encrypted number and text (see services.request_code)."""
    from .services import deliver_sms

    deliver_sms(payload)


@db_periodic_task(crontab(minute="41"))
def purge_login_codes_hourly() -> int:
    from .services import CODE_PURGE, purge_login_codes

    return purge_login_codes(actor=CODE_PURGE)
