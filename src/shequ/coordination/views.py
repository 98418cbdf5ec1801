"""Workbench pages of "one core, many actors" (一核多元) for the community Party secretary, community workers and
Party organisers (who write), and for street and district officers and the staff of units present (who read): the
communities the actor sees, a community's page (the Party organisation at the centre, the ring of actors by kind
with their responsibilities and masked contacts, joint meetings), a unit's role in the community, the list of
joint meetings, a new meeting, a meeting with its follow-ups and their hand-over (立案, 转为议题), and the overdue
follow-ups behind the home page's to-do.

Objects come through the scoped selectors (outside the actor's view: 404); write forms are shown only to those who
may write, and the services check again. A failed form re-renders the page with what was typed (400).
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

from shequ.core.errors import NotFound, ValidationError
from shequ.core.http import errors_to_form, require_can, scoped_view
from shequ.core.permissions import can

from . import domain, exports, forms, selectors, services

PAGE_SIZE = 20
RECENT_MEETINGS = 8
FOLLOW_UP_ACTIONS = ("done", "case", "proposal")


def _run(request: HttpRequest, form: Any, call: Any, done: str, aliases: dict[str, str] | None = None) -> bool:
    """Call the service; on success flash `done`, on a ValidationError put it on the form. True on success."""
    try:
        call()
    except ValidationError as exc:
        errors_to_form(form, exc, aliases)
        return False
    messages.success(request, done)
    return True


def _search(request: HttpRequest) -> str:
    form = forms.SearchForm(request.GET)
    return form.cleaned_data["q"].strip() if form.is_valid() else ""


@never_cache
@require_GET
@scoped_view
def index(request: HttpRequest) -> HttpResponse:
    """The communities whose page the actor sees (one: straight to it), searchable by name, in pages."""
    require_can(request, "coordination.view")
    text = _search(request)
    rows = selectors.communities_for(request.user, text=text)
    if not text and rows.count() == 1:
        return redirect("coordination:community", public_id=rows.get().public_id)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "coordination/index.html", {"page": page, "q": text})


def _role_rows(groups: list[Any]) -> list[dict[str, Any]]:
    return [{"key": g.key, "label": g.label, "rows": g.rows} for g in groups]


@never_cache
@require_GET
@scoped_view
def community(request: HttpRequest, public_id: str) -> HttpResponse:
    """The centre, the ring of actors by kind (searchable by unit name) and the latest joint meetings."""
    actor = request.user
    area = selectors.get_community_for(actor, public_id)
    text = _search(request)
    meetings = selectors.meetings_for(actor, community=area)
    context = {
        "community": area,
        "centre": selectors.centre_for(actor, area),
        "groups": _role_rows(selectors.ring_of(area, text=text)),
        "q": text,
        "meetings": meetings[:RECENT_MEETINGS],
        "meeting_count": meetings.count(),
        "can_manage": bool(can(actor, "coordination.manage", area)),
        "can_reveal": bool(can(actor, "coordination.reveal", area)),
        "reveal_form": forms.RevealForm(prefix="reveal"),
    }
    return render(request, "coordination/community.html", context)


@require_GET
@scoped_view
def community_export(request: HttpRequest, public_id: str) -> HttpResponse:
    """The community's actors as .xlsx, contacts masked; audited."""
    area = selectors.get_community_for(request.user, public_id)
    fileobj = exports.export_actors(actor=request.user, community=area)
    response = FileResponse(
        fileobj, as_attachment=True, filename=exports.filename(area), content_type=exports.CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def role_edit(request: HttpRequest, public_id: str, unit_id: str) -> HttpResponse:
    """Write what a unit is responsible for in the community and its contact person (one role per unit)."""
    actor = request.user
    area = selectors.get_community_for(actor, public_id)
    require_can(request, "coordination.manage", area)
    unit = selectors.get_eligible_unit(area, unit_id)
    role = selectors.role_of(area, unit)
    has_contact = role is not None and bool(role.contact_mobile_encrypted or role.contact_name_encrypted)
    initial = {"responsibilities": role.responsibilities, "note": role.note} if role is not None else {}
    form = forms.RoleForm(request.POST if request.method == "POST" else None, initial=initial, has_contact=has_contact)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.RoleInput(
            responsibilities=d["responsibilities"],
            contact_name=d["contact_name"],
            contact_mobile=d["contact_mobile"],
            note=d["note"],
            keep_contact=bool(d.get("keep_contact")),
        )
        call = lambda: services.role_save(actor=actor, community=area, unit=unit, data=data)  # noqa: E731
        if _run(request, form, call, _("已保存该单位的职责")):
            return redirect("coordination:community", public_id=area.public_id)
    context = {"community": area, "unit": unit, "role": role, "form": form}
    return render(request, "coordination/role_edit.html", context, status=400 if form.errors else 200)


@never_cache
@require_POST
@scoped_view
def role_reveal(request: HttpRequest, role_id: str) -> HttpResponse:
    """Show a contact person's full name and mobile once, with the reason (audited by the service)."""
    actor = request.user
    role = selectors.get_role_for(actor, role_id)
    require_can(request, "coordination.reveal", role)
    form = forms.RevealForm(request.POST, prefix="reveal")
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            revealed = services.contact_reveal(actor=actor, role=role, reason=reason)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            context = {"role": role, "revealed": revealed, "reason": reason}
            return render(request, "coordination/revealed.html", context)
    return render(request, "coordination/reveal.html", {"role": role, "form": form}, status=400)


# --- joint meetings ------------------------------------------------------------------------------------------


@never_cache
@require_GET
@scoped_view
def meeting_list(request: HttpRequest, public_id: str) -> HttpResponse:
    """The community's joint meetings, newest first, searchable by topic and minutes, in pages."""
    actor = request.user
    area = selectors.get_community_for(actor, public_id)
    text = _search(request)
    page = Paginator(selectors.meetings_for(actor, community=area, text=text), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"community": area, "page": page, "q": text, "can_manage": bool(can(actor, "coordination.manage", area))}
    return render(request, "coordination/meeting_list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def meeting_new(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record a joint meeting: date, topic, convener (the community's Party organisation by default), the units
    taking part, minutes and up to three follow-ups."""
    actor = request.user
    area = selectors.get_community_for(actor, public_id)
    require_can(request, "coordination.manage", area)
    units = list(selectors.eligible_units(area).order_by("kind", "name"))
    centre = selectors.centre_of(area)
    form = forms.MeetingForm(
        request.POST if request.method == "POST" else None,
        initial={"held_on": timezone.localdate()},
        units=units,
        convener=centre.unit if centre is not None else None,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        rows = form.follow_ups()
        data = services.MeetingInput(
            held_on=d["held_on"],
            topic=d["topic"],
            minutes=d["minutes"],
            place=d["place"],
            attendees=d["attendees"],
            convened_by=form.units[d["convened_by"]],
            participants=[form.units[i] for i in d["participants"]],
            follow_ups=[services.FollowUpInput(text=t, lead_unit=lead, due_on=due) for _i, t, lead, due in rows],
        )
        aliases = {
            f"follow_ups[{k}].{f}": f"f{row}_{a}"
            for k, (row, *_r) in enumerate(rows)
            for f, a in (("text", "text"), ("due_on", "due"), ("lead_unit", "lead"))
        }
        holder: dict[str, Any] = {}

        def call() -> None:
            holder["m"] = services.meeting_record(actor=actor, community=area, data=data)

        if _run(request, form, call, _("已登记联席会议"), aliases=aliases):
            return redirect("coordination:meeting_detail", public_id=holder["m"].public_id)
    context = {"community": area, "form": form}
    return render(request, "coordination/meeting_new.html", context, status=400 if form.errors else 200)


def _follow_up_row(f: Any, can_manage: bool, today: Any, bound: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "f": f,
        "status_label": domain.STATUS_LABELS[domain.Status(f.status)],
        "kind_label": domain.KIND_LABELS[domain.Kind(f.kind)],
        "overdue": domain.is_overdue(f.status, f.due_on, today),
        "can_hand_over": can_manage and not domain.hand_over_refusal(f.status, f.kind),
        "can_complete": can_manage and f.status == domain.Status.OPEN,
    }
    if row["can_complete"]:
        prefix = f"done-{f.public_id}"
        row["done_form"] = bound.get(prefix) or forms.CompleteForm(prefix=prefix, initial={"done_on": today})
    if row["can_hand_over"]:
        row["case_form"] = bound.get(f"case-{f.public_id}") or forms.CaseForm(prefix=f"case-{f.public_id}")
        row["proposal_form"] = bound.get(f"proposal-{f.public_id}") or forms.ProposalForm(
            prefix=f"proposal-{f.public_id}"
        )
    return row


def _meeting_context(request: HttpRequest, meeting: Any, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    actor = request.user
    can_manage = bool(can(actor, "coordination.manage", meeting))
    today = timezone.localdate()
    context: dict[str, Any] = {
        "meeting": meeting,
        "community": meeting.community,
        "participants": selectors.participants_of(meeting),
        "follow_ups": [_follow_up_row(f, can_manage, today, bound) for f in selectors.follow_ups_of(meeting)],
        "can_manage": can_manage,
    }
    if can_manage:
        units = list(selectors.eligible_units(meeting.community).order_by("kind", "name"))
        context["add_form"] = bound.get("add") or forms.FollowUpForm(prefix="add", units=units)
    return context


@never_cache
@require_GET
@scoped_view
def meeting_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = selectors.get_meeting_for(request.user, public_id)
    return render(request, "coordination/meeting_detail.html", _meeting_context(request, meeting))


@never_cache
@require_POST
@scoped_view
def follow_up_add(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = request.user
    meeting = selectors.get_meeting_for(actor, public_id)
    require_can(request, "coordination.manage", meeting)
    units = list(selectors.eligible_units(meeting.community).order_by("kind", "name"))
    form = forms.FollowUpForm(request.POST, prefix="add", units=units)
    if form.is_valid():
        d = form.cleaned_data
        data = services.FollowUpInput(text=d["text"], lead_unit=form.units.get(d["lead_unit"]), due_on=d["due_on"])
        call = lambda: services.follow_up_add(actor=actor, meeting=meeting, data=data)  # noqa: E731
        if _run(request, form, call, _("已添加议定事项")):
            return redirect("coordination:meeting_detail", public_id=meeting.public_id)
    context = _meeting_context(request, meeting, bound={"add": form})
    return render(request, "coordination/meeting_detail.html", context, status=400)


@never_cache
@require_POST
@scoped_view
def follow_up_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """Close a follow-up (done), file it as a case (case) or turn it into a proposal (proposal)."""
    if action not in FOLLOW_UP_ACTIONS:
        raise NotFound()
    actor = request.user
    follow_up = selectors.get_follow_up_for(actor, public_id)
    require_can(request, "coordination.manage", follow_up)
    meeting = selectors.get_meeting_for(actor, follow_up.meeting.public_id)
    prefix = f"{action}-{follow_up.public_id}"
    form: Any
    if action == "done":
        form = forms.CompleteForm(request.POST, prefix=prefix)
        if form.is_valid():
            d = form.cleaned_data
            call = lambda: services.follow_up_complete(  # noqa: E731
                actor=actor, follow_up=follow_up, done_on=d["done_on"], result=d["result"]
            )
            done = _("已办结")
    elif action == "case":
        form = forms.CaseForm(request.POST, prefix=prefix)
        if form.is_valid():
            d = form.cleaned_data
            call = lambda: services.follow_up_to_case(  # noqa: E731
                actor=actor, follow_up=follow_up, title=d["title"], case_type=d["case_type"]
            )
            done = _("已立案，诉求已转社区受理")
    else:
        form = forms.ProposalForm(request.POST, prefix=prefix)
        if form.is_valid():
            d = form.cleaned_data
            call = lambda: services.follow_up_to_proposal(  # noqa: E731
                actor=actor, follow_up=follow_up, title=d["title"]
            )
            done = _("已转为社区议题")
    if form.is_valid() and _run(request, form, call, done, aliases={"kind": "__all__", "status": "__all__"}):
        return redirect("coordination:meeting_detail", public_id=meeting.public_id)
    context = _meeting_context(request, meeting, bound={prefix: form})
    context["failed"] = str(follow_up.public_id)
    return render(request, "coordination/meeting_detail.html", context, status=400)


@never_cache
@require_GET
@scoped_view
def overdue(request: HttpRequest) -> HttpResponse:
    """Open follow-ups past their due date in the communities the actor manages (the home page's to-do)."""
    require_can(request, "coordination.manage")
    rows = selectors.overdue_for(request.user, timezone.localdate())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "coordination/overdue.html", {"page": page})
