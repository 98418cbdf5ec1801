"""Staff pages of dispute mediation: the dispute list with its follow-up queue, and one page per dispute.

Cases are fetched through the scoped selectors (outside the scope, or not a dispute, answers 404). Write
forms are shown only to those who may write; the services check again. A failed form re-renders the page
with the submitted values and the errors (status 400), so nothing typed is lost.
"""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from shequ.cases.domain import STATUS_LABELS
from shequ.core.errors import NotFound, ValidationError
from shequ.core.http import errors_to_form, require_can, scoped_view
from shequ.core.permissions import can
from shequ.registry import selectors as registry_selectors

from . import forms, selectors, services
from .domain import (
    ATTITUDE_LABELS,
    HONOURED_LABELS,
    OUTCOME_LABELS,
    PARTY_KIND_LABELS,
    PARTY_ROLE_LABELS,
    RISK_COLOUR_LABELS,
    VISIT_METHOD_LABELS,
    needs_follow_up,
)

PAGE_SIZE = 25
ACTIONS = ("risk", "party", "remove_party", "session", "agreement", "generate", "visit")


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else ""


# --- list --------------------------------------------------------------------------------------------------


@never_cache
@require_GET
@scoped_view
def dispute_list(request: HttpRequest) -> HttpResponse:
    """Disputes in scope with filters (risk colour, status, text), and the queue awaiting a follow-up visit."""
    require_can(request, "cases.view")
    queue = "follow_up" if request.GET.get("queue") == "follow_up" else ""
    filter_form = forms.FilterForm(request.GET)
    applied: dict[str, str] = {}
    if filter_form.is_valid():
        applied = {k: v for k, v in filter_form.cleaned_data.items() if v}
    qs = selectors.search(request.user, queue=queue, **applied)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for case in page.object_list:
        record = getattr(case, "dispute_record", None)
        colour = record.risk_colour if record else ""
        rows.append(
            {
                "case": case,
                "status_label": _label(STATUS_LABELS, case.status),
                "colour": colour,
                "colour_label": _label(RISK_COLOUR_LABELS, colour),
                "needs_follow_up": needs_follow_up(case.status, case.visit_count),
            }
        )
    page.object_list = rows
    context = {
        "filter_form": filter_form,
        "applied": applied,
        "queue": queue,
        "page": page,
        "follow_up_count": selectors.awaiting_follow_up_count(request.user),
    }
    return render(request, "disputes/dispute_list.html", context)


# --- dispute page ------------------------------------------------------------------------------------------


def _forms(request: HttpRequest, case: Any, parties: list[Any], agreement: Any, bound: dict[str, Any]) -> dict:
    user = request.user
    display = getattr(user, "display_name", "") or user.get_username()
    agreement_initial = (
        {"terms": agreement.terms, "signatories": [str(p.public_id) for p in agreement.signatories.all()]}
        if agreement
        else {}
    )
    return {
        "risk": bound.get("risk") or forms.RiskForm(prefix="risk"),
        "party": bound.get("party") or forms.PartyForm(prefix="party", actor=user, case=case),
        "session": bound.get("session")
        or forms.SessionForm(prefix="session", initial={"held_on": timezone.localdate(), "mediator_name": display}),
        "agreement": bound.get("agreement")
        or forms.AgreementForm(prefix="agreement", parties=parties, initial=agreement_initial),
        "visit": bound.get("visit") or forms.VisitForm(prefix="visit", initial={"visited_on": timezone.localdate()}),
    }


def _context(request: HttpRequest, case: Any, bound: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    user = request.user
    dispute = selectors.dispute_of(case)
    parties = list(selectors.parties(dispute))
    agreement = selectors.agreement(dispute)
    visits = list(selectors.visits(dispute))
    can_record = bool(can(user, "disputes.record", case))
    context = {
        "case": case,
        "dispute": dispute,
        "status_label": _label(STATUS_LABELS, case.status),
        "colour_label": _label(RISK_COLOUR_LABELS, dispute.risk_colour) if dispute else "",
        "risk_history": [
            {**h, "colour_label": _label(RISK_COLOUR_LABELS, h["after"].get("colour", ""))}
            for h in selectors.risk_history(case)
        ],
        "parties": [
            {
                "party": p,
                "kind_label": _label(PARTY_KIND_LABELS, p.kind),
                "role_label": _label(PARTY_ROLE_LABELS, p.role),
            }
            for p in parties
        ],
        "sessions": [{"s": s, "outcome_label": _label(OUTCOME_LABELS, s.outcome)} for s in selectors.sessions(dispute)],
        "agreement": agreement,
        "signatories": [
            f"{_label(PARTY_ROLE_LABELS, p.role)}：{p.name}" for p in (agreement.signatories.all() if agreement else [])
        ],
        "documents": list(selectors.documents(dispute)),
        "visits": [
            {
                "v": v,
                "method_label": _label(VISIT_METHOD_LABELS, v.method),
                "attitude_label": _label(ATTITUDE_LABELS, v.attitude),
                "honoured_label": _label(HONOURED_LABELS, v.honoured),
            }
            for v in visits
        ],
        "follow_up_open": case.status in ("resolved", "closed"),
        "needs_follow_up": needs_follow_up(case.status, len(visits)),
        "can_record": can_record,
        "can_set_risk": bool(can(user, "disputes.set_risk", case)),
    }
    if can_record:
        context["forms"] = _forms(request, case, parties, agreement, bound or {})
    elif context["can_set_risk"]:
        context["forms"] = {"risk": (bound or {}).get("risk") or forms.RiskForm(prefix="risk")}
    else:
        context["forms"] = {}
    context.update(extra)
    return context


@never_cache
@require_GET
@scoped_view
def dispute_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    case = selectors.get_dispute_case_for(request.user, public_id)
    require_can(request, "disputes.view", case)
    return render(request, "disputes/dispute_detail.html", _context(request, case))


def _bind(action: str, request: HttpRequest, case: Any) -> Any:
    data = request.POST
    if action == "risk":
        return forms.RiskForm(data, prefix="risk")
    if action == "party":
        return forms.PartyForm(data, prefix="party", actor=request.user, case=case)
    if action == "session":
        return forms.SessionForm(data, prefix="session")
    if action == "agreement":
        dispute = selectors.dispute_of(case)
        return forms.AgreementForm(data, prefix="agreement", parties=list(selectors.parties(dispute)))
    if action == "visit":
        return forms.VisitForm(data, prefix="visit")
    return None


def _run(action: str, request: HttpRequest, case: Any, data: dict[str, Any]) -> str:
    actor = request.user
    if action == "risk":
        services.dispute_set_risk(actor=actor, case=case, colour=data["colour"], reason=data["reason"])
        return _("已标定风险等级")
    if action == "party":
        resident = registry_selectors.get_resident_for(actor, data["resident"]) if data.get("resident") else None
        household = registry_selectors.get_household_for(actor, data["household"]) if data.get("household") else None
        services.party_add(
            actor=actor,
            case=case,
            data=services.PartyInput(
                kind=data["kind"], role=data["role"], name=data["name"], resident=resident, household=household
            ),
        )
        return _("已添加当事人")
    if action == "session":
        services.session_add(
            actor=actor,
            case=case,
            data=services.SessionInput(
                held_on=data["held_on"],
                place=data["place"],
                attendees=data["attendees"],
                summary=data["summary"],
                outcome=data["outcome"],
                mediator=actor,
                mediator_name=data["mediator_name"],
            ),
        )
        return _("已登记调解记录")
    if action == "agreement":
        services.agreement_save(actor=actor, case=case, terms=data["terms"], signatory_ids=data["signatories"])
        return _("已保存协议内容")
    services.visit_add(
        actor=actor,
        case=case,
        data=services.VisitInput(
            visited_on=data["visited_on"],
            method=data["method"],
            attitude=data["attitude"],
            honoured=data["honoured"],
            note=data["note"],
        ),
    )
    return _("已登记回访记录")


@never_cache
@require_POST
@scoped_view
def dispute_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """Run one write on the dispute; form errors re-render the page with what was typed."""
    if action not in ACTIONS:
        raise NotFound()
    case = selectors.get_dispute_case_for(request.user, public_id)
    require_can(request, "disputes.set_risk" if action == "risk" else "disputes.record", case)
    detail = redirect("disputes:dispute_detail", public_id=case.public_id)
    if action in ("remove_party", "generate"):
        try:
            if action == "remove_party":
                services.party_remove(actor=request.user, case=case, party_id=request.POST.get("party", ""))
                messages.success(request, _("已移除当事人"))
            else:
                doc = services.agreement_generate(actor=request.user, case=case)
                messages.success(request, _("已生成调解协议书第 %(v)s 版") % {"v": doc.version})
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return detail
    form = _bind(action, request, case)
    if form.is_valid():
        try:
            done = _run(action, request, case, form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors_to_form(form, exc)
            else:
                form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, done)
            return detail
    context = _context(request, case, bound={action: form}, failed_action=action)
    return render(request, "disputes/dispute_detail.html", context, status=400)


@never_cache
@require_GET
@scoped_view
def agreement_download(request: HttpRequest, public_id: str, version: int) -> HttpResponse:
    """Download one generated version of the agreement PDF (the download is audited)."""
    case = selectors.get_dispute_case_for(request.user, public_id)
    document = selectors.get_document(case, version)
    services.agreement_download_audit(actor=request.user, case=case, document=document)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{case.tracking_number}-v{document.version}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-SHA256"] = document.sha256
    return response
