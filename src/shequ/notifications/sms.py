"""Sending text messages (residents' login codes, staff notifications) through a pluggable backend.

`settings.SHEQU_SMS_BACKEND` names the backend class by dotted path; `get_backend()` returns one instance of
it per process (a new one whenever a test overrides the setting).

Backends shipped here:

- `ConsoleBackend` (the default, for development): logs ``SMS to 138****5678: <text>`` to the
  ``shequ.notifications.sms`` logger (``shequ.portal.sms`` for the portal's subclass), so the message shows
  in the `runserver`/`shequ serve` console. The number is masked: personal information never reaches a
  log. The text (a login code, or a notification title with a link) may: it holds no personal information.
- `LocmemBackend` (tests): keeps every message in `outbox` as ``(mobile, text)`` and sends nothing.

Plugging in a real gateway (e.g. Aliyun SMS, Tencent Cloud SMS, or a government SMS platform): write a class
with a method ``send(self, mobile: str, text: str) -> None`` whose constructor takes no arguments (read
credentials from settings or the environment there), and point the setting at it::

    # myproject/sms_gateway.py
    class AliyunBackend:
        def __init__(self) -> None:
            self.client = make_client(os.environ["ALIYUN_SMS_KEY"], ...)

        def send(self, mobile: str, text: str) -> None:
            response = self.client.send(phone=mobile, sign_name=..., template_code=..., params=...)
            if not response.ok:
                raise RuntimeError(f"gateway refused: {response.code}")  # never put the number in it

    SHEQU_SMS_BACKEND=myproject.sms_gateway.AliyunBackend  (environment variable)

`send` must raise on failure and must not log the clear number itself. The callers (`portal.tasks`,
`notifications.services.deliver`) record failures with the number masked (or not at all) and retry.
Gateways that only accept templates receive the code via the text; parse it there or add a dedicated
method in your backend.
"""

import logging
import threading
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from shequ.core.masking import mask_mobile

logger = logging.getLogger(__name__)


@runtime_checkable
class SmsBackend(Protocol):
    """What the platform needs from an SMS gateway: deliver `text` to the 11-digit mainland `mobile`."""

    def send(self, mobile: str, text: str) -> None: ...


class ConsoleBackend:
    """Development backend: writes the message to the log with the number masked."""

    logger: logging.Logger = logging.getLogger(__name__)

    def send(self, mobile: str, text: str) -> None:
        self.logger.info("SMS to %s: %s", mask_mobile(mobile), text)


class LocmemBackend:
    """Test backend: remembers every message in `outbox` (a list of (mobile, text)) and sends nothing."""

    def __init__(self) -> None:
        self.outbox: list[tuple[str, str]] = []

    def send(self, mobile: str, text: str) -> None:
        self.outbox.append((mobile, text))


_lock = threading.Lock()
_backends: dict[str, SmsBackend] = {}


def get_backend() -> SmsBackend:
    """The configured backend instance (created on first use and then reused)."""
    path = settings.SHEQU_SMS_BACKEND
    backend = _backends.get(path)
    if backend is None:
        with _lock:
            backend = _backends.get(path)
            if backend is None:
                backend = import_string(path)()
                if not isinstance(backend, SmsBackend):
                    raise TypeError(f"{path} has no send(mobile, text) method")
                _backends[path] = backend
    return backend


@receiver(setting_changed)
def _forget_backends(*, setting: str, **kwargs: object) -> None:
    # override_settings(SHEQU_SMS_BACKEND=...) gives each test a fresh backend (an empty outbox).
    if setting == "SHEQU_SMS_BACKEND":
        _backends.clear()
