"""The SMS backends now live in `shequ.notifications.sms`; this module keeps the old dotted paths working.

``SHEQU_SMS_BACKEND="shequ.portal.sms.LocmemBackend"`` (or ``ConsoleBackend``) still names a valid backend, and
the portal's console backend still logs to the ``shequ.portal.sms`` logger.
"""

import logging

from shequ.notifications.sms import ConsoleBackend as _ConsoleBackend
from shequ.notifications.sms import LocmemBackend, SmsBackend, get_backend

__all__ = ["ConsoleBackend", "LocmemBackend", "SmsBackend", "get_backend"]


class ConsoleBackend(_ConsoleBackend):
    """Development backend (see shequ.notifications.sms.ConsoleBackend), logging under this module's name."""

    logger = logging.getLogger(__name__)
