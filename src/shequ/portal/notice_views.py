"""Resident portal pages of public notices (公示公告): the notices of where one lives (current first, past ones
below), one notice with its period and the objection form, one's own objections with the staff's answers.

Residents read through `notices.selectors.notices_for_resident` (their community, and their compound or
building as the register holds their dwelling); another notice answers 404. Objections go through
`notices.services.objection_file`, which checks the area and the period again.
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from shequ.core import ratelimit
from shequ.core.actors import ResidentActor
from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.permissions import can
from shequ.notices import selectors, services
from shequ.notices.domain import (
    KIND_LABELS,
    OBJECTION_STATUS_LABELS,
    PHASE_LABELS,
    ObjectionStatus,
    objection_problem,
    period_days,
    phase,
)
from shequ.notices.forms import ObjectionForm

from .views import resident_required

OBJECTIONS_PER_HOUR = 10  # a resident's objections, all notices together


def _row(notice: Any, today: Any) -> dict[str, Any]:
    current = phase(notice.starts_on, notice.ends_on, today)
    return {
        "notice": notice,
        "kind_label": str(KIND_LABELS.get(notice.kind, notice.kind)),
        "phase": current.value,
        "phase_label": PHASE_LABELS[current],
        "days": period_days(notice.starts_on, notice.ends_on),
        "place": selectors.addressed_to(notice),
    }


def _own_notice(resident: Any, public_id: str) -> Any:
    try:
        return selectors.get_notice_for_resident(resident, public_id)
    except NotFound:
        raise Http404() from None


@never_cache
@require_GET
@resident_required
def notice_list(request: HttpRequest, resident: Any) -> HttpResponse:
    """公示公告: the notices of where the resident lives, those still running (or about to) first."""
    today = timezone.localdate()
    current, past = selectors.resident_notices(resident, today)
    context = {"current": [_row(n, today) for n in current], "past": [_row(n, today) for n in past]}
    return render(request, "portal/notices/notice_list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@resident_required
def notice_detail(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    """One notice: body, period, status, the resident's objections with answers, and the objection form while
    the period runs."""
    notice = _own_notice(resident, public_id)
    actor = ResidentActor(resident)
    form = ObjectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        ratelimit.enforce("portal.notice_objection", f"resident:{resident.pk}", limit=OBJECTIONS_PER_HOUR, window=3600)
        status = 400
        if form.is_valid():
            try:
                services.objection_file(actor=actor, notice=notice, text=form.cleaned_data["text"])
            except PermissionDenied as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("异议已提交。社区答复后，您可以在“我的异议”中查看。"))
                return redirect("portal:notice", public_id=notice.public_id)
    today = timezone.localdate()
    refusal = objection_problem(notice.status, notice.starts_on, notice.ends_on, today)
    if not refusal and not can(actor, "notices.object", notice):
        refusal = can(actor, "notices.object", notice).reason
    context = {
        **_row(notice, today),
        "form": form,
        "refusal": refusal,
        "objections": [
            {"o": o, "status_label": str(OBJECTION_STATUS_LABELS[ObjectionStatus(o.status)])}
            for o in selectors.objections_of(resident, notice)
        ],
        "corrections": list(selectors.corrections_of(notice)),
    }
    return render(request, "portal/notices/notice_detail.html", context, status=status)


@never_cache
@require_GET
@resident_required
def my_objections(request: HttpRequest, resident: Any) -> HttpResponse:
    """我的异议: the resident's objections, newest first, each with its answer once given."""
    rows = [
        {"o": o, "status_label": str(OBJECTION_STATUS_LABELS[ObjectionStatus(o.status)])}
        for o in selectors.objections_of(resident)[:100]
    ]
    return render(request, "portal/notices/my_objections.html", {"rows": rows})


@never_cache
@require_GET
@resident_required
def notice_pdf(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    """The printable PDF of a notice the resident may see."""
    notice = _own_notice(resident, public_id)
    response = HttpResponse(selectors.pdf_bytes(notice, now=timezone.now()), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.public_id}.pdf"'
    return response
