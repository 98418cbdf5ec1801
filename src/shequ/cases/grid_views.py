"""Grid worker phone pages: my micro-grid's open cases with quick actions, and the quick report.

Light pages for a phone: large cards and buttons, no JavaScript. Every write goes through the services, which
check permission and the transition table again; a button is shown only when both allow it. A quick report ticked
"现场已处理" is resolved in one go (`onsite.case_resolve_on_the_spot`) only for an actor allowed
`cases.resolve_on_the_spot` (a grid worker alone may not accept); otherwise it is submitted with the on-the-spot
reply in its description and the community accepts it.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import InvalidTransition, NotFound, ValidationError
from shequ.core.http import errors_to_form, require_can, scoped_view
from shequ.core.permissions import can
from shequ.territory import selectors as territory_selectors

from . import onsite, selectors, services
from .domain import OPEN_STATUSES, STATUS_LABELS, TYPE_LABELS, Channel, Event, allowed_events, is_overdue

BUILDING_LIMIT = 300
TITLE_LENGTH = 20
COMMUNITY_BRANCH = "S01-"


# --- forms -------------------------------------------------------------------------------------------------


class StartForm(forms.Form):
    pass


class ReplyForm(forms.Form):
    reply = forms.CharField(label=gettext_lazy("答复意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("退单理由"), max_length=2000)


QUICK: dict[str, tuple[Event, type[forms.Form], Any]] = {
    "start": (Event.START, StartForm, gettext_lazy("签收")),
    "resolve": (Event.RESOLVE, ReplyForm, gettext_lazy("办结")),
    "return": (Event.RETURN, ReturnForm, gettext_lazy("退单")),
}


class QuickReportForm(forms.Form):
    building = forms.ChoiceField(label=gettext_lazy("楼栋"))
    category = forms.ChoiceField(label=gettext_lazy("分类"), required=False)
    case_type = forms.ChoiceField(
        label=gettext_lazy("类型"), choices=[(t.value, lbl) for t, lbl in TYPE_LABELS.items()], initial="help"
    )
    description = forms.CharField(
        label=gettext_lazy("情况描述"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    handled = forms.BooleanField(label=gettext_lazy("现场已处理"), required=False)
    reply = forms.CharField(
        label=gettext_lazy("处理情况"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        buildings = (
            territory_selectors.buildings_for(actor)
            .select_related("compound")
            .order_by("compound__name", "number", "id")[:BUILDING_LIMIT]
        )
        self.fields["building"].choices = [("", _("请选择楼栋"))] + [
            (str(b.public_id), f"{b.compound.name} {b.name}") for b in buildings
        ]
        cats = selectors.categories().filter(level=3, code__startswith=COMMUNITY_BRANCH)
        self.fields["category"].choices = [("", _("（不选分类）"))] + [(str(c.public_id), c.name) for c in cats]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("handled") and len((data.get("reply") or "").strip()) < 5:
            self.add_error("reply", _("现场已处理时请填写处理情况（至少5个字）"))
        return data


# --- my cases ----------------------------------------------------------------------------------------------


def _cards(request: HttpRequest, failed: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    now = timezone.now()
    qs = (
        selectors.queue(request.user, "to_handle")
        .select_related("building", "building__compound")
        .order_by("escalate_after", "id")
    )
    cards = []
    for case in qs:
        allowed = set(allowed_events(case.status))
        handle = bool(can(request.user, "cases.handle", case))
        actions = [name for name, (event, _f, _l) in QUICK.items() if handle and event in allowed]
        cards.append(
            {
                "case": case,
                "type_label": str(TYPE_LABELS.get(case.case_type, case.case_type)),
                "status_label": str(STATUS_LABELS.get(case.status, case.status)),
                "overdue": case.status in OPEN_STATUSES and is_overdue(case.escalate_after, now),
                "actions": actions,
                "errors": (failed or {}).get(str(case.public_id), []),
            }
        )
    return cards


def _home(request: HttpRequest, failed: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    context = {"cards": _cards(request, failed), "can_report": bool(can(request.user, "cases.submit"))}
    return render(request, "cases/grid_home.html", context, status=status)


@never_cache
@require_GET
@scoped_view
def grid_home(request: HttpRequest) -> HttpResponse:
    """The open cases held by my units as large cards, each with the quick actions I may take."""
    require_can(request, "cases.view")
    return _home(request)


@never_cache
@require_POST
@scoped_view
def grid_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """签收, 办结 or 退单 from a card; back to the page with a message, or the page with the error (400)."""
    if action not in QUICK:
        raise NotFound()
    case = selectors.get_case_for(request.user, public_id)
    form = QUICK[action][1](request.POST)
    if form.is_valid():
        try:
            if action == "start":
                services.case_start(actor=request.user, case=case)
                done = _("已签收：%(n)s")
            elif action == "resolve":
                services.case_resolve(actor=request.user, case=case, reply=form.cleaned_data["reply"])
                done = _("已办结：%(n)s")
            else:
                services.case_return(actor=request.user, case=case, reason=form.cleaned_data["reason"])
                done = _("已退单：%(n)s")
        except InvalidTransition:
            messages.error(request, _("当前状态不能执行该操作"))
            return redirect("cases:grid_home")
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, done % {"n": case.tracking_number})
            return redirect("cases:grid_home")
    errors = [e for errs in form.errors.values() for e in errs]
    return _home(request, {str(case.public_id): errors}, status=400)


# --- quick report ------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def grid_report(request: HttpRequest) -> HttpResponse:
    """Quick report of a problem found on patrol, optionally already handled on the spot (channel grid)."""
    require_can(request, "cases.submit")
    actor = request.user
    form = QuickReportForm(request.POST if request.method == "POST" else None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        building = territory_selectors.get_building_for(actor, data["building"])
        category = None
        if data["category"]:
            category = selectors.categories().filter(public_id=data["category"]).first()
        description = data["description"].strip()
        reply = (data.get("reply") or "").strip()
        handled = data["handled"]
        on_the_spot = handled and bool(can(actor, "cases.resolve_on_the_spot", building))
        if handled and not on_the_spot:
            description = f"{description}\n{_('现场已处理')}：{reply}"
        entry = services.CaseInput(
            case_type=data["case_type"],
            title=data["description"].strip()[:TITLE_LENGTH],
            description=description,
            channel=Channel.GRID,
            category=category,
            building=building,
            classify=True,
        )
        try:
            if on_the_spot:
                case = onsite.case_resolve_on_the_spot(actor=actor, data=entry, reply=reply)
            else:
                case = services.case_submit(actor=actor, data=entry)
        except ValidationError as exc:
            errors_to_form(form, exc, {"location": "building", "title": "description"})
        else:
            if on_the_spot:
                messages.success(request, _("已上报并办结，受理编号 %(n)s") % {"n": case.tracking_number})
            elif handled:
                messages.success(
                    request,
                    _("已上报，受理编号 %(n)s。现场处理情况已记入诉求，社区受理后办结。") % {"n": case.tracking_number},
                )
            else:
                messages.success(request, _("已上报，受理编号 %(n)s，等待社区受理。") % {"n": case.tracking_number})
            return redirect("cases:grid_home")
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/grid_report.html", {"form": form}, status=status)
