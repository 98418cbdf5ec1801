"""Staff pages of deliberation: bodies (members, terms, rules, meetings), meetings (attendance, agenda, minutes,
resolutions), proposals, residents' groups and residents' meeting requests.

Objects are fetched through the scoped selectors (outside the scope answers 404). Write forms are shown only to
those who may write; the services check again. A failed form re-renders the page with what was typed (400).
"""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.cases import selectors as case_selectors
from shequ.core.errors import InvalidTransition, NotFound, ValidationError
from shequ.core.http import errors_to_form, require_can, scoped_view
from shequ.core.lookup import get_by_public_id
from shequ.core.permissions import can

from . import forms, proposal_services, selectors, services
from .domain import BASIS_LABELS, CHOICE_LABELS, ROLE_LABELS, SOURCE_LABELS, STATUS_LABELS, Status, is_serving
from .domain import request_needed as needed_for

PAGE_SIZE = 25


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else ""


def _community(request: HttpRequest, public_id: str) -> Any:
    communities = selectors.managed_communities(request.user)
    for c in communities:
        if str(c.public_id) == public_id:
            return c
    raise NotFound()


def _run(request: HttpRequest, form: Any, call: Any, done: str) -> bool:
    """Call the service; on success flash `done`, on a ValidationError put it on the form. True on success."""
    try:
        call()
    except ValidationError as exc:
        errors_to_form(form, exc)
        return False
    except InvalidTransition:
        form.add_error(None, _("议题当前状态不允许此操作"))
        return False
    messages.success(request, done)
    return True


def _simple(request: HttpRequest, call: Any, done: str) -> None:
    try:
        call()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except InvalidTransition:
        messages.error(request, _("议题当前状态不允许此操作"))
    else:
        messages.success(request, done)


# --- bodies --------------------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def body_list(request: HttpRequest) -> HttpResponse:
    """Bodies in scope (议事会, 监事会, 业主大会 …) with their term end; community staff set up new ones."""
    require_can(request, "deliberation.view")
    today = timezone.localdate()
    queue = "term_ending" if request.GET.get("queue") == "term_ending" else ""
    communities = selectors.managed_communities(request.user)
    form = forms.BodyForm(request.POST or None, communities=communities) if communities else None
    if request.method == "POST":
        require_can(request, "deliberation.manage")
        if form is not None and form.is_valid():
            data = form.cleaned_data
            community = _community(request, data["community"])
            holder: dict[str, Any] = {}

            def call() -> None:
                holder["body"] = services.body_create(
                    actor=request.user, community=community, kind=data["kind"], name=data["name"]
                )

            if _run(request, form, call, _("已设立议事机构")):
                return redirect("deliberation:body_detail", public_id=holder["body"].public_id)
    rows = [
        {"body": b, "end": selectors.term_end_of(b, today), "members": selectors.serving_members(b, today).count()}
        for b in selectors.search_bodies(request.user, queue=queue, today=today)
    ]
    context = {"rows": rows, "queue": queue, "form": form, "today": today}
    return render(request, "deliberation/body_list.html", context, status=400 if form and form.errors else 200)


BODY_ACTIONS = ("rules", "member", "leave", "meeting")


def _body_context(request: HttpRequest, body: Any, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    today = timezone.localdate()
    rules = selectors.rules_of(body)
    members = [
        {
            "m": m,
            "role_label": _label(ROLE_LABELS, m.role),
            "serving": is_serving(m.term_start, m.term_end, m.left_on, today),
        }
        for m in selectors.members_of(body)
    ]
    can_manage = bool(can(request.user, "deliberation.manage", body))
    context: dict[str, Any] = {
        "body": body,
        "rules": rules,
        "rule": rules.rule,
        "members": members,
        "serving_count": sum(1 for m in members if m["serving"]),
        "term_end": selectors.term_end_of(body, today),
        "meetings": list(selectors.meetings_of(body)),
        "can_manage": can_manage,
        "today": today,
    }
    if can_manage:
        rule_initial = {
            f: getattr(rules, f)
            for f in (
                "quorum_numerator",
                "quorum_denominator",
                "quorum_strict",
                "majority_numerator",
                "majority_denominator",
                "majority_strict",
                "majority_base",
                "support_threshold",
            )
        }
        context["forms"] = {
            "rules": bound.get("rules") or forms.RulesForm(prefix="rules", initial=rule_initial),
            "member": bound.get("member")
            or forms.MemberForm(
                prefix="member", actor=request.user, community=body.area, initial={"term_start": today}
            ),
            "meeting": bound.get("meeting") or forms.MeetingForm(prefix="meeting"),
        }
    return context


@never_cache
@require_GET
@scoped_view
def body_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    body = selectors.get_body_for(request.user, public_id)
    return render(request, "deliberation/body_detail.html", _body_context(request, body))


@never_cache
@require_POST
@scoped_view
def body_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    if action not in BODY_ACTIONS:
        raise NotFound()
    body = selectors.get_body_for(request.user, public_id)
    require_can(request, "deliberation.manage", body)
    actor = request.user
    detail = redirect("deliberation:body_detail", public_id=body.public_id)
    if action == "leave":
        member = get_by_public_id(selectors.members_of(body), request.POST.get("member", ""))
        _simple(
            request,
            lambda: services.member_leave(actor=actor, membership=member, day=timezone.localdate()),
            _("已登记离任"),
        )
        return detail
    form: Any
    if action == "rules":
        form = forms.RulesForm(request.POST, prefix="rules")
        if form.is_valid():
            data = services.RulesInput(**form.cleaned_data)
            if _run(
                request,
                form,
                lambda: services.body_rules_update(actor=actor, body=body, data=data),
                _("已保存议事规则"),
            ):
                return detail
    elif action == "member":
        form = forms.MemberForm(request.POST, prefix="member", actor=actor, community=body.area)
        if form.is_valid():
            d = form.cleaned_data
            resident = selectors.get_resident_in(actor, body.area, d["resident"]) if d["resident"] else None
            data = services.MemberInput(
                role=d["role"], term_start=d["term_start"], term_end=d["term_end"], resident=resident, name=d["name"]
            )
            if _run(request, form, lambda: services.member_add(actor=actor, body=body, data=data), _("已增加成员")):
                return detail
    else:
        form = forms.MeetingForm(request.POST, prefix="meeting")
        if form.is_valid():
            mdata = services.MeetingInput(**form.cleaned_data)
            holder: dict[str, Any] = {}

            def call() -> None:
                holder["m"] = services.meeting_create(actor=actor, body=body, data=mdata)

            if _run(request, form, call, _("已安排会议")):
                return redirect("deliberation:meeting_detail", public_id=holder["m"].public_id)
    context = _body_context(request, body, bound={action: form})
    context["failed_action"] = action
    return render(request, "deliberation/body_detail.html", context, status=400)


# --- meetings ------------------------------------------------------------------------------------------------------

MEETING_ACTIONS = ("attendance", "agenda", "minutes", "resolution", "publish")


def _meeting_context(request: HttpRequest, meeting: Any, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    day = timezone.localtime(meeting.held_at).date()
    serving = list(selectors.serving_members(meeting.body, day))
    attendance = selectors.attendance_of(meeting)
    present = [m for m in serving if attendance.get(m.pk)]
    items = list(selectors.agenda_of(meeting))
    names = {m.pk: m.name for m in selectors.members_of(meeting.body)}
    resolutions = [
        {
            "r": r,
            "votes": [
                {"name": names.get(v.membership_id, ""), "choice": v.choice, "label": _label(CHOICE_LABELS, v.choice)}
                for v in r.votes.all()
            ],
        }
        for r in selectors.resolutions_of(meeting)
    ]
    can_manage = bool(can(request.user, "deliberation.manage", meeting))
    context: dict[str, Any] = {
        "meeting": meeting,
        "body": meeting.body,
        "serving": [
            {"m": m, "role_label": _label(ROLE_LABELS, m.role), "present": attendance.get(m.pk)} for m in serving
        ],
        "recorded": bool(attendance),
        "present_count": len(present),
        "items": items,
        "resolutions": resolutions,
        "rule": selectors.rules_of(meeting.body).rule,
        "can_manage": can_manage,
    }
    if can_manage:
        candidates, open_items = _meeting_choices(request, meeting)
        context["forms"] = {
            "agenda": bound.get("agenda") or forms.AgendaForm(prefix="agenda", proposals=candidates),
            "minutes": bound.get("minutes")
            or forms.MinutesForm(prefix="minutes", initial={"minutes": meeting.minutes}),
            "resolution": bound.get("resolution")
            or forms.ResolutionForm(prefix="resolution", items=open_items, present=present),
        }
    return context


def _meeting_choices(request: HttpRequest, meeting: Any) -> tuple[list[Any], list[Any]]:
    """Proposals that may go on the agenda, and agenda items still without a resolution."""
    candidates = list(
        selectors.proposals_for(request.user).filter(
            community=meeting.body.area, status__in=[Status.DISCUSSING, Status.READY]
        )
    )
    open_items = [i for i in selectors.agenda_of(meeting) if not hasattr(i, "resolution")]
    return candidates, open_items


def _present(meeting: Any) -> list[Any]:
    day = timezone.localtime(meeting.held_at).date()
    attendance = selectors.attendance_of(meeting)
    return [m for m in selectors.serving_members(meeting.body, day) if attendance.get(m.pk)]


@never_cache
@require_GET
@scoped_view
def meeting_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = selectors.get_meeting_for(request.user, public_id)
    return render(request, "deliberation/meeting_detail.html", _meeting_context(request, meeting))


@never_cache
@require_POST
@scoped_view
def meeting_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    if action not in MEETING_ACTIONS:
        raise NotFound()
    meeting = selectors.get_meeting_for(request.user, public_id)
    require_can(request, "deliberation.manage", meeting)
    actor = request.user
    detail = redirect("deliberation:meeting_detail", public_id=meeting.public_id)
    if action == "attendance":
        ids = request.POST.getlist("present")
        _simple(
            request,
            lambda: services.attendance_record(actor=actor, meeting=meeting, present_ids=ids),
            _("已登记出席情况"),
        )
        return detail
    if action == "publish":
        resolution = get_by_public_id(selectors.resolutions_of(meeting), request.POST.get("resolution", ""))
        _simple(request, lambda: services.resolution_publish(actor=actor, resolution=resolution), _("决议已公示"))
        return detail
    candidates, open_items = _meeting_choices(request, meeting)
    form: Any
    if action == "agenda":
        form = forms.AgendaForm(request.POST, prefix="agenda", proposals=candidates)
        if form.is_valid():
            d = form.cleaned_data
            proposal = selectors.get_proposal_for(actor, d["proposal"]) if d["proposal"] else None
            call = lambda: services.agenda_add(actor=actor, meeting=meeting, title=d["title"], proposal=proposal)  # noqa: E731
            if _run(request, form, call, _("已列入议程")):
                return detail
    elif action == "minutes":
        form = forms.MinutesForm(request.POST, prefix="minutes")
        if form.is_valid():
            text = form.cleaned_data["minutes"]
            if _run(
                request,
                form,
                lambda: services.minutes_save(actor=actor, meeting=meeting, minutes=text),
                _("已保存会议纪要"),
            ):
                return detail
    else:
        form = forms.ResolutionForm(request.POST, prefix="resolution", items=open_items, present=_present(meeting))
        if form.is_valid():
            d = form.cleaned_data
            item = get_by_public_id(selectors.agenda_of(meeting), d["agenda_item"]) if d["agenda_item"] else None
            data = services.ResolutionInput(title=d["title"], text=d["text"], votes=form.votes(), agenda_item=item)
            call = lambda: services.resolution_record(actor=actor, meeting=meeting, data=data)  # noqa: E731
            if _run(request, form, call, _("已记录决议")):
                return detail
    context = _meeting_context(request, meeting, bound={action: form})
    context["failed_action"] = action
    return render(request, "deliberation/meeting_detail.html", context, status=400)


# --- proposals -----------------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def proposal_list(request: HttpRequest) -> HttpResponse:
    """Proposals in scope: search, filter by status, pages; community staff record one (Party, member, community)."""
    require_can(request, "deliberation.view")
    filter_form = forms.ProposalFilterForm(request.GET)
    applied: dict[str, str] = {}
    if filter_form.is_valid():
        applied = {k: v for k, v in filter_form.cleaned_data.items() if v}
    communities = selectors.managed_communities(request.user)
    form = forms.StaffProposalForm(request.POST or None, prefix="new", communities=communities) if communities else None
    if request.method == "POST" and form is not None:
        if form.is_valid():
            d = form.cleaned_data
            community = _community(request, d["community"])
            holder: dict[str, Any] = {}

            def call() -> None:
                holder["p"] = proposal_services.proposal_submit(
                    actor=request.user,
                    community=community,
                    title=d["title"],
                    description=d["description"],
                    source=d["source"],
                )

            if _run(request, form, call, _("已登记议题")):
                return redirect("deliberation:proposal_detail", public_id=holder["p"].public_id)
    qs = selectors.search_proposals(request.user, **applied)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [
        {
            "p": p,
            "status_label": _label(STATUS_LABELS, p.status),
            "source_label": _label(SOURCE_LABELS, p.source),
        }
        for p in page.object_list
    ]
    context = {"filter_form": filter_form, "applied": applied, "page": page, "form": form}
    return render(request, "deliberation/proposal_list.html", context, status=400 if form and form.errors else 200)


PROPOSAL_ACTIONS = ("schedule", "decline", "defer", "progress", "complete", "hide", "comment")


def _proposal_context(request: HttpRequest, proposal: Any, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    supports = selectors.supports_count(proposal)
    can_manage = bool(can(request.user, "deliberation.manage", proposal))
    meetings = list(selectors.open_meetings_for_proposal(request.user, proposal, timezone.now()))
    context: dict[str, Any] = {
        "proposal": proposal,
        "status_label": _label(STATUS_LABELS, proposal.status),
        "source_label": _label(SOURCE_LABELS, proposal.source),
        "supports": supports,
        "reached": supports >= proposal.support_threshold,
        "comments": list(selectors.comments_of(proposal, include_hidden=True)),
        "agenda_items": list(selectors.agenda_items_of(proposal)),
        "progress": list(selectors.progress_of(proposal)),
        "can_manage": can_manage,
        "can_moderate": bool(can(request.user, "deliberation.moderate", proposal)),
        "open": proposal.status in (Status.DISCUSSING, Status.READY, Status.ON_AGENDA),
    }
    if can_manage:
        context["forms"] = {
            "schedule": bound.get("schedule") or forms.ScheduleForm(prefix="schedule", meetings=meetings),
            "decline": bound.get("decline") or forms.ReasonForm(prefix="decline"),
            "defer": bound.get("defer") or forms.ReasonForm(prefix="defer"),
            "progress": bound.get("progress")
            or forms.ProgressForm(prefix="progress", initial={"day": timezone.localdate()}),
            "complete": bound.get("complete") or forms.ReasonForm(prefix="complete"),
            "comment": bound.get("comment") or forms.CommentForm(prefix="comment"),
        }
        context["meetings"] = meetings
    return context


@never_cache
@require_GET
@scoped_view
def proposal_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    proposal = selectors.get_proposal_for(request.user, public_id)
    return render(request, "deliberation/proposal_detail.html", _proposal_context(request, proposal))


@never_cache
@require_POST
@scoped_view
def proposal_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    if action not in PROPOSAL_ACTIONS:
        raise NotFound()
    proposal = selectors.get_proposal_for(request.user, public_id)
    actor = request.user
    detail = redirect("deliberation:proposal_detail", public_id=proposal.public_id)
    if action == "hide":
        require_can(request, "deliberation.moderate", proposal)
        comment = selectors.get_comment(proposal, request.POST.get("comment", ""))
        reason = request.POST.get("reason", "")
        _simple(
            request,
            lambda: proposal_services.comment_hide(actor=actor, comment=comment, reason=reason),
            _("已隐藏该意见"),
        )
        return detail
    require_can(request, "deliberation.comment" if action == "comment" else "deliberation.manage", proposal)
    form: Any
    if action == "schedule":
        meetings = list(selectors.open_meetings_for_proposal(actor, proposal, timezone.now()))
        form = forms.ScheduleForm(request.POST, prefix="schedule", meetings=meetings)
        if form.is_valid():
            meeting = selectors.get_meeting_for(actor, form.cleaned_data["meeting"])
            call: Any = lambda: services.agenda_add(actor=actor, meeting=meeting, proposal=proposal)  # noqa: E731
            if _run(request, form, call, _("已列入议程")):
                return detail
    elif action in ("decline", "defer", "complete"):
        form = forms.ReasonForm(request.POST, prefix=action)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            if action == "decline":
                call = lambda: proposal_services.proposal_decline(actor=actor, proposal=proposal, reason=reason)  # noqa: E731
            elif action == "defer":
                call = lambda: proposal_services.proposal_defer(actor=actor, proposal=proposal, reason=reason)  # noqa: E731
            else:
                call = lambda: proposal_services.proposal_complete(actor=actor, proposal=proposal, note=reason)  # noqa: E731
            if _run(request, form, call, _("已保存")):
                return detail
    elif action == "progress":
        form = forms.ProgressForm(request.POST, prefix="progress")
        if form.is_valid():
            d = form.cleaned_data
            uploads = request.FILES.getlist("progress-photos")
            call = lambda: proposal_services.progress_add(  # noqa: E731
                actor=actor, proposal=proposal, note=d["note"], day=d["day"], photos=uploads
            )
            if _run(request, form, call, _("已登记实施进展")):
                return detail
    else:
        form = forms.CommentForm(request.POST, prefix="comment")
        if form.is_valid():
            text = form.cleaned_data["text"]
            call = lambda: proposal_services.proposal_comment(actor=actor, proposal=proposal, text=text)  # noqa: E731
            if _run(request, form, call, _("已发表意见")):
                return detail
    context = _proposal_context(request, proposal, bound={action: form})
    context["failed_action"] = action
    return render(request, "deliberation/proposal_detail.html", context, status=400)


@never_cache
@require_GET
@scoped_view
def progress_photo(request: HttpRequest, public_id: str, photo_id: str) -> HttpResponse:
    proposal = selectors.get_proposal_for(request.user, public_id)
    photo = selectors.get_photo(proposal, photo_id)
    return FileResponse(photo.image.open("rb"))


@never_cache
@require_POST
@scoped_view
def case_to_proposal(request: HttpRequest, case_id: str) -> HttpResponse:
    """转为议题: the case's community staff turn the case into a proposal of its community."""
    case = case_selectors.get_case_for(request.user, case_id)
    require_can(request, "deliberation.manage", case.community)
    try:
        proposal = proposal_services.proposal_from_case(actor=request.user, case=case)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("cases:case_detail", public_id=case.public_id)
    messages.success(request, _("已将诉求转为议题"))
    return redirect("deliberation:proposal_detail", public_id=proposal.public_id)


# --- residents' groups and residents' meetings ---------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def group_list(request: HttpRequest) -> HttpResponse:
    """Residents' groups (居民小组) of the communities in scope; community staff register new ones."""
    require_can(request, "deliberation.view")
    communities = selectors.managed_communities(request.user)
    buildings = selectors.buildings_of_communities(request.user, communities)
    form = forms.GroupForm(request.POST or None, communities=communities, buildings=buildings) if communities else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        community = _community(request, d["community"])
        chosen = [b for b in buildings if str(b.public_id) in set(d["buildings"])]
        data = services.GroupInput(name=d["name"], buildings=chosen, leader_name=d["leader_name"])
        if _run(
            request,
            form,
            lambda: services.group_create(actor=request.user, community=community, data=data),
            _("已登记居民小组"),
        ):
            return redirect("deliberation:group_list")
    context = {"groups": list(selectors.groups_for(request.user)), "form": form}
    return render(request, "deliberation/group_list.html", context, status=400 if form and form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def request_list(request: HttpRequest) -> HttpResponse:
    """Requests to call a residents' meeting, each with its support count against the §10 threshold."""
    require_can(request, "deliberation.view")
    communities = selectors.managed_communities(request.user)
    form = forms.RequestForm(request.POST or None, communities=communities) if communities else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        community = _community(request, d["community"])
        holder: dict[str, Any] = {}

        def call() -> None:
            holder["r"] = services.meeting_request_open(
                actor=request.user, community=community, basis=d["basis"], subject=d["subject"], reason=d["reason"]
            )

        if _run(request, form, call, _("已登记居民会议提议")):
            return redirect("deliberation:request_detail", public_id=holder["r"].public_id)
    rows = [
        {
            "r": r,
            "count": selectors.supporter_count(r),
            "needed": needed_for(r.basis, r.entitled),
            "basis_label": _label(BASIS_LABELS, r.basis),
        }
        for r in selectors.requests_for(request.user)
    ]
    meetings = list(selectors.residents_meetings_for(request.user).order_by("-held_on", "-id")[:50])
    context = {"rows": rows, "form": form, "meetings": meetings, "basis_labels": BASIS_LABELS}
    return render(request, "deliberation/request_list.html", context, status=400 if form and form.errors else 200)


def _request_context(request: HttpRequest, mr: Any, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    can_manage = bool(can(request.user, "deliberation.manage", mr))
    context: dict[str, Any] = {
        "mr": mr,
        "basis_label": _label(BASIS_LABELS, mr.basis),
        "count": selectors.supporter_count(mr),
        "needed": needed_for(mr.basis, mr.entitled),
        "supporters": list(selectors.supporters_of(mr)),
        "can_manage": can_manage,
    }
    if can_manage:
        context["resident_choices"] = forms.resident_choices(request.user, mr.community)
        context["groups"] = list(selectors.groups_for(request.user).filter(community=mr.community))
        context["meeting_form"] = bound.get("meeting") or forms.ResidentsMeetingForm(
            prefix="rm", initial={"held_on": timezone.localdate(), "subject": mr.subject, "basis": mr.basis}
        )
    return context


@never_cache
@require_GET
@scoped_view
def request_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    mr = selectors.get_request_for(request.user, public_id)
    return render(request, "deliberation/request_detail.html", _request_context(request, mr))


@never_cache
@require_POST
@scoped_view
def request_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    if action not in ("support", "convene", "meeting"):
        raise NotFound()
    mr = selectors.get_request_for(request.user, public_id)
    require_can(request, "deliberation.manage", mr)
    actor = request.user
    detail = redirect("deliberation:request_detail", public_id=mr.public_id)
    if action == "support":
        resident_id, group_id = request.POST.get("resident", ""), request.POST.get("group", "")
        resident = selectors.get_resident_in(actor, mr.community, resident_id) if resident_id else None
        group = selectors.get_group_for(actor, group_id) if group_id else None
        _simple(
            request,
            lambda: services.meeting_request_support(actor=actor, request=mr, resident=resident, group=group),
            _("已记录提议人"),
        )
        return detail
    if action == "convene":
        _simple(
            request,
            lambda: services.meeting_request_convene(actor=actor, request=mr, day=timezone.localdate()),
            _("已登记召集居民会议"),
        )
        return detail
    form = forms.ResidentsMeetingForm(request.POST, prefix="rm")
    if form.is_valid():
        data = services.ResidentsMeetingInput(request=mr, **form.cleaned_data)
        call = lambda: services.residents_meeting_record(actor=actor, community=mr.community, data=data)  # noqa: E731
        if _run(request, form, call, _("已记录居民会议")):
            return redirect("deliberation:request_list")
    context = _request_context(request, mr, bound={"meeting": form})
    return render(request, "deliberation/request_detail.html", context, status=400)
