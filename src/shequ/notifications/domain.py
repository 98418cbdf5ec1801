"""Rules of notification delivery: topics a user can opt into, channels, retry policy, message text.

- Every notification lands in the recipient's in-app inbox; email and SMS are extra channels a user opts
  into per topic (assignment, escalation, approaching deadline, resolution, security alerts). Kinds outside these topics
  (future notices) stay in-app only.
- A delivery is tried at most MAX_ATTEMPTS times, waiting RETRY_DELAYS between tries, then marked failed;
  the in-app notification is never touched by a failed channel.
- Message text carries no personal information (PIPL §51): the title (callers already mask it, see
  `notify_area`) and a link; the recipient's address is read at send time and never stored with the delivery.
  A failure is recorded by exception class name only: a gateway's error text may quote the number.
"""

import datetime
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Topic(StrEnum):
    ASSIGNMENT = "assignment"
    ESCALATION = "escalation"
    DEADLINE = "deadline"
    RESOLUTION = "resolution"
    SECURITY = "security"


TOPIC_LABELS = {
    Topic.ASSIGNMENT: _("派单、转办、退回"),
    Topic.ESCALATION: _("超时升级督办"),
    Topic.DEADLINE: _("即将超时提醒"),
    Topic.RESOLUTION: _("办结待回访"),
    Topic.SECURITY: _("安全告警（审计日志完整性等）"),
}

TOPIC_OF_KIND = {
    "case.dispatch": Topic.ASSIGNMENT,
    "case.transfer": Topic.ASSIGNMENT,
    "case.return": Topic.ASSIGNMENT,
    "case.escalate": Topic.ESCALATION,
    "case.escalated_away": Topic.ESCALATION,
    "case.deadline": Topic.DEADLINE,
    "case.resolved": Topic.RESOLUTION,
    "security.audit_integrity": Topic.SECURITY,
    "security.disclosure_volume": Topic.SECURITY,
}


# Security alerts go to the auditors and security admins only; nobody else is offered the topic.
SECURITY_ALERT_ROLES = ("auditor", "security_admin")


def topics_offered(roles: frozenset[str]) -> list[Topic]:
    """The topics a user holding `roles` may opt into by email or SMS."""
    return [t for t in Topic if t != Topic.SECURITY or roles & set(SECURITY_ALERT_ROLES)]


def topic_of(kind: str) -> Topic | None:
    """Return the topic a notification kind belongs to, or None (in-app only)."""
    return TOPIC_OF_KIND.get(kind)


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


CHANNEL_LABELS = {Channel.EMAIL: _("邮件"), Channel.SMS: _("短信")}


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


DELIVERY_STATUS_LABELS = {
    DeliveryStatus.PENDING: _("待发送"),
    DeliveryStatus.SENT: _("已发送"),
    DeliveryStatus.FAILED: _("发送失败"),
}

MAX_ATTEMPTS = 5
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=15),
    datetime.timedelta(hours=1),
)
# A claimed delivery whose worker died is tried again after this long (the claim is a lease, not a lock).
CLAIM_LEASE = datetime.timedelta(minutes=10)


def next_attempt_after(attempts: int) -> datetime.timedelta | None:
    """Return the wait before the next try after `attempts` failed tries, or None when no try is left."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def link(site_url: str, path: str) -> str:
    """Join the site's base URL (may be empty: the link stays a path) and a notification's link path."""
    if not path:
        return ""
    return site_url.rstrip("/") + path if site_url else path


def sms_text(title: str, url: str) -> str:
    """The text message: the title and, after a space, the link."""
    return f"{title} {url}".strip()


def email_body(title: str, url: str) -> str:
    return str(_("%(title)s\n\n查看详情：%(url)s\n\n此邮件由社区治理平台自动发送，请勿回复。")) % {
        "title": title,
        "url": url or "-",
    }
