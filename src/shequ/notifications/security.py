"""Security alerts: the audit log's integrity watch, sent to the auditors and security admins (DESIGN R12).

A failed check (rows missing at the end, an emptied table, a seal that does not match, a forged anchor) and
anchoring that stopped are alerts: an inbox entry for every auditor and security admin, plus email or SMS for
those who opted into the security topic. The same problem alerts once a day, not every few minutes.
"""

import hashlib

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core import audit
from shequ.core.actors import system_job
from shequ.core.audit_anchor import IntegrityReport, integrity_check

from .domain import SECURITY_ALERT_ROLES
from .services import notify_users

ALERT_ROLES = SECURITY_ALERT_ROLES
KIND_AUDIT_INTEGRITY = "security.audit_integrity"

# The periodic check of the audit chain and its anchors (tasks `watch_audit_anchors`, `verify_audit_log_nightly`).
INTEGRITY_WATCH = system_job("audit.integrity_watch", gettext_lazy("审计日志完整性监测"))


def alert_security(*, kind: str, title: str, url: str = "", dedupe: str = "") -> int:
    """Notify every active auditor and security admin; the same `dedupe` text alerts once a day."""
    from shequ.accounts.selectors import users_with_roles

    key = ""
    if dedupe:
        digest = hashlib.sha256(dedupe.encode()).hexdigest()[:16]
        key = f"{kind}:{timezone.localdate().isoformat()}:{digest}"
    return notify_users(users=users_with_roles(ALERT_ROLES), kind=kind, title=title, url=url, dedupe_key=key)


def watch_audit_integrity(*, full: bool) -> IntegrityReport:
    """Run the integrity check (`full`: whole chain and every anchor) and alert on any problem.

    Each alert is also written to the audit log itself, by the system job `INTEGRITY_WATCH`.
    """
    report = integrity_check(full=full)
    problems = report.problems
    if not problems:
        return report
    if not report.ok:
        title = _("审计日志完整性校验失败，请立即核查并保全数据库")
    else:
        title = _("审计日志锚定已停止，请检查后台进程")
    with transaction.atomic():
        audit.record(
            actor=INTEGRITY_WATCH,
            action="core.audit_integrity_alert",
            object_type="core.auditrecord",
            object_label="audit chain",
            after={"full": full, "problems": problems},
        )
        alert_security(
            kind=KIND_AUDIT_INTEGRITY, title=title, url=reverse("core:audit_verify"), dedupe="|".join(problems)
        )
    return report
