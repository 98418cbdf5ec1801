"""Disclosure in bulk (issue 11): reasons, per-user daily limits, volume alerts and approved full exports.

- Every full reveal and full export names a reason from domain.DISCLOSURE_REASONS plus a free-text detail.
- Values revealed, elderly birthday lists shown or exported, and full-export requests are counted per user and
  day in DisclosureCount rows (one row per user, day and kind, raised with F() under a row lock, so concurrent
  requests cannot both pass the limit). Over the limit the request is refused (DisclosureLimitReached), audited
  and the security admins are alerted; reaching SHEQU_DISCLOSURE_ALERT_SHARE of a limit alerts them too, once
  per user, kind and day.
- A full export is a FullExportRequest: requested (with the row count), approved or rejected by another person
  holding registry.approve_export over the requester's reveal scope, then downloaded once before its deadline.
  The file is generated at that download from the stored filters, re-scoped to the requester's reveal scope at
  that moment and to the scope approved, written to memory and never stored.
"""

import io
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core import audit
from shequ.core.actors import system_job
from shequ.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from shequ.core.permissions import can, require, write_service
from shequ.core.scoping import scope_of
from shequ.core.xlsx_memory import xlsx_bytes

from . import exports, selectors
from .domain import (
    DISCLOSURE_REASON_LABELS,
    REASON_DETAIL_MAX,
    REASON_DETAIL_MIN,
    DisclosureKind,
    DisclosureReason,
    ExportEvent,
    ExportStatus,
    alert_due,
    next_export_status,
)
from .errors import RegistryError
from .models import DisclosureCount, FullExportRequest
from .permissions import APPROVE_EXPORT_ROLES, REVEAL_IDENTITY_ROLES

EXPORT_EXPIRY = system_job("registry.export_expiry", gettext_lazy("导出期限到期"))

ALERT_KIND = "security.disclosure_volume"
NOTIFY_REQUESTED = "registry.export_requested"
NOTIFY_DECIDED = "registry.export_decided"
KIND_LABELS = {
    DisclosureKind.REVEAL: gettext_lazy("查看完整信息"),
    DisclosureKind.BIRTHDAY_LIST: gettext_lazy("查看老年人生日名单"),
    DisclosureKind.FULL_EXPORT: gettext_lazy("申请导出完整信息"),
}


class DisclosureLimitReached(PermissionDenied):
    """The actor reached their daily limit for this kind of disclosure (the API answers 429)."""


def daily_limit(kind: str) -> int:
    return {
        DisclosureKind.REVEAL: settings.SHEQU_REVEAL_DAILY_LIMIT,
        DisclosureKind.BIRTHDAY_LIST: settings.SHEQU_BIRTHDAY_LIST_DAILY_LIMIT,
        DisclosureKind.FULL_EXPORT: settings.SHEQU_FULL_EXPORT_DAILY_LIMIT,
    }[DisclosureKind(kind)]


def clean_reason(code: str, detail: str) -> tuple[str, str]:
    """Return (code, detail) of a disclosure reason, or raise ValidationError on `reason_code` / `reason`."""
    errors: dict[str, list[ValidationError]] = {}
    if code not in {r.value for r in DisclosureReason}:
        errors["reason_code"] = [ValidationError(_("请选择理由"), code=RegistryError.REASON_CODE_INVALID)]
    detail = (detail or "").strip()
    if not REASON_DETAIL_MIN <= len(detail) <= REASON_DETAIL_MAX:
        errors["reason"] = [
            ValidationError(
                _("请填写理由说明（%(min)s至%(max)s字）") % {"min": REASON_DETAIL_MIN, "max": REASON_DETAIL_MAX},
                code=RegistryError.REASON_DETAIL_LENGTH,
            )
        ]
    if errors:
        raise ValidationError(errors)
    return code, detail


def reason_label(code: str) -> str:
    labels = {k.value: v for k, v in DISCLOSURE_REASON_LABELS.items()}
    return str(labels.get(code, code))


def count_disclosure(*, actor: Any, kind: str, n: int = 1) -> int:
    """Add `n` to the actor's counter of `kind` for today and return the new count.

    Lock: the (user, day, kind) row, created if missing, then locked (select_for_update), so two concurrent
    requests are counted one after the other. Over the daily limit nothing is counted: the refusal is audited,
    the security admins are alerted (once a day), and DisclosureLimitReached is raised. Reaching the alert share
    of the limit alerts them too. Run it before the disclosure, outside the caller's transaction.
    """
    limit = daily_limit(kind)
    today = timezone.localdate()
    with transaction.atomic():
        DisclosureCount.objects.get_or_create(user=actor, day=today, kind=kind)
        row = DisclosureCount.objects.select_for_update().get(user=actor, day=today, kind=kind)
        before = row.count
        if before + n <= limit:
            DisclosureCount.objects.filter(pk=row.pk).update(count=F("count") + n)
            share = settings.SHEQU_DISCLOSURE_ALERT_SHARE
            if alert_due(before + n, limit, share) and not alert_due(before, limit, share):
                _alert(actor, kind, before + n, limit, refused=False)
            return before + n
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="registry.disclosure_refused",
            object_type="accounts.user",
            object_id=str(actor.pk),
            object_label=str(actor),
            after={"kind": kind, "count": before, "asked": n, "limit": limit, "day": today.isoformat()},
        )
        _alert(actor, kind, before, limit, refused=True)
    raise DisclosureLimitReached(
        _("您今天%(what)s已达上限（%(limit)s），请明天再试；确有需要请联系安全管理员。")
        % {"what": str(KIND_LABELS[DisclosureKind(kind)]), "limit": limit}
    )


def _alert(actor: Any, kind: str, count: int, limit: int, *, refused: bool) -> None:
    """Audit and alert the security admins and auditors; one alert per user, kind and day (dedupe)."""
    from shequ.notifications.security import alert_security

    audit.record(
        actor=actor,
        action="registry.disclosure_alert",
        object_type="accounts.user",
        object_id=str(actor.pk),
        object_label=str(actor),
        after={"kind": kind, "count": count, "limit": limit, "refused": refused},
    )
    title = _("异常批量查看：用户 %(user)s 今天%(what)s %(count)s 次（每日上限 %(limit)s）") % {
        "user": getattr(actor, "username", actor),
        "what": str(KIND_LABELS[DisclosureKind(kind)]),
        "count": count,
        "limit": limit,
    }
    alert_security(kind=ALERT_KIND, title=title, url=reverse("core:audit_list"), dedupe=f"disclosure:{actor.pk}:{kind}")


# --- full-export requests ----------------------------------------------------------------------------------


def _paths_q(paths: list[str]) -> Q:
    """Residents under any of `paths` (the same placement rule as selectors.resident_scope_q)."""
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(dwelling__building__micro_grid__path__startswith=p)
        q |= Q(dwelling__building__micro_grid__isnull=True, community__path__startswith=p)
    return q


@write_service("registry.export_unmasked")
def full_export_request(
    *, actor: Any, queryset: QuerySet, filters: dict[str, str], reason_code: str, reason_detail: str
) -> FullExportRequest:
    """Ask for a full export of `queryset` (the list filtered by `filters`), kept to the actor's reveal scope.

    Requires registry.export_unmasked, a reason, at least one and at most SHEQU_FULL_EXPORT_MAX_ROWS residents,
    and counts toward the daily limit of full exports (DisclosureLimitReached). Stores the filters and the reveal
    scope, never a value. Audited; the approvers are notified after commit.
    """
    require(actor, "registry.export_unmasked")
    reason_code, reason_detail = clean_reason(reason_code, reason_detail)
    paths = list(scope_of(actor).paths(roles=REVEAL_IDENTITY_ROLES))
    rows = queryset.filter(selectors.resident_scope_q(actor, roles=REVEAL_IDENTITY_ROLES)).count()
    if rows == 0:
        raise ValidationError({"__all__": [_("当前筛选条件下没有您可以导出完整信息的居民")]})
    cap = settings.SHEQU_FULL_EXPORT_MAX_ROWS
    if rows > cap:
        raise ValidationError(
            {"__all__": [_("共 %(n)s 条，超过完整信息导出上限 %(max)s 条，请缩小筛选范围") % {"n": rows, "max": cap}]}
        )
    count_disclosure(actor=actor, kind=DisclosureKind.FULL_EXPORT)
    with transaction.atomic():
        req = FullExportRequest.objects.create(
            requester=actor,
            filters=dict(filters),
            scope_paths=paths,
            reason_code=reason_code,
            reason_detail=reason_detail,
            row_count=rows,
        )
        audit.record(
            actor=actor,
            action="registry.export_requested",
            obj=req,
            after={
                "rows": rows,
                "filters": exports.auditable_filters(filters),
                "reason_code": reason_code,
                "reason": reason_detail,
            },
        )
        transaction.on_commit(lambda: _notify_approvers(req))
    return req


def approvers_of(req: FullExportRequest) -> list[Any]:
    """Active users who may approve `req`: an approving role at the requester's scope or above it."""
    from shequ.accounts.selectors import users_with_roles

    prefixes: set[str] = set()
    for path in req.scope_paths:
        parts = [p for p in path.split("/") if p]
        prefixes.update("/".join(parts[: i + 1]) + "/" for i in range(len(parts)))
    candidates = users_with_roles(APPROVE_EXPORT_ROLES).filter(assignments__area__path__in=prefixes).distinct()
    return [u for u in candidates if can(u, "registry.approve_export", req)]


def _notify_approvers(req: FullExportRequest) -> None:
    from shequ.notifications.services import notify_users

    title = _("有一份完整信息导出申请待您审批（%(n)s 条）") % {"n": req.row_count}
    notify_users(users=approvers_of(req), kind=NOTIFY_REQUESTED, title=title, url=reverse("registry:export_requests"))


def _locked(req: FullExportRequest) -> FullExportRequest:
    return FullExportRequest.objects.select_for_update().get(pk=req.pk)


@write_service("registry.approve_export")
def full_export_decide(*, actor: Any, export_request: FullExportRequest, approve: bool, note: str = "") -> Any:
    """Approve or reject a waiting full-export request (a rejection needs a note).

    Requires registry.approve_export on the request (another person, covering the requester's scope). Locks the
    request. An approval opens the download window of SHEQU_FULL_EXPORT_DOWNLOAD_HOURS. Audited; the requester is
    notified after commit.
    """
    require(actor, "registry.approve_export", export_request)
    note = (note or "").strip()[:200]
    if not approve and len(note) < 2:
        raise ValidationError({"note": [_("驳回时请填写审批意见")]})
    with transaction.atomic():
        req = _locked(export_request)
        try:
            status = next_export_status(req.status, ExportEvent.APPROVE if approve else ExportEvent.REJECT)
        except InvalidTransition:
            raise ValidationError({"__all__": [_("该申请已处理")]}) from None
        now = timezone.now()
        req.status, req.approver, req.decided_at, req.decision_note = status, actor, now, note
        if approve:
            req.download_due_at = now + timedelta(hours=settings.SHEQU_FULL_EXPORT_DOWNLOAD_HOURS)
        req.save(update_fields=["status", "approver", "decided_at", "decision_note", "download_due_at", "updated_at"])
        audit.record(
            actor=actor,
            action="registry.export_approved" if approve else "registry.export_rejected",
            obj=req,
            after={"requester": req.requester_id, "rows": req.row_count, "note": note},
        )
        transaction.on_commit(lambda: _notify_requester(req))
    return req


def _notify_requester(req: FullExportRequest) -> None:
    from shequ.notifications.services import notify_users

    if req.status == ExportStatus.APPROVED:
        title = _("您的完整信息导出申请已批准，请在 %(due)s 前下载（仅可下载一次）") % {
            "due": timezone.localtime(req.download_due_at).strftime("%Y-%m-%d %H:%M")
        }
    else:
        title = _("您的完整信息导出申请已被驳回")
    notify_users(users=[req.requester], kind=NOTIFY_DECIDED, title=title, url=reverse("registry:export_requests"))


@write_service("registry.expire_exports")
def full_export_expire_due(*, actor: Any = EXPORT_EXPIRY, now: Any = None) -> int:
    """Mark approved requests past their download deadline as expired; returns how many (idempotent)."""
    require(actor, "registry.expire_exports")
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            FullExportRequest.objects.select_for_update(skip_locked=True).filter(
                status=ExportStatus.APPROVED, download_due_at__lt=now
            )
        )
        for req in due:
            req.status = next_export_status(req.status, ExportEvent.EXPIRE)
            req.save(update_fields=["status", "updated_at"])
            audit.record(actor=EXPORT_EXPIRY, action="registry.export_expired", obj=req)
    return len(due)


@write_service("registry.export_unmasked")
def full_export_download(*, actor: Any, export_request: FullExportRequest, queryset: QuerySet) -> IO[bytes]:
    """Generate the approved export once, for its requester, and return it in memory (positioned at 0).

    `queryset` is the list rebuilt from the request's filters; it is kept to the actor's reveal scope now and to
    the scope approved. Locks the request and flips it to downloaded in the same transaction that writes the file
    and the audit record, so a second download (concurrent or later) is refused. After the deadline the request
    expires instead. Raises NotFound (not the requester's), PermissionDenied, ValidationError.
    """
    if export_request.requester_id != getattr(actor, "pk", None):
        raise NotFound()
    require(actor, "registry.export_unmasked")
    expired = False
    with transaction.atomic():
        req = _locked(export_request)
        if req.status == ExportStatus.APPROVED and req.download_due_at and timezone.now() > req.download_due_at:
            req.status = next_export_status(req.status, ExportEvent.EXPIRE)
            req.save(update_fields=["status", "updated_at"])
            audit.record(actor=EXPORT_EXPIRY, action="registry.export_expired", obj=req)
            expired = True
        elif req.status != ExportStatus.APPROVED:
            raise ValidationError({"__all__": [_("该申请当前不能下载（未批准、已下载或已过期）")]})
        else:
            qs = (
                queryset.filter(selectors.resident_scope_q(actor, roles=REVEAL_IDENTITY_ROLES))
                .filter(_paths_q(req.scope_paths))
                .select_related(
                    "household", "dwelling", "dwelling__unit", "dwelling__building", "dwelling__building__compound"
                )
            )
            if qs.count() > settings.SHEQU_FULL_EXPORT_MAX_ROWS:
                raise ValidationError({"__all__": [_("名单已超过完整信息导出上限，请重新申请")]})
            rows = exports.Counted(exports.unmasked_rows(qs))
            # Built in memory only: openpyxl would stage the sheet's plaintext XML in a temporary file.
            fileobj = io.BytesIO(xlsx_bytes(exports.UNMASKED_HEADERS, rows, sheet_title=_("居民名单")))
            req.status = next_export_status(req.status, ExportEvent.DOWNLOAD)
            req.downloaded_at, req.downloaded_rows = timezone.now(), rows.count
            req.save(update_fields=["status", "downloaded_at", "downloaded_rows", "updated_at"])
            audit.record(
                actor=actor,
                action="registry.export_unmasked",
                obj=req,
                after={
                    "rows": rows.count,
                    "filters": exports.auditable_filters(req.filters),
                    "masked": False,
                    "reason_code": req.reason_code,
                    "reason": req.reason_detail,
                    "approver": req.approver_id,
                },
            )
    if expired:
        raise ValidationError({"__all__": [_("下载期限已过，该申请已失效，请重新申请")]})
    fileobj.seek(0)
    return fileobj
