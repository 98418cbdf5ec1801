"""Staff pages of cases: the work queues, the case page with its timeline and permitted actions, staff entry.

Every case is fetched through the scoped selector (outside the scope answers 404, as missing does). The case
page offers the actions of `next_steps` (the expected one as the primary button, the others in a menu); a
destructive one runs only after a confirmation page; the services check permission and state again. The
reporter's mobile is shown masked; a revealed number is rendered once in the POST response. A handling unit sees
the reporter only as placeholders (`selectors.reporter_view`); where the reporter consented it may ask for name
and number with a reason, also rendered once.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.actors import describe_labels
from shequ.core.errors import InvalidTransition, NotFound, ValidationError
from shequ.core.http import errors_to_form as _errors_to_form
from shequ.core.http import require_can as _require
from shequ.core.http import scoped_view as _scoped
from shequ.core.permissions import can
from shequ.territory import selectors as territory_selectors

from . import case_actions, forms, next_steps, selectors, services, triage
from .domain import (
    CHANNEL_LABELS,
    EVENT_LABELS,
    SATISFACTION_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    current_stage,
    is_overdue,
    running_deadline,
)
from .selectors import select_queue

PAGE_SIZE = 25


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else ""


# --- queue -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A case as the queue shows it: labels instead of codes, the running deadline and whether it has passed,
    and in 待分拣 the suggested category with its confidence."""

    case: Any
    type_label: str
    status_label: str
    overdue: bool
    suggestion: str = ""
    suggestion_percent: int | None = None
    deadline: Any = None  # the running stage deadline (not the escalation check)
    stage_label: str = ""


def _row(case: Any, now: Any, *, with_suggestion: bool = False) -> Row:
    suggested = case.suggested_category if with_suggestion else None
    deadline = running_deadline(case.status, case)
    stage = current_stage(case.status)
    return Row(
        case=case,
        deadline=deadline,
        stage_label=str(STAGE_LABELS[stage]) if stage is not None else "",
        type_label=_label(TYPE_LABELS, case.case_type),
        status_label=_label(STATUS_LABELS, case.status),
        overdue=is_overdue(deadline, now),
        suggestion=_category_path(suggested) if suggested is not None else "",
        suggestion_percent=round((case.suggestion_confidence or 0) * 100) if suggested is not None else None,
    )


def _filter_summary(selection: Any) -> list[str]:
    """The filters in use, in words: 分类：噪音, 提交日期：2026-03-13 至 2026-03-16 …"""
    form, applied = selection.form, selection.applied
    parts = []
    if applied.get("text"):
        parts.append(_("标题包含：%(v)s") % {"v": applied["text"]})
    for name in ("status", "category", "community"):
        if applied.get(name):
            parts.append(f"{form.fields[name].label}：{form.choice_label(name, applied[name])}")
    if applied.get("stage"):
        parts.append(_("时限阶段：%(v)s") % {"v": _label(STAGE_LABELS, applied["stage"])})
    start, end = applied.get("submitted_from"), applied.get("submitted_to")
    if start or end:
        parts.append(_("提交日期：%(start)s 至 %(end)s") % {"start": start or _("不限"), "end": end or _("不限")})
    return parts


@never_cache
@require_GET
@_scoped
def case_queue(request: HttpRequest) -> HttpResponse:
    """The staff work queues (tabs) with filters (title, status, category or topic, community, submitted dates),
    25 a page; 待分拣 adds the suggested categories and the bulk triage form."""
    _require(request, "cases.view")
    selection = select_queue(request.user, request.GET)  # the same selection the Excel export writes
    tab, applied = selection.tab, selection.applied
    in_triage = tab == "triage"
    qs = selection.queryset.select_related("suggested_category__parent__parent") if in_triage else selection.queryset
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    page.object_list = [_row(c, now, with_suggestion=in_triage) for c in page.object_list]
    context = {
        "tab": tab,
        "tabs": list(forms.QUEUE_TABS.items()),
        "empty_text": forms.QUEUE_EMPTY[tab],
        "filter_form": selection.form,
        "filter_errors": selection.errors,
        "applied": applied,
        "filter_summary": _filter_summary(selection),
        "export_query": urlencode({"tab": tab, **applied}),
        "page": page,
        "bulk_form": forms.BulkTriageForm() if in_triage and page.object_list else None,
        "bulk_limit": triage.TRIAGE_BULK_LIMIT,
        "can_submit": bool(can(request.user, "cases.submit")),
        "can_import_hotline": bool(can(request.user, "cases.import_hotline")),
        "can_view_routing_stats": bool(can(request.user, "cases.view_routing_stats")),
    }
    return render(request, "cases/case_queue.html", context)


# --- bulk triage -------------------------------------------------------------------------------------------


def _queue_return(request: HttpRequest) -> str:
    """The queue page the bulk form was sent from (tab, filters, page), or 待分拣."""
    queue = reverse("cases:case_queue")
    target = request.POST.get("next", "")
    if target.startswith(queue + "?") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return queue + "?tab=triage"


def _numbers(items: list[Any], limit: int = 20) -> str:
    numbers = [item.case.tracking_number for item in items]
    text = "、".join(numbers[:limit])
    if len(numbers) > limit:
        text += _(" 等%(n)d件") % {"n": len(numbers)}
    return text


def _report_bulk(request: HttpRequest, done: triage.BulkTriage) -> None:
    """Say per case what happened: how many were confirmed (with their numbers), which were skipped and why."""
    if done.ready:
        messages.success(
            request, _("已确认分类 %(n)d 件：%(numbers)s") % {"n": len(done.ready), "numbers": _numbers(done.ready)}
        )
    else:
        messages.warning(request, _("没有诉求被分拣"))
    by_reason: dict[str, list[Any]] = {}
    for item in done.skipped:
        by_reason.setdefault(item.skip_reason, []).append(item)
    for reason, items in by_reason.items():
        messages.warning(
            request,
            _("%(n)d 件未分拣（%(reason)s）：%(numbers)s")
            % {"n": len(items), "reason": reason, "numbers": _numbers(items)},
        )
    if done.missing:
        messages.warning(request, _("%(n)d 件未找到（不存在或不在您的辖区内），未分拣") % {"n": done.missing})


@never_cache
@require_POST
@_scoped
def triage_bulk(request: HttpRequest) -> HttpResponse:
    """Bulk triage of the cases ticked in 待分拣: the first POST shows what will happen to each (step "review"),
    the second confirms each through `case_triage` (step "confirm") and goes back to the queue with the outcome."""
    _require(request, "cases.view")
    back = _queue_return(request)
    ticked = request.POST.getlist("case")
    if not ticked:
        messages.error(request, _("请先勾选要分拣的诉求"))
        return redirect(back)
    form = forms.BulkTriageForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    category = None
    if data["mode"] == form.CHOSEN:
        category = selectors.category_by_public_id(data["category"])
        if category is None:
            messages.error(request, _("请选择有效的分类"))
            return redirect(back)
    try:
        if data["step"] == form.CONFIRM:
            done = triage.case_triage_bulk(actor=request.user, public_ids=ticked, category=category, note=data["note"])
        else:
            plan = triage.case_triage_bulk_preview(actor=request.user, public_ids=ticked, category=category)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    if data["step"] == form.CONFIRM:
        _report_bulk(request, done)
        return redirect(back)
    rows = [
        {
            "case": item.case,
            "suggestion": _category_path(item.case.suggested_category),
            "percent": round((item.case.suggestion_confidence or 0) * 100),
            "target": _category_path(item.category) if not item.skip_reason else "",
            "skip_reason": item.skip_reason,
        }
        for item in plan.items
    ]
    context = {
        "review": plan,
        "review_rows": rows,
        "review_ticked": ticked,
        "review_data": data,
        "review_category": _category_path(category) if category is not None else "",
        "back": back,
    }
    return render(request, "cases/case_queue.html", context)


# --- case page ---------------------------------------------------------------------------------------------


def _available_actions(request: HttpRequest, case: Any, bound: dict[str, Any]) -> list[dict[str, Any]]:
    """The actions offered now (`next_steps`), the expected next one first, each with its own form."""
    steps = next_steps.steps_for(request.user, case)
    return [
        {
            "name": name,
            "label": case_actions.ACTIONS[name].label,
            "form": bound.get(name) or case_actions.make_form(name, request.user, case),
            "primary": name == steps.primary,
            "confirm": name in next_steps.DESTRUCTIVE,
        }
        for name in steps.names
    ]


MALICIOUS_LABELS = {
    "proposed": gettext_lazy("恶意诉求（待复核）"),
    "confirmed": gettext_lazy("恶意诉求（已确认）"),
    "dismissed": gettext_lazy("恶意诉求标记未获认定"),
}
NOTE_LABELS = {
    "submit": gettext_lazy("提交"),
    "triage": gettext_lazy("分拣（确认分类）"),
    "request": gettext_lazy("申请延期/中止"),
    "extend": gettext_lazy("批准延期"),
    "request_refused": gettext_lazy("申请未获批准"),
    "assist": gettext_lazy("协办意见"),
    "merge_in": gettext_lazy("并入重复诉求"),
    "malicious_flag": gettext_lazy("提出恶意诉求标记"),
    "malicious_review": gettext_lazy("复核恶意诉求标记"),
}


def _timeline(case: Any) -> list[dict[str, Any]]:
    """The case's steps for staff; who acted is in words ("居民 程*", "匿名居民", "自动升级"), never an id."""
    steps = list(selectors.timeline(case))
    labels = describe_labels([("", "", t.actor_label) for t in steps])
    return [
        {
            "at": t.at,
            "event": _label(NOTE_LABELS, t.event) if t.event in NOTE_LABELS else _label(EVENT_LABELS, t.event),
            "from_status": _label(STATUS_LABELS, t.from_status),
            "to_status": _label(STATUS_LABELS, t.to_status),
            "from_holder": t.from_holder.name if t.from_holder_id else "",
            "to_holder": t.to_holder.name if t.to_holder_id else "",
            "actor_label": label,
            "note": t.note,
        }
        for t, label in zip(steps, labels, strict=True)
    ]


def _case_context(request: HttpRequest, case: Any, **extra: Any) -> dict[str, Any]:
    bound = extra.pop("bound", {})
    user = request.user
    now = timezone.now()
    context = {
        "case": case,
        "row": _row(case, now),
        "channel_label": _label(CHANNEL_LABELS, case.channel),
        "satisfaction_label": _label(SATISFACTION_LABELS, case.satisfaction),
        "category_path": _category_path(case.category),
        "reporter": selectors.reporter_view(user, case),
        "timeline": _timeline(case),
        "assignments": list(selectors.assignments_of(case)),
        "requests": list(selectors.requests_of(case)),
        "malicious_label": _label(MALICIOUS_LABELS, case.malicious_status),
        "suggestion": _suggestion_context(case),
    }
    actions = _available_actions(request, case, bound)
    context["actions"] = actions
    context["primary_action"] = next((a for a in actions if a["primary"]), None)
    context["menu_actions"] = [a for a in actions if not a["primary"]]
    context.update(extra)
    return context


SOURCE_LABELS = {"model": gettext_lazy("分类模型"), "rules": gettext_lazy("关键词规则")}
LEVEL_LABELS = {
    "micro_grid": gettext_lazy("微网格"),
    "grid": gettext_lazy("网格"),
    "community": gettext_lazy("社区"),
    "street": gettext_lazy("街道"),
    "department": gettext_lazy("职能部门"),
}


def _suggestion_context(case: Any) -> dict[str, Any] | None:
    """The category suggested at intake (with its confidence and source) and the routing suggestion."""
    from .suggest import suggest_route

    route = suggest_route(case) if case.status in ("submitted", "accepted") else None
    if case.suggested_category_id is None and route is None and not case.needs_triage:
        return None
    return {
        "category_path": _category_path(case.suggested_category),
        "confidence": case.suggestion_confidence,
        "percent": round((case.suggestion_confidence or 0) * 100),
        "source_label": _label(SOURCE_LABELS, case.suggestion_source),
        "differs": case.category_id is not None and case.suggested_category_id not in (None, case.category_id),
        "route_target": route.target.name if route else "",
        "route_level": _label(LEVEL_LABELS, route.level) if route else "",
    }


def _category_path(category: Any) -> str:
    names = []
    node = category
    while node is not None:
        names.append(node.name)
        node = node.parent
    return " › ".join(reversed(names))


@never_cache
@require_GET
@_scoped
def case_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    case = selectors.get_case_for(request.user, public_id)
    return render(request, "cases/case_detail.html", _case_context(request, case))


@never_cache
@require_POST
@_scoped
def case_reporter_mobile(request: HttpRequest, public_id: str) -> HttpResponse:
    """Show the reporter's mobile in clear, once, in this response; the service audits it."""
    case = selectors.get_case_for(request.user, public_id)
    value = services.reporter_mobile(actor=request.user, case=case)
    return render(request, "cases/case_detail.html", _case_context(request, case, revealed_mobile=value))


@never_cache
@require_http_methods(["GET", "POST"])
@_scoped
def case_reporter_contact(request: HttpRequest, public_id: str) -> HttpResponse:
    """The handling unit asks for the reporter's name and number with a reason; shown in this response only."""
    case = selectors.get_case_for(request.user, public_id)
    _require(request, "cases.contact_reporter", case)
    form = forms.ReporterContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.reporter_contact(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _errors_to_form(form, exc, {})
        else:
            return render(request, "cases/case_detail.html", _case_context(request, case, revealed_contact=contact))
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/reporter_contact.html", {"case": case, "form": form}, status=status)


def _refuse_unoffered(request: HttpRequest, action: str, case: Any) -> HttpResponse:
    """An action the page does not offer now: 403 without its permission, else say why and change nothing."""
    permission = next_steps.RULES[action].permission
    obj = selectors.pending_request(case) if action == "decide" else case
    _require(request, permission, obj)
    if permission == next_steps.HOLD and not next_steps.holds(request.user, case):
        holder = case.holder_unit or case.holder
        messages.error(request, _("该诉求现由%(holder)s办理") % {"holder": holder.name})
    else:
        messages.error(request, _("当前状态不能执行该操作"))
    return redirect("cases:case_detail", public_id=case.public_id)


def _confirmation(request: HttpRequest, case: Any, action: str, form: Any) -> HttpResponse:
    """The confirmation step of a destructive action: what will happen, with the entered values, posted again."""
    hidden = [
        (key, value)
        for key in request.POST
        if key not in ("csrfmiddlewaretoken", "confirmed")
        for value in request.POST.getlist(key)
    ]
    context = {
        "case": case,
        "action": action,
        "label": case_actions.ACTIONS[action].label,
        "question": case_actions.ACTIONS[action].confirm,
        "values": case_actions.shown_values(form),
        "hidden": hidden,
    }
    return render(request, "cases/case_action_confirm.html", context)


@never_cache
@require_POST
@_scoped
def case_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """Run one action the case page offers now (`next_steps`). A destructive one first answers with a confirmation
    page and runs only when that page is posted (confirmed=1). Errors re-render the case page; an action not
    offered now answers with a message and changes nothing."""
    if action not in case_actions.ACTIONS:
        raise NotFound()
    case = selectors.get_case_for(request.user, public_id)
    if action not in next_steps.steps_for(request.user, case):
        return _refuse_unoffered(request, action, case)
    form = case_actions.make_form(action, request.user, case, request.POST)
    if form.is_valid():
        if action in next_steps.DESTRUCTIVE and request.POST.get("confirmed") != "1":
            return _confirmation(request, case, action, form)
        try:
            done = case_actions.run(action, request.user, case, form.cleaned_data)
        except InvalidTransition:
            messages.error(request, _("当前状态不能执行该操作"))
            return redirect("cases:case_detail", public_id=case.public_id)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, done)
            return redirect("cases:case_detail", public_id=case.public_id)
    case = selectors.get_case_for(request.user, public_id)  # the page shows the stored state, not a half-done one
    context = _case_context(request, case, bound={action: form}, failed_action=action)
    return render(request, "cases/case_detail.html", context, status=400)


# --- staff entry -------------------------------------------------------------------------------------------


def _input(request: HttpRequest, data: dict[str, Any]) -> services.CaseInput:
    user = request.user
    category = None
    if data.get("category"):
        category = selectors.categories().filter(public_id=data["category"]).first()
    building = territory_selectors.get_building_for(user, data["building"]) if data.get("building") else None
    community = None
    if building is None and data.get("community"):
        community = territory_selectors.get_area_for(user, data["community"])
        if community.level != "community":
            raise NotFound()
    return services.CaseInput(
        case_type=data["case_type"],
        title=data["title"],
        description=data["description"],
        channel=data["channel"],
        category=category,
        community=community,
        building=building,
        address=data["address"],
        reporter_name=data["reporter_name"],
        reporter_mobile=data["reporter_mobile"],
        anonymous=data["anonymous"],
        contact_consent=data["contact_consent"],
    )


@never_cache
@require_http_methods(["GET", "POST"])
@_scoped
def case_create(request: HttpRequest) -> HttpResponse:
    """Staff entry for a phone call, a walk-in or a grid worker's report."""
    _require(request, "cases.submit")
    form = forms.CaseEntryForm(request.POST if request.method == "POST" else None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_submit(actor=request.user, data=_input(request, form.cleaned_data))
        except ValidationError as exc:
            _errors_to_form(form, exc, {"location": "building"})
        else:
            messages.success(request, _("已登记诉求，受理编号 %(n)s") % {"n": case.tracking_number})
            if case.suggested_category_id is not None and case.suggested_category_id != case.category_id:
                messages.info(
                    request,
                    _("建议分类：%(name)s（置信度 %(p)d%%），与所选分类不同，可在诉求页面分拣更正")
                    % {"name": case.suggested_category.name, "p": round((case.suggestion_confidence or 0) * 100)},
                )
            return redirect("cases:case_detail", public_id=case.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/case_form.html", {"form": form}, status=status)


# --- 12345 hotline import ---------------------------------------------------------------------------------


@_scoped
@require_http_methods(["GET", "POST"])
def hotline_import(request: HttpRequest) -> HttpResponse:
    """Upload a 12345 work-order file; every row is validated and imported once (by its order number)."""
    from .hotline import HEADERS, import_hotline

    _require(request, "cases.import_hotline")
    communities = [
        a
        for a in territory_selectors.areas_for(request.user).filter(level="community")
        if can(request.user, "cases.import_hotline", a)
    ]
    report, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("请选择要导入的文件")
        elif upload.size > 10 * 1024 * 1024:
            error = _("文件不能超过10MB")
        else:
            try:
                report = import_hotline(
                    actor=request.user, fileobj=upload, filename=upload.name, communities=communities
                )
            except ValidationError as exc:
                error = "；".join(exc.messages)
    columns = [(aliases[0], key in ("order", "text", "community")) for key, aliases in HEADERS.items()]
    return render(request, "cases/hotline_import.html", {"report": report, "error": error, "columns": columns})


# --- suggestion statistics ---------------------------------------------------------------------------------


@never_cache
@require_GET
@_scoped
def routing_accuracy(request: HttpRequest) -> HttpResponse:
    """Per category: routing suggestions accepted or overridden, by month; and the category suggestions'
    accuracy against the category finally set. District officers and system admins, for their subtree."""
    from datetime import datetime, time, timedelta

    _require(request, "cases.view_routing_stats")
    try:
        months = max(1, min(36, int(request.GET.get("months", "12"))))
    except ValueError:
        months = 12
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    until = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    routing = selectors.routing_stats(request.user, since=since, until=until)
    month_rows = [
        {"month": month, "category": label, "tally": tally}
        for (month, label), tally in sorted(routing.by_month.items(), key=lambda kv: (kv[0][0], kv[0][1]), reverse=True)
    ]
    context = {
        "months": months,
        "since": first,
        "until": today,
        "routing": routing,
        "category_rows": sorted(routing.by_category.items()),
        "month_rows": month_rows,
        "classifier_rows": selectors.classifier_stats(request.user, since=since, until=until),
    }
    return render(request, "cases/routing_accuracy.html", context)
