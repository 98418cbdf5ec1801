"""Grid worker phone pages: my grid's open cases with quick actions, the quick report, and the community's review
of grid workers' answers (答复待审核) with its setting.

Light pages for a phone: large cards and buttons; the only script (cases/grid.js) fills the phone's position
into hidden fields where the user allows it. Every write goes through the services, which
check permission and the transition table again; a button is shown only when both allow it. A quick report ticked
"现场已处理" is resolved in one go (`onsite.case_resolve_on_the_spot`) only for an actor allowed
`cases.resolve_on_the_spot` (a grid worker alone may not accept); otherwise it is submitted with the on-the-spot
reply in its description and the community accepts it.
"""

from datetime import timedelta
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
from shequ.core.scoping import scope_of
from shequ.territory import selectors as territory_selectors

from . import onsite, photo_selectors, photo_services, review_services, selectors, services
from .domain import (
    OPEN_STATUSES,
    STAGE_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    CaseType,
    Channel,
    Event,
    Status,
    allowed_events,
    current_stage,
    is_overdue,
    running_deadline,
)
from .permissions import HANDLE_ROLES

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
    building = forms.ChoiceField(label=gettext_lazy("楼栋"), required=False)
    # The phone's position (WGS84), filled by cases/grid.js where the user allows it.
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
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
        if (data.get("lat") is None) != (data.get("lng") is None):
            self.add_error(None, _("位置不完整，请重新获取位置或选择楼栋"))
            data["lat"] = data["lng"] = None
        if not data.get("building") and data.get("lat") is None and "building" not in self.errors:
            self.add_error("building", _("请选择楼栋，或允许获取手机位置"))
        return data


# --- my cases ----------------------------------------------------------------------------------------------

CARD_LIMIT = 200
SCOPES = {"grid": gettext_lazy("我的网格"), "mine": gettext_lazy("我承办的")}  # "grid": open cases of my subtree
REVIEW_STATUS_CHOICES = [
    (s.value, STATUS_LABELS[s]) for s in (*sorted(OPEN_STATUSES, key=list(Status).index), Status.RESOLVED)
]


class CardFilterForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("范围"), choices=list(SCOPES.items()), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("状态"), choices=[("", gettext_lazy("全部未办结"))] + REVIEW_STATUS_CHOICES, required=False
    )


def _filtered(request: HttpRequest) -> tuple[Any, CardFilterForm, str]:
    """The cases of the chosen scope and status: "grid" (default) = open cases in my grid, "mine" = held by me."""
    form = CardFilterForm(request.GET)
    form.is_valid()
    scope = form.cleaned_data.get("scope") or "grid"
    status = form.cleaned_data.get("status") or ""
    qs = selectors.cases_for(request.user)
    if scope == "mine":
        # Held by my own area itself (not by a micro-grid below my grid), not led by a department.
        qs = qs.filter(holder_path__in=list(scope_of(request.user).paths(HANDLE_ROLES)), holder_unit__isnull=True)
    qs = qs.filter(status=status) if status else qs.filter(status__in=[s.value for s in OPEN_STATUSES])
    return qs, form, scope


def _cards(request: HttpRequest, failed: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], Any, str]:
    now = timezone.now()
    qs, form, scope = _filtered(request)
    cases = list(qs.select_related("building", "building__compound", "compound", "community")[:CARD_LIMIT])
    # Sorted by the running stage deadline (none last), the one the escalation sweep watches.
    far = now + timedelta(days=36500)
    cases.sort(key=lambda c: (running_deadline(c.status, c) or far, c.pk))
    photos = photo_selectors.photos_by_case([c.pk for c in cases])
    cards = []
    for case in cases:
        allowed = set(allowed_events(case.status))
        handle = bool(can(request.user, "cases.handle", case))
        actions = [name for name, (event, _f, _l) in QUICK.items() if handle and event in allowed]
        deadline = running_deadline(case.status, case)
        cards.append(
            {
                "case": case,
                "type_label": str(TYPE_LABELS.get(case.case_type, case.case_type)),
                "status_label": str(STATUS_LABELS.get(case.status, case.status)),
                "deadline": deadline,
                "stage_label": STAGE_LABELS.get(current_stage(case.status)) if deadline else "",
                "overdue": is_overdue(deadline, now),
                "photos": photos.get(case.pk, [])[:4],
                "place": _place_text(case),
                "actions": actions,
                "errors": (failed or {}).get(str(case.public_id), []),
            }
        )
    return cards, form, scope


def _place_text(case: Any) -> str:
    parts = []
    if case.building_id:
        parts = [case.building.compound.name, case.building.name]
    elif case.compound_id:
        parts = [case.compound.name]
    if case.address:
        parts.append(case.address)
    return " ".join(parts) or case.community.name


def _home(request: HttpRequest, failed: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    cards, form, scope = _cards(request, failed)
    context = {
        "cards": cards,
        "filter_form": form,
        "scope": scope,
        "scopes": list(SCOPES.items()),
        "can_report": bool(can(request.user, "cases.submit")),
        "reviews": selectors.answers_waiting_review(request.user).count(),
    }
    return render(request, "cases/grid_home.html", context, status=status)


@never_cache
@require_GET
@scoped_view
def grid_home(request: HttpRequest) -> HttpResponse:
    """The open cases of my grid (or held by me) as large cards by deadline, with the quick actions I may take."""
    require_can(request, "cases.view")
    return _home(request)


@never_cache
@require_POST
@scoped_view
def grid_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """签收, 办结 or 退单 from a card; back to the page with a message, or the page with the error (400).

    办结 may carry after-photos (处置后), stored before the answer; a reviewed type's answer waits for review.
    """
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
                uploads = request.FILES.getlist("photos")
                if uploads:
                    photo_services.photos_upload(actor=request.user, case=case, kind="after", uploads=uploads)
                case = services.case_resolve(actor=request.user, case=case, reply=form.cleaned_data["reply"])
                if case.status == Status.ANSWER_REVIEW:
                    done = _("已提交答复：%(n)s，社区审核后向居民公开。")
                else:
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
        building = territory_selectors.get_building_for(actor, data["building"]) if data["building"] else None
        category = None
        if data["category"]:
            category = selectors.categories().filter(public_id=data["category"]).first()
        description = data["description"].strip()
        reply = (data.get("reply") or "").strip()
        handled = data["handled"]
        on_the_spot = handled and building is not None and bool(can(actor, "cases.resolve_on_the_spot", building))
        if handled and not on_the_spot:
            description = f"{description}\n{_('现场已处理')}：{reply}"
        entry = services.CaseInput(
            case_type=data["case_type"],
            title=data["description"].strip()[:TITLE_LENGTH],
            description=description,
            channel=Channel.GRID,
            category=category,
            building=building,
            lat=data["lat"],
            lng=data["lng"],
            crs="wgs84",
            classify=True,
        )
        try:
            case = onsite.case_report_on_patrol(
                actor=actor, data=entry, uploads=request.FILES.getlist("photos"), reply=reply if on_the_spot else ""
            )
        except ValidationError as exc:
            errors_to_form(form, exc, {"location": "building", "title": "description"})
        else:
            if case.status == Status.ANSWER_REVIEW:
                messages.success(
                    request, _("已上报，受理编号 %(n)s，处理情况待社区审核后向居民公开。") % {"n": case.tracking_number}
                )
            elif on_the_spot:
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


# --- community review of answers (答复待审核) -----------------------------------------------------------------


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("revise", "revise")])
    note = forms.CharField(label=gettext_lazy("审核意见"), max_length=2000, required=False)


@never_cache
@require_GET
@scoped_view
def answer_reviews(request: HttpRequest) -> HttpResponse:
    """Answers of grid workers waiting for my community's review, each with the held text."""
    require_can(request, "cases.view")
    rows = [(case, review_services.held_answer(case)) for case in selectors.answers_waiting_review(request.user)]
    context = {"rows": rows, "can_configure": scope_of(request.user).has_role("community_secretary")}
    return render(request, "cases/grid_reviews.html", context)


@never_cache
@require_POST
@scoped_view
def answer_review_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    """Publish the held answer to the reporter, or send it back to the worker with a note."""
    case = selectors.get_case_for(request.user, public_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结果"))
        return redirect("cases:answer_reviews")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        review_services.answer_review(actor=request.user, case=case, approve=approve, note=form.cleaned_data["note"])
    except InvalidTransition:
        messages.error(request, _("当前状态不能执行该操作"))
    except ValidationError as exc:
        for errs in exc.message_dict.values():
            for e in errs:
                messages.error(request, e)
    else:
        done = _("已审核通过并答复居民：%(n)s") if approve else _("已退回修改：%(n)s")
        messages.success(request, done % {"n": case.tracking_number})
    return redirect("cases:answer_reviews")


class ReviewSettingsForm(forms.Form):
    case_types = forms.MultipleChoiceField(
        label=gettext_lazy("答复须经社区审核的诉求类型"),
        choices=[(t.value, TYPE_LABELS[t]) for t in CaseType],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def review_settings(request: HttpRequest) -> HttpResponse:
    """The community secretary's setting: which types' grid worker answers wait for review (audited)."""
    actor = request.user
    communities = [
        a
        for a in territory_selectors.areas_for(actor).filter(level="community")
        if can(actor, "cases.configure_review", a)
    ]
    if not communities:
        require_can(request, "cases.configure_review", None)
    community = next((c for c in communities if str(c.public_id) == request.GET.get("community")), communities[0])
    initial = {"case_types": review_services.review_types_of(community)}
    form = ReviewSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review_services.review_settings_update(
                actor=actor, community=community, case_types=form.cleaned_data["case_types"]
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("已保存 %(c)s 的答复审核设置") % {"c": community.name})
            return redirect(f"{request.path}?community={community.public_id}")
    context = {"form": form, "community": community, "communities": communities}
    return render(request, "cases/grid_review_settings.html", context, status=400 if form.errors else 200)
