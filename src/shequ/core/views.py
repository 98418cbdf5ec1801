"""Health and readiness probes; the auditor's audit-log pages."""

from datetime import datetime, time

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import audit as audit_log
from . import audit_words
from .actors import KIND_LABELS, Kind
from .audit_anchor import check_anchors, integrity_check
from .http import filter_day
from .models import AuditRecord
from .permissions import can


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# --- audit pages (auditor) ------------------------------------------------------------------------


def _parse_day(value: str, end: bool = False):
    d = filter_day(value)
    if d is None:
        return None
    return timezone.make_aware(datetime.combine(d, time.max if end else time.min))


@login_required
def audit_list(request: HttpRequest):
    if not can(request.user, "core.view_audit"):
        raise Http404()
    p = request.GET
    qs = AuditRecord.objects.order_by("-id")
    if p.get("actor"):
        qs = qs.filter(actor_label__icontains=p["actor"])
    if p.get("action"):
        # A code ("accounts.login") or words ("登录"): auditors search either way.
        by_words = audit_words.codes_matching(p["action"])
        qs = qs.filter(Q(action__icontains=p["action"].strip()) | Q(action__in=by_words))
    if p.get("object"):
        qs = qs.filter(object_label__icontains=p["object"]) | qs.filter(object_id=p["object"])
    if p.get("since") and _parse_day(p["since"]):
        qs = qs.filter(created_at__gte=_parse_day(p["since"]))
    if p.get("until") and _parse_day(p["until"], end=True):
        qs = qs.filter(created_at__lte=_parse_day(p["until"], end=True))
    if p.get("kind") in {k.value for k in Kind}:
        qs = qs.filter(actor_kind=p["kind"])
    page = Paginator(qs, 50).get_page(p.get("page"))
    rows = list(page.object_list)
    audit_log.annotate_words(rows)
    kinds = [(k.value, KIND_LABELS[k]) for k in Kind]
    return render(request, "core/audit_list.html", {"page": page, "rows": rows, "filters": p, "kinds": kinds})


@login_required
@require_http_methods(["GET", "POST"])
def audit_verify(request: HttpRequest):
    if not can(request.user, "core.view_audit"):
        raise Http404()
    result = None
    if request.method == "POST":
        report = integrity_check(full=True)
        result = report.chain
        anchors = report.anchors
        assert result is not None
        audit_log.record(
            actor=request.user,
            action="core.audit_verified",
            object_type="core.auditrecord",
            object_label="audit chain",
            after={
                "ok": result.ok,
                "checked": result.checked,
                "first_bad_seq": result.first_bad_seq,
                "anchors_ok": anchors.ok,
                "anchoring_stale": anchors.stale,
            },
        )
    else:
        anchors = check_anchors(full=False)
    return render(request, "core/audit_verify.html", {"result": result, "anchors": anchors})
