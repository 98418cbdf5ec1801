"""Staff pages of warnings: the list — hot-spot alerts (many same-topic reports in a community within days) on
top, each linking to the work queue filtered to its community, topic and days, then the stored petition-risk
warnings at or above the district's threshold, with counts by state, reasons and actions — the actions
themselves, the on-demand recomputation, and a district's threshold."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import invalid
from shequ.core.http import errors_to_form
from shequ.core.http import require_can as _require
from shequ.core.http import scoped_view as _scoped
from shequ.core.permissions import can

from . import domain, risk, selectors, services
from .domain import STATE_LABELS, State
from .errors import AnalysisError
from .forms import AssignForm, NoteForm, OptionalNoteForm, ThresholdForm
from .hotspots import Hotspot, HotspotSettings, hotspots_for

MAX_ROWS = 100


def queue_link(hotspot: Hotspot) -> str:
    """The 全部 queue filtered to the alert's community, topic and the days of its reports (查看这些诉求).

    The days run from the alert's first report to its last (the window when those are unknown). The queue
    filters whole days and every status, so it may also list a same-topic report from earlier on the first
    day, or one withdrawn since: the alert's cases are all there.
    """
    params = {"tab": "all", "category": hotspot.topic_public_id, "community": hotspot.community_public_id}
    start = hotspot.first_at or hotspot.window_start
    end = hotspot.last_at or hotspot.window_end
    if start is not None:
        params["submitted_from"] = timezone.localdate(start).isoformat()
    if end is not None:
        params["submitted_to"] = timezone.localdate(end).isoformat()
    return reverse("cases:case_queue") + "?" + urlencode(params)


ACTIONS = ("acknowledge", "assign", "note", "close")


def _row(actor: Any, w: Any, users_cache: dict[str, list[Any]]) -> dict[str, Any]:
    """What the list shows of one warning: reasons in words, state, person, and the forms the actor may use."""
    may_act = can(actor, "analysis.act_on_warning", w).allowed
    events = [e.value for e in domain.allowed_events(w.state)] if may_act else []
    users: list[Any] = []
    if "assign" in events:
        key = w.case.location_path
        if key not in users_cache:
            users_cache[key] = list(selectors.assignable_users(actor, w))
        users = users_cache[key]
    return {
        "w": w,
        "reasons": [
            risk.reason_with_points(r.get("code", ""), r.get("points", 0), r.get("params", {})) for r in w.reasons
        ],
        "state_label": STATE_LABELS[State(w.state)],
        "events": events,
        "users": users,
        "history": list(w.events.all())[-5:],
    }


@never_cache
@require_GET
@_scoped
def warning_list(request: HttpRequest) -> HttpResponse:
    """Hot-spot alerts, then the stored petition-risk warnings at or above the district's threshold (cases.view
    required): counts by state as filter tabs, each warning's reasons and the actions the user may take."""
    _require(request, "cases.view")
    state = request.GET.get("state", "")
    if state not in {s.value for s in State}:
        state = ""
    hotspots = hotspots_for(request.user)
    counts = selectors.counts_by_state(request.user)
    rows = selectors.listed_warnings(request.user, state=state).prefetch_related("events__assignee")[:MAX_ROWS]
    cache: dict[str, list[Any]] = {}
    context = {
        "rows": [_row(request.user, w, cache) for w in rows],
        "counts": counts,
        "total": sum(c.count for c in counts),
        "state": state,
        "threshold": selectors.threshold_for_actor(request.user),
        "may_recompute": can(request.user, "analysis.recompute").allowed,
        "may_set_threshold": can(request.user, "analysis.set_threshold").allowed,
        "hotspots": hotspots,
        "hotspot_links": [(h, queue_link(h)) for h in hotspots],
        "hotspot_settings": HotspotSettings.from_settings(),
        "max_rows": MAX_ROWS,
    }
    return render(request, "analysis/warnings.html", context)


def _back(request: HttpRequest) -> HttpResponse:
    state = request.POST.get("back_state", "")
    url = reverse("analysis:warnings")
    return redirect(f"{url}?{urlencode({'state': state})}" if state in {s.value for s in State} else url)


@never_cache
@require_POST
@_scoped
def warning_act(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """Acknowledge, assign, note or close one warning; back to the list with a message."""
    if action not in ACTIONS:
        raise Http404()
    warning = selectors.get_warning_for(request.user, public_id)
    number = warning.case.tracking_number
    try:
        if action == "assign":
            form = AssignForm(request.POST, users=selectors.assignable_users(request.user, warning))
            if not form.is_valid():
                raise invalid("user", _("只能指派给能看到该诉求的本辖区工作人员"), AnalysisError.ASSIGNEE_INVALID)
            user = form.cleaned_data["user"]
            services.warning_assign(actor=request.user, warning=warning, user=user, note=form.cleaned_data["note"])
            messages.success(request, _("已将 %(n)s 的预警指派给 %(u)s") % {"n": number, "u": user})
        elif action == "note":
            note_form = NoteForm(request.POST)
            text = note_form.cleaned_data["text"] if note_form.is_valid() else ""
            services.warning_note(actor=request.user, warning=warning, text=text)
            messages.success(request, _("已为 %(n)s 的预警添加备注") % {"n": number})
        else:
            optional = OptionalNoteForm(request.POST)
            note = optional.cleaned_data["note"] if optional.is_valid() else ""
            if action == "acknowledge":
                services.warning_acknowledge(actor=request.user, warning=warning, note=note)
                messages.success(request, _("已知悉 %(n)s 的预警") % {"n": number})
            else:
                services.warning_close(actor=request.user, warning=warning, note=note)
                messages.success(request, _("已关闭 %(n)s 的预警") % {"n": number})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, _("未能处置 %(n)s 的预警：%(reason)s") % {"n": number, "reason": message})
    return _back(request)


@never_cache
@require_POST
@_scoped
def warning_recompute(request: HttpRequest) -> HttpResponse:
    """Recompute the warnings of the user's territory now."""
    result = services.warnings_recompute(actor=request.user)
    messages.success(
        request,
        _("已重新计算 %(n)s 件在办诉求的预警，新增 %(c)s 条，重新打开 %(r)s 条")
        % {"n": result.cases, "c": result.created, "r": result.reopened},
    )
    return _back(request)


@never_cache
@require_http_methods(["GET", "POST"])
@_scoped
def threshold_edit(request: HttpRequest) -> HttpResponse:
    """A district officer sets the district's petition-risk threshold (audited)."""
    _require(request, "analysis.set_threshold")
    districts = selectors.districts_for(request.user)
    first = districts.first()
    initial = {"district": first.public_id if first else None, "threshold": selectors.threshold_of(first)}
    form = ThresholdForm(request.POST or None, districts=districts, initial=initial)
    if request.method == "POST" and form.is_valid():
        district = form.cleaned_data["district"]
        try:
            services.risk_threshold_set(actor=request.user, district=district, threshold=form.cleaned_data["threshold"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("%(d)s 的预警阈值已设为 %(n)s 分") % {"d": district.name, "n": form.cleaned_data["threshold"]},
            )
            return redirect("analysis:threshold")
    rows = [
        {"district": d, "threshold": selectors.threshold_of(d), "row": selectors.threshold_row(d)} for d in districts
    ]
    context = {"form": form, "rows": rows, "default": selectors.default_threshold()}
    return render(request, "analysis/threshold.html", context)
