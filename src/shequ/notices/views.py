"""Staff pages of public notices: the list, a new notice or correction (draft), publishing after a confirmation,
the notice with its objections and answer forms, withdrawing with a reason, the objection list, the PDF.

Notices are fetched through the scoped selectors (outside the scope answers 404); a refused action answers 403.
Forms are shown only to those who may write; the services check again. A failed form re-renders with what was
typed (status 400).
"""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import ValidationError
from shequ.core.http import errors_to_form, require_can, scoped_view
from shequ.core.permissions import can

from . import selectors, services
from .domain import (
    CHANNEL_LABELS,
    KIND_LABELS,
    OBJECTION_STATUS_LABELS,
    PHASE_LABELS,
    STATUS_LABELS,
    ObjectionStatus,
    Status,
    period_days,
    phase,
)
from .forms import AnswerForm, FilterForm, NoticeForm, RecordForm, WithdrawForm, place_value

PAGE_SIZE = 25


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else ""


def _describe(notice: Any, today: Any) -> dict[str, Any]:
    return {
        "notice": notice,
        "kind_label": _label(KIND_LABELS, notice.kind),
        "status_label": _label(STATUS_LABELS, notice.status),
        "phase": phase(notice.starts_on, notice.ends_on, today).value,
        "phase_label": _label(PHASE_LABELS, phase(notice.starts_on, notice.ends_on, today)),
        "days": period_days(notice.starts_on, notice.ends_on),
        "place": selectors.addressed_to(notice),
    }


# --- list ----------------------------------------------------------------------------------------------------


@never_cache
@require_GET
@scoped_view
def notice_list(request: HttpRequest) -> HttpResponse:
    """Notices of the actor's scope with search and filters (kind, status, period), paginated."""
    require_can(request, "notices.view")
    today = timezone.localdate()
    form = FilterForm(request.GET)
    applied: dict[str, str] = {}
    if form.is_valid():
        applied = {k: v for k, v in form.cleaned_data.items() if v}
    qs = selectors.search(request.user, selectors.NoticeFilters(**applied), today=today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": form,
        "applied": applied,
        "page": page,
        "rows": [_describe(n, today) for n in page.object_list],
        "can_publish": bool(can(request.user, "notices.publish")),
        "open_objections": selectors.open_objection_count(request.user),
    }
    return render(request, "notices/notice_list.html", context)


# --- new, edit -----------------------------------------------------------------------------------------------


def _notice_form(request: HttpRequest, **kwargs: Any) -> NoticeForm:
    places = selectors.publish_places(request.user)
    return NoticeForm(request.POST or None, places=places, min_days=services.min_days(), **kwargs)


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def notice_new(request: HttpRequest) -> HttpResponse:
    """Write a new notice as a draft; `?corrects=<id>` starts a correction of a published notice."""
    require_can(request, "notices.publish")
    old = None
    corrects = request.GET.get("corrects") or request.POST.get("corrects")
    initial: dict[str, Any] = {}
    if corrects:
        old = selectors.get_notice_for(request.user, corrects)
        require_can(request, "notices.publish", old)
        initial = {
            "place": place_value(old),
            "kind": old.kind,
            "title": _("%(t)s（更正）") % {"t": old.title},
            "body": old.body,
        }
    form = _notice_form(request, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = services.notice_draft_create(
                    actor=request.user,
                    **form.place_parts(),
                    kind=data["kind"],
                    title=data["title"],
                    body=data["body"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    supersedes=old,
                )
            except ValidationError as exc:
                errors_to_form(form, exc, {"area": "place", "compound": "place", "building": "place"})
            else:
                messages.success(request, _("草稿已保存，请核对后发布"))
                return redirect("notices:notice_detail", public_id=notice.public_id)
    context = {"form": form, "old": old, "editing": None}
    return render(request, "notices/notice_form.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def notice_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    """Change a draft (a published notice is corrected by a new one)."""
    notice = selectors.get_notice_for(request.user, public_id)
    require_can(request, "notices.publish", notice)
    if notice.status != Status.DRAFT:
        messages.error(request, _("已发布的公示不能修改；如需更正，请发布更正公示"))
        return redirect("notices:notice_detail", public_id=notice.public_id)
    initial = {
        "place": place_value(notice),
        "kind": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "starts_on": notice.starts_on,
        "ends_on": notice.ends_on,
    }
    form = _notice_form(request, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data, parts = form.cleaned_data, form.place_parts()
            if parts["area"].pk != notice.community_id:
                form.add_error("place", _("草稿的社区不能更改，请新建公示"))
            else:
                try:
                    services.notice_draft_update(
                        actor=request.user,
                        notice=notice,
                        compound=parts["compound"],
                        building=parts["building"],
                        kind=data["kind"],
                        title=data["title"],
                        body=data["body"],
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                    )
                except ValidationError as exc:
                    errors_to_form(form, exc, {"compound": "place", "building": "place"})
                else:
                    messages.success(request, _("草稿已保存"))
                    return redirect("notices:notice_detail", public_id=notice.public_id)
    context = {"form": form, "old": notice.supersedes, "editing": notice}
    return render(request, "notices/notice_form.html", context, status=status)


# --- detail, objections --------------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, notice: Any, **extra: Any) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    can_answer = bool(can(user, "notices.answer", notice))
    can_record = bool(can(user, "notices.record_objection", notice)) and notice.status == Status.PUBLISHED
    objections: list[dict[str, Any]] = []
    for o in selectors.objections_of_notice(notice):
        objections.append(
            {
                "o": o,
                "status_label": _label(OBJECTION_STATUS_LABELS, o.status),
                "channel_label": _label(CHANNEL_LABELS, o.channel),
                "form": extra.pop(f"answer_{o.public_id}", None) or AnswerForm(prefix=f"a-{o.public_id}"),
            }
        )
    record_form = extra.pop("record_form", None)
    if can_record and record_form is None:
        record_form = RecordForm(prefix="record", residents=selectors.residents_in_area(user, notice))
    context = {
        **_describe(notice, today),
        "objections": objections,
        "open_count": sum(1 for row in objections if row["o"].status == ObjectionStatus.OPEN),
        "corrections": list(selectors.corrections_of(notice)),
        "can_publish": bool(can(user, "notices.publish", notice)),
        "can_withdraw": bool(can(user, "notices.withdraw", notice))
        and notice.status in (Status.DRAFT, Status.PUBLISHED),
        "can_answer": can_answer,
        "record_form": record_form if can_record else None,
        **extra,
    }
    return context


@never_cache
@require_GET
@scoped_view
def notice_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    notice = selectors.get_notice_for(request.user, public_id)
    require_can(request, "notices.view", notice)
    return render(request, "notices/notice_detail.html", _detail_context(request, notice))


@never_cache
@require_POST
@scoped_view
def objection_answer(request: HttpRequest, public_id: str) -> HttpResponse:
    """Answer one objection; errors re-render the notice page with the typed answer."""
    objection = selectors.get_objection_for(request.user, public_id)
    require_can(request, "notices.answer", objection)
    notice = objection.notice
    form = AnswerForm(request.POST, prefix=f"a-{objection.public_id}")
    if form.is_valid():
        try:
            services.objection_answer(actor=request.user, objection=objection, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("已答复异议"))
            next_url = request.POST.get("next", "")
            if next_url == "list":
                return redirect("notices:objection_list")
            return redirect("notices:notice_detail", public_id=notice.public_id)
    context = _detail_context(request, notice, **{f"answer_{objection.public_id}": form, "failed": True})
    return render(request, "notices/notice_detail.html", context, status=400)


@never_cache
@require_POST
@scoped_view
def objection_record(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record an objection a resident gave on paper, by phone or in person."""
    notice = selectors.get_notice_for(request.user, public_id)
    require_can(request, "notices.record_objection", notice)
    form = RecordForm(request.POST, prefix="record", residents=selectors.residents_in_area(request.user, notice))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.objection_record(
                actor=request.user,
                notice=notice,
                resident=form.residents[data["resident"]],
                text=data["text"],
                channel=data["channel"],
                received_on=data["received_on"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("已登记异议"))
            return redirect("notices:notice_detail", public_id=notice.public_id)
    context = _detail_context(request, notice, record_form=form, failed=True)
    return render(request, "notices/notice_detail.html", context, status=400)


@never_cache
@require_GET
@scoped_view
def objection_list(request: HttpRequest) -> HttpResponse:
    """Objections of the actor's scope: all, or those waiting for an answer (?status=open, the home to-do)."""
    require_can(request, "notices.view")
    status = request.GET.get("status", "")
    if status not in {s.value for s in ObjectionStatus}:
        status = ""
    qs = selectors.objection_search(request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "o": o,
            "status_label": _label(OBJECTION_STATUS_LABELS, o.status),
            "channel_label": _label(CHANNEL_LABELS, o.channel),
        }
        for o in page.object_list
    ]
    context = {"page": page, "rows": rows, "status": status, "open_count": selectors.open_objection_count(request.user)}
    return render(request, "notices/objection_list.html", context)


# --- publish, withdraw, PDF ----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def notice_publish(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET shows what will be published and asks for confirmation; POST publishes the draft."""
    notice = selectors.get_notice_for(request.user, public_id)
    require_can(request, "notices.publish", notice)
    if notice.status != Status.DRAFT:
        return redirect("notices:notice_detail", public_id=notice.public_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.notice_publish_draft(actor=request.user, notice=notice)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("公示已发布"))
            return redirect("notices:notice_detail", public_id=notice.public_id)
    context = {**_describe(notice, timezone.localdate()), "errors": errors}
    return render(request, "notices/notice_publish.html", context, status=400 if errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def notice_withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET asks for the reason and confirmation; POST withdraws (the notice and its objections are kept)."""
    notice = selectors.get_notice_for(request.user, public_id)
    require_can(request, "notices.withdraw", notice)
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.notice_withdraw(actor=request.user, notice=notice, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("公示已撤回"))
                return redirect("notices:notice_detail", public_id=notice.public_id)
    context = {**_describe(notice, timezone.localdate()), "form": form}
    return render(request, "notices/notice_withdraw.html", context, status=status)


def pdf_response(notice: Any) -> HttpResponse:
    """The notice's PDF, rendered now (not stored: it is public text, regenerated on every download)."""
    response = HttpResponse(selectors.pdf_bytes(notice, now=timezone.now()), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.public_id}.pdf"'
    return response


@never_cache
@require_GET
@scoped_view
def notice_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    notice = selectors.get_notice_for(request.user, public_id)
    require_can(request, "notices.view", notice)
    return pdf_response(notice)
