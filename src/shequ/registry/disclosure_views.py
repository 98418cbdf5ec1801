"""Staff pages of full (unmasked) exports: request with a reason, approval by another person, one download.

The rules (who may approve, daily limits, one download before the deadline) are in registry.disclosures; these
views only parse the forms and render.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.http import errors_to_form as _errors_to_form
from shequ.core.http import require_can as _require
from shequ.core.http import scoped_view as _scoped
from shequ.core.permissions import can

from . import disclosures, forms, selectors
from .domain import EXPORT_STATUS_LABELS, ExportStatus
from .views import export_response


@never_cache
@require_http_methods(["GET", "POST"])
@_scoped
def export_unmasked(request: HttpRequest) -> HttpResponse:
    """Request a full export of the current list (filters kept as hidden fields) with a reason."""
    _require(request, "registry.export_unmasked")
    params = request.POST if request.method == "POST" else request.GET
    filter_form = forms.parse_filters(params)
    if filter_form.errors:
        for errors in filter_form.errors.values():
            messages.error(request, errors[0])
        return redirect("registry:resident_list")
    form = forms.ExportRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        qs = selectors.listed_residents(request.user, filter_form.filters())
        try:
            req = disclosures.full_export_request(
                actor=request.user,
                queryset=qs,
                filters=filter_form.applied(),
                reason_code=form.cleaned_data["reason_code"],
                reason_detail=form.cleaned_data["reason"],
            )
        except disclosures.DisclosureLimitReached as exc:
            form.add_error(None, exc.message)
            status = 429
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("已提交导出申请（%(n)s 条），待审批后可下载一次") % {"n": req.row_count})
            return redirect("registry:export_requests")
    return render(
        request,
        "registry/export_unmasked.html",
        {"form": form, "applied": filter_form.applied(), "back_query": urlencode(filter_form.applied())},
        status=status,
    )


def _row(req: Any) -> dict[str, Any]:
    return {
        "req": req,
        "status_label": EXPORT_STATUS_LABELS.get(ExportStatus(req.status), req.status),
        "reason_label": disclosures.reason_label(req.reason_code),
        "filters": "；".join(f"{k}={v}" for k, v in req.filters.items()) or _("全部"),
        "downloadable": req.status == ExportStatus.APPROVED,
    }


@never_cache
@require_GET
@_scoped
def export_requests(request: HttpRequest) -> HttpResponse:
    """The actor's own requests (download once approved) and the requests waiting for the actor's approval."""
    user = request.user
    may_request = bool(can(user, "registry.export_unmasked"))
    may_approve = bool(can(user, "registry.approve_export"))
    if not (may_request or may_approve):
        raise PermissionDenied(_("您无权查看导出申请"))
    disclosures.full_export_expire_due()
    return render(
        request,
        "registry/export_requests.html",
        {
            "mine": [_row(r) for r in selectors.export_requests_of(user)[:100]] if may_request else [],
            "may_request": may_request,
            "may_approve": may_approve,
            "to_decide": [_row(r) for r in selectors.export_requests_to_decide(user)] if may_approve else [],
            "decision_form": forms.ExportDecisionForm(),
        },
    )


@require_POST
@_scoped
def export_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    """Approve or reject a waiting request (another person over the requester's scope)."""
    req = selectors.get_export_request_for(request.user, public_id)
    form = forms.ExportDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或驳回"))
        return redirect("registry:export_requests")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        disclosures.full_export_decide(
            actor=request.user, export_request=req, approve=approve, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已批准该导出申请") if approve else _("已驳回该导出申请"))
    return redirect("registry:export_requests")


@never_cache
@require_POST
@_scoped
def export_download(request: HttpRequest, public_id: str) -> HttpResponse:
    """Generate and send the approved export, once (POST: a link preview or a prefetch cannot spend it)."""
    req = selectors.get_export_request_for(request.user, public_id)
    filter_form = forms.parse_filters(req.filters)
    try:
        qs = selectors.listed_residents(request.user, filter_form.filters())
        fileobj = disclosures.full_export_download(actor=request.user, export_request=req, queryset=qs)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(reverse("registry:export_requests"))
    return export_response(fileobj, unmasked=True)
