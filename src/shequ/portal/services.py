"""Resident sign-in to the portal with a mobile number and a one-time SMS code.

Rules (DESIGN R11 personal information, R12 security):

- A code is 6 digits from `secrets`, valid for 5 minutes, for at most 5 tries, once. Only the latest code of
  a number counts: asking for a new one voids the previous one. Codes are compared in constant time.
- Asking for codes is limited per number (one a minute, five an hour) and per client address (twenty an
  hour). The refusal says when to try again.
- A code is sent only to a number registered for an ACTIVE resident, but the answer is the same either way
  (same page, same limits, a code row is written either way, the SMS leaves through the task queue so the
  gateway's latency does not show), so the portal does not tell anyone which numbers are registered.
- Signing in checks the register again: a resident who moved out, died or withdrew consent cannot sign in.
  A number registered for several active residents signs in the household head among them, else the first
  by name (see selectors.resident_for_mobile).
- The number is never stored, logged or audited in clear: rows hold a keyed hash, logs and audit records
  the masked form (138****5678).

Actors: asking for a code (`request_code`) and typing it (`verify_code`) are done by a visitor who is not
signed in; they are the sign-in itself, so they take no actor and check no permission (rate limits and tries
protect them). Their audit records name a visitor (actor None), except the successful sign-in, recorded as the
resident who signed in. Signing out is the resident's (`ResidentActor`); forgetting old codes is a job.
"""

import json
import logging
import math
import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from functools import partial
from hashlib import sha256
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core import audit, crypto
from shequ.core.actors import ResidentActor, system_job
from shequ.core.errors import ValidationError
from shequ.core.masking import mask_mobile
from shequ.core.permissions import require, write_service
from shequ.core.validators import validate_mobile

from . import permissions as _permissions  # noqa: F401  (registers the portal.* actions)
from . import selectors
from .models import LoginCode
from .sms import get_backend

if TYPE_CHECKING:
    from shequ.registry.models import Resident

logger = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
MOBILE_INTERVAL = timedelta(seconds=60)
MOBILE_PER_HOUR = 5
IP_PER_HOUR = 20
WINDOW = timedelta(hours=1)
KEEP_CODES = timedelta(days=1)  # rows are the rate-limit ledger; nothing needs them after a day

MOBILE_PURPOSE = "portal.login.mobile"  # keyed-hash purpose of LoginCode.mobile_hash (see models)
SMS_PAYLOAD_PURPOSE = "portal.sms.payload"  # the queued SMS (number and text) is encrypted in the queue
SESSION_MOBILE_PURPOSE = "portal.session.mobile"  # the number between the two sign-in steps, in the session
CODE_HMAC_SALT = "shequ.portal.login_code"
VISITOR = None  # audit actor of the sign-in steps: the person is not signed in yet
CODE_PURGE = system_job("portal.purge_login_codes", gettext_lazy("清理登录验证码"))


class RateLimited(Exception):
    """Too many codes asked for; `message` (Simplified Chinese) says when to try again."""

    def __init__(self, message: str, *, retry_after: int, limit: str) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.limit = limit


class CodeRejected(Exception):
    """The code does not sign anyone in; `message` is for the resident, `reason` for the audit log."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class SmsDeliveryFailed(Exception):
    """The SMS backend raised; carries only the exception's class name (the number stays out of logs)."""


def normalise_mobile(mobile: str) -> str:
    """The 11 bare digits of a mainland mobile number; ValidationError({"mobile": ...}) in Chinese if malformed."""
    try:
        return validate_mobile(mobile or "")
    except ValidationError as exc:
        raise ValidationError({"mobile": exc.messages}) from None


def _code_hash(salt: str, code: str) -> str:
    return salted_hmac(f"{CODE_HMAC_SALT}:{salt}", code, algorithm="sha256").hexdigest()


def _serialise(*keys: str) -> None:
    """Make concurrent requests for the same number or address wait for each other, so all are counted.

    PostgreSQL: transaction-scoped advisory locks, always taken in the order given (number, then address), so
    two requests cannot deadlock. SQLite: the IMMEDIATE transaction already holds the database write lock.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for key in keys:
            lock_id = int.from_bytes(sha256(f"portal:{key}".encode()).digest()[:8], "big", signed=True)
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def _wait_seconds(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def _rate_limit(hashes: list[str], ip: str, now: datetime) -> RateLimited | None:
    """The limit a new code for this number from this address would break, or None."""
    recent = list(
        LoginCode.objects.filter(mobile_hash__in=hashes, created_at__gt=now - WINDOW)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:MOBILE_PER_HOUR]
    )
    if recent and recent[0] > now - MOBILE_INTERVAL:
        seconds = _wait_seconds(recent[0] + MOBILE_INTERVAL, now)
        return RateLimited(
            _("获取验证码太频繁，请 %(seconds)d 秒后再试。") % {"seconds": seconds},
            retry_after=seconds,
            limit="mobile_minute",
        )
    if len(recent) >= MOBILE_PER_HOUR:
        seconds = _wait_seconds(recent[-1] + WINDOW, now)
        return RateLimited(
            _("该号码获取验证码次数过多，请 %(minutes)d 分钟后再试。") % {"minutes": math.ceil(seconds / 60)},
            retry_after=seconds,
            limit="mobile_hour",
        )
    from_ip = list(
        LoginCode.objects.filter(ip=ip, created_at__gt=now - WINDOW)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:IP_PER_HOUR]
    )
    if len(from_ip) >= IP_PER_HOUR:
        seconds = _wait_seconds(from_ip[-1] + WINDOW, now)
        return RateLimited(
            _("当前网络获取验证码次数过多，请 %(minutes)d 分钟后再试。") % {"minutes": math.ceil(seconds / 60)},
            retry_after=seconds,
            limit="ip_hour",
        )
    return None


def request_code(*, mobile: str, ip: str) -> None:
    """Issue a login code for `mobile` and text it if an active resident has that number.

    Raises ValidationError({"mobile": ...}) for a malformed number and RateLimited when a limit is reached
    (the refusal is audited too). Otherwise returns None whether or not the number is registered: the caller
    must answer both cases alike. Locks the number and the address (see _serialise) while counting. Side
    effects: a LoginCode row in every case; after commit, the SMS is queued (task `portal.tasks.send_sms`).
    Audited as "portal.code_requested" with the masked number.
    """
    mobile = normalise_mobile(mobile)
    ip = (ip or "")[:64]
    masked = mask_mobile(mobile)
    mobile_hash = crypto.keyed_hash(mobile, purpose=MOBILE_PURPOSE)
    hashes = crypto.lookup_hashes(mobile, purpose=MOBILE_PURPOSE)  # rows written under any key of the ring
    with transaction.atomic():
        _serialise(mobile_hash, ip)
        now = timezone.now()
        limited = _rate_limit(hashes, ip, now)
        if limited is not None:
            audit.record(
                actor=VISITOR, action="portal.code_rate_limited", after={"mobile": masked, "limit": limited.limit}
            )
        else:
            resident = selectors.resident_for_mobile(mobile)
            code = f"{secrets.randbelow(1_000_000):06d}"
            salt = secrets.token_hex(16)
            LoginCode.objects.create(
                mobile_hash=mobile_hash,
                code_salt=salt,
                code_hash=_code_hash(salt, code),
                created_at=now,
                expires_at=now + CODE_TTL,
                ip=ip,
            )
            audit.record(
                actor=VISITOR,
                action="portal.code_requested",
                obj=resident,
                after={"mobile": masked, "sent": resident is not None},
            )
            if resident is not None:
                text = _("您正在登录社区居民服务，验证码 %(code)s，%(minutes)d 分钟内有效。请勿告诉他人。") % {
                    "code": code,
                    "minutes": CODE_TTL.seconds // 60,
                }
                transaction.on_commit(partial(_queue_sms, mobile, text))
    if limited is not None:
        raise limited


def _queue_sms(mobile: str, text: str) -> None:
    from .tasks import send_sms

    payload = crypto.encrypt(json.dumps({"mobile": mobile, "text": text}), purpose=SMS_PAYLOAD_PURPOSE)
    try:
        send_sms(payload)
    except Exception:  # noqa: BLE001 - the queue is down: send now rather than not at all
        logger.warning("could not queue the login SMS to %s; sending it directly", mask_mobile(mobile))
        deliver_sms(payload)


def deliver_sms(payload: str) -> None:
    """Send one queued SMS through the configured backend.

    Raises SmsDeliveryFailed (naming only the exception class) if the backend fails, after logging the
    failure with the number masked: a gateway's error text may quote the number, so it is not passed on.
    """
    data = json.loads(crypto.decrypt(payload, purpose=SMS_PAYLOAD_PURPOSE))
    try:
        get_backend().send(data["mobile"], data["text"])
    except Exception as exc:  # noqa: BLE001 - any gateway error; re-raised without its text
        name = type(exc).__name__
        logger.warning("SMS to %s failed: %s", mask_mobile(data["mobile"]), name)
        raise SmsDeliveryFailed(name) from None


def clean_code(code: str) -> str:
    # Full-width digits (Chinese input methods) become ASCII; spaces typed between digit groups are dropped.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", code or ""))


def verify_code(*, mobile: str, code: str, ip: str) -> "Resident":
    """Check the latest code of `mobile` and return the active resident it signs in.

    Raises ValidationError({"mobile": ...}) for a malformed number and CodeRejected when the code is wrong
    (counting the try), exhausted, expired, used, missing, or the number has no active resident any more.
    Locks the code row, so concurrent tries are all counted. Audited as "portal.login" or
    "portal.login_failed" with the masked number.
    """
    mobile = normalise_mobile(mobile)
    masked = mask_mobile(mobile)
    code = clean_code(code)
    resident = None
    rejected: CodeRejected | None = None
    with transaction.atomic():
        now = timezone.now()
        row = (
            LoginCode.objects.select_for_update()
            .filter(mobile_hash__in=crypto.lookup_hashes(mobile, purpose=MOBILE_PURPOSE))
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None or row.used_at is not None:
            rejected = CodeRejected(_("验证码无效，请重新获取。"), reason="no_code")
        elif row.expires_at <= now:
            rejected = CodeRejected(_("验证码已过期，请重新获取。"), reason="expired")
        elif row.attempts >= MAX_ATTEMPTS:
            rejected = CodeRejected(_("验证码输错次数过多，已失效，请重新获取。"), reason="exhausted")
        else:
            row.attempts += 1
            if constant_time_compare(_code_hash(row.code_salt, code), row.code_hash):
                row.used_at = now
                resident = selectors.resident_for_mobile(mobile)
                if resident is None:
                    rejected = CodeRejected(_("验证码无效，请重新获取。"), reason="no_active_resident")
            elif row.attempts >= MAX_ATTEMPTS:
                rejected = CodeRejected(_("验证码输错次数过多，已失效，请重新获取。"), reason="wrong_code")
            else:
                rejected = CodeRejected(
                    _("验证码不正确，还可以再试 %(remaining)d 次。") % {"remaining": MAX_ATTEMPTS - row.attempts},
                    reason="wrong_code",
                )
            row.save(update_fields=["attempts", "used_at"])
        if rejected is not None:
            audit.record(
                actor=VISITOR,
                action="portal.login_failed",
                after={"mobile": masked, "reason": rejected.reason, "attempts": row.attempts if row else 0},
            )
        else:
            audit.record(actor=ResidentActor(resident), action="portal.login", obj=resident, after={"mobile": masked})
    if rejected is not None:
        raise rejected
    assert resident is not None
    return resident


@write_service("portal.sign_out")
def record_sign_out(*, actor: ResidentActor) -> None:
    """Audit the signed-in resident's sign-out from the portal ("portal.logout")."""
    require(actor, "portal.sign_out")
    with transaction.atomic():
        audit.record(actor=actor, action="portal.logout", obj=actor.resident)


# --- the number between the two sign-in steps --------------------------------------------------------


def seal_mobile(mobile: str) -> str:
    """Encrypt a number for the session (session rows are readable in a database dump; the number must not be)."""
    return crypto.encrypt(mobile, purpose=SESSION_MOBILE_PURPOSE)


def unseal_mobile(sealed: str) -> str:
    return crypto.decrypt(sealed, purpose=SESSION_MOBILE_PURPOSE)


@write_service("portal.purge_login_codes")
def purge_login_codes(*, actor: Any, now: datetime | None = None) -> int:
    """Delete code rows older than KEEP_CODES (background task, as `CODE_PURGE`); returns how many."""
    require(actor, "portal.purge_login_codes")
    cutoff = (now or timezone.now()) - KEEP_CODES
    deleted, _counts = LoginCode.objects.filter(created_at__lt=cutoff).delete()
    return deleted
