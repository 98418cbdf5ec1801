"""Workbench pages of Party building (党建) for the community Party secretary and Party organisers: the Party
organisations as a tree with coverage, the meetings due this period, an organisation with its posts, schedule and
members, members with their transfers, and 三会一课 records with attendance, validity and decisions.

Objects are fetched through the scoped selectors: an organisation outside what the actor may see, and a member or
meeting outside what the actor reaches, answers 404. Write forms are shown only to those who may write; the
services check again. A failed form re-renders the page with what was typed (400).
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
from shequ.core.lookup import get_by_public_id
from shequ.core.permissions import can
from shequ.core.scoping import scope_of
from shequ.territory import selectors as territory_selectors

from . import domain, exports, forms, hub_selectors, selectors, services
from .domain import CADENCE, CADENCE_LABELS, MEETING_KIND_LABELS, MEMBER_STATUS_LABELS, ORG_LEVEL_LABELS, POST_LABELS
from .forms import place_label
from .permissions import SECRETARY_ROLES

PAGE_SIZE = 25
TREE_PAGE_SIZE = 50
RECENT_MEETINGS = 10
MAX_DEPTH = 6  # deeper organisations are drawn at this indentation (party.css has classes up to it)
BUILDING_COMPOUNDS = 100  # compounds whose buildings are offered when setting up an organisation


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else ""


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """Render a Party page; the tabs show the lists of members' work only to those who reach an organisation."""
    context.setdefault("nav_members", bool(can(request.user, "party.members")))
    context.setdefault("nav_service", bool(can(request.user, "party.service")))
    return render(request, template, context, status=status)


def _run(request: HttpRequest, form: Any, call: Any, done: str, aliases: dict[str, str] | None = None) -> bool:
    """Call the service; on success flash `done`, on a ValidationError put it on the form. True on success."""
    try:
        call()
    except ValidationError as exc:
        errors_to_form(form, exc, aliases)
        return False
    messages.success(request, done)
    return True


# --- the tree, coverage and what is due ---------------------------------------------------------------------


def _tree_row(org: Any, base: int, reached: bool) -> dict[str, Any]:
    return {
        "org": org,
        "depth": min(max(org.tree_path.count("/") - base, 0), MAX_DEPTH),
        "level_label": _label(ORG_LEVEL_LABELS, org.level),
        "place": place_label(org.unit),
        "reached": reached,
        "health": selectors.health_of(org),
    }


@never_cache
@require_GET
@scoped_view
def home(request: HttpRequest) -> HttpResponse:
    """The Party organisations the actor sees, as a tree in pages; coverage of the actor's areas; what is due."""
    require_can(request, "party.view")
    actor = request.user
    orgs = selectors.orgs_visible(actor)
    reached = set(selectors.orgs_reached(actor).values_list("pk", flat=True))
    base = min((path.count("/") for path in orgs.values_list("tree_path", flat=True)), default=1)
    page = Paginator(orgs, TREE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [_tree_row(o, base, o.pk in reached) for o in page.object_list]
    areas = [a for a in territory_selectors.top_areas_for(actor) if can(actor, "party.view", a)]
    can_members = bool(can(actor, "party.members"))
    context = {
        "page": page,
        "coverage": [selectors.coverage_of(a) for a in areas],
        "due_count": len(selectors.due_for(actor, timezone.localdate())) if can_members else 0,
        "can_manage": bool(can(actor, "party.manage")),
        "nav_members": can_members,
        "hub_count": hub_selectors.hubs_for(actor).count() if can_members else 0,
    }
    return _page(request, "party/home.html", context)


@never_cache
@require_GET
@scoped_view
def due(request: HttpRequest) -> HttpResponse:
    """三会一课 still to be held this period in the organisations the actor reaches: one row per item the home
    page's to-do counts, most overdue first."""
    require_can(request, "party.members")
    rows = [
        {
            "org": org,
            "due": d,
            "kind_label": _label(MEETING_KIND_LABELS, d.kind),
            "cadence_label": _label(CADENCE_LABELS, CADENCE[d.kind]),
        }
        for org, d in selectors.due_for(request.user, timezone.localdate())
    ]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(request, "party/due.html", {"page": page})


# --- organisations ------------------------------------------------------------------------------------------


def _org_context(request: HttpRequest, org: Any, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    actor = request.user
    today = timezone.localdate()
    can_members = bool(can(actor, "party.members", org))
    can_manage = bool(can(actor, "party.manage", org))
    posts = [
        {"p": p, "label": _label(POST_LABELS, p.post), "form": bound.get(f"end-{p.public_id}")}
        for p in selectors.posts_of(org)
    ]
    if can_manage:
        for row in posts:
            row["form"] = row["form"] or forms.PostEndForm(prefix=f"end-{row['p'].public_id}", initial={"on": today})
    context: dict[str, Any] = {
        "org": org,
        "level_label": _label(ORG_LEVEL_LABELS, org.level),
        "place": place_label(org.unit),
        "parent_visible": org.parent_id is not None and selectors.orgs_visible(actor).filter(pk=org.parent_id).exists(),
        "children": [
            {"org": c, "level_label": _label(ORG_LEVEL_LABELS, c.level)}
            for c in selectors.orgs_visible(actor).filter(parent=org)
        ],
        "posts": posts,
        "health": selectors.health_of(org),
        "schedule": [
            {
                "due": d,
                "kind_label": _label(MEETING_KIND_LABELS, d.kind),
                "cadence_label": _label(CADENCE_LABELS, CADENCE[d.kind]),
            }
            for d in selectors.schedule_of(org, today)
        ],
        "can_members": can_members,
        "can_manage": can_manage,
        "can_sub_org": can_manage and org.level != domain.OrgLevel.GROUP,
    }
    if can_members:
        filter_form = forms.MemberFilterForm(request.GET)
        applied = filter_form.cleaned_data if filter_form.is_valid() else {}
        members = selectors.members_for(actor, org=org, text=applied.get("text", ""), status=applied.get("status", ""))
        page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = [{"m": m, "status_label": _label(MEMBER_STATUS_LABELS, m.status)} for m in page]
        context.update(
            filter_form=filter_form,
            filtered=any(applied.values()),
            page=page,
            meetings=[
                {"m": m, "kind_label": _label(MEETING_KIND_LABELS, m.kind)}
                for m in selectors.meetings_for(actor, org=org)[:RECENT_MEETINGS]
            ],
        )
    return context


@never_cache
@require_GET
@scoped_view
def org_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    org = selectors.get_org_for(request.user, public_id)
    return _page(request, "party/org_detail.html", _org_context(request, org))


@require_GET
@scoped_view
def org_export(request: HttpRequest, public_id: str) -> HttpResponse:
    """The organisation's members (and those of the organisations below it) as .xlsx, masked; audited."""
    org = selectors.get_reached_org_for(request.user, public_id)
    fileobj = exports.export_members(actor=request.user, org=org)
    response = FileResponse(
        fileobj, as_attachment=True, filename=exports.filename(org), content_type=exports.CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


def _places(actor: Any, parents: list[Any]) -> tuple[list[Any], list[Any], list[tuple[str, list[Any]]]]:
    """Where the actor may set up an organisation: within the communities they are Party secretary of, and within
    the places of the organisations they reach. Returns areas, compounds and buildings grouped by compound."""
    roots = list(territory_selectors.areas_for(actor).filter(path__in=scope_of(actor).paths(SECRETARY_ROLES)))
    roots += [o.unit.area for o in parents]
    minimal: list[Any] = []
    for area in sorted({a.path: a for a in roots}.values(), key=lambda a: a.path):
        if not any(area.path.startswith(m.path) for m in minimal):
            minimal.append(area)
    areas = [a for root in minimal for a in territory_selectors.areas_under(root).order_by("path")]
    compounds = [c for root in minimal for c in territory_selectors.compounds_under(root).order_by("code")]
    groups = [
        (c.name, list(territory_selectors.buildings_of_compound_unscoped(c.pk))) for c in compounds[:BUILDING_COMPOUNDS]
    ]
    return areas, compounds, [(name, rows) for name, rows in groups if rows]


def _by_id(rows: list[Any], public_id: str) -> Any:
    return next((r for r in rows if str(r.public_id) == public_id), None) if public_id else None


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def org_new(request: HttpRequest) -> HttpResponse:
    """Set up a Party organisation: a top organisation of a community (its Party secretary), or one under an
    organisation the actor reaches (?parent= preselects it)."""
    require_can(request, "party.manage")
    actor = request.user
    parents = [o for o in selectors.orgs_reached(actor) if o.level != domain.OrgLevel.GROUP]
    areas, compounds, building_groups = _places(actor, parents)
    buildings = [b for _name, rows in building_groups for b in rows]
    top_allowed = bool(scope_of(actor).paths(SECRETARY_ROLES))
    initial: dict[str, Any] = {}
    chosen = _by_id(parents, request.GET.get("parent", ""))
    if chosen is not None:
        initial = {"parent": str(chosen.public_id), "area": str(chosen.unit.area.public_id)}
    form = forms.OrgForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        parents=parents,
        top_allowed=top_allowed,
        areas=areas,
        compounds=compounds,
        building_groups=building_groups,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.OrgInput(
            level=d["level"],
            name=d["name"],
            area=_by_id(areas, d["area"]),
            compound=_by_id(compounds, d["compound"]),
            building=_by_id(buildings, d["building"]),
            parent=_by_id(parents, d["parent"]),
            joint=d["joint"],
            joint_units=d["joint_units"],
            founded_on=d["founded_on"],
        )
        holder: dict[str, Any] = {}

        def call() -> None:
            holder["org"] = services.org_create(actor=actor, data=data)

        if _run(request, form, call, _("已设立党组织")):
            return redirect("party:org_detail", public_id=holder["org"].public_id)
    context = {"form": form, "parent": chosen, "nowhere": not parents and not top_allowed}
    return _page(request, "party/org_new.html", context, status=400 if form.errors else 200)


# --- members ------------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def member_new(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record a member of the organisation: a new member, or one whose relationship transfers in from outside."""
    org = selectors.get_reached_org_for(request.user, public_id)
    require_can(request, "party.manage", org)
    form = forms.MemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = services.MemberInput(**form.cleaned_data)
        holder: dict[str, Any] = {}

        def call() -> None:
            holder["m"] = services.member_add(actor=request.user, org=org, data=data)

        if _run(request, form, call, _("已登记党员")):
            return redirect("party:member_detail", public_id=holder["m"].public_id)
    context = {"org": org, "form": form}
    return _page(request, "party/member_new.html", context, status=400 if form.errors else 200)


MEMBER_ACTIONS = ("make_full", "transfer", "reveal")


def _transfer_targets(request: HttpRequest, member: Any) -> list[Any]:
    return [o for o in selectors.orgs_reached(request.user) if o.pk != member.org_id]


def _member_context(request: HttpRequest, member: Any, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    actor = request.user
    today = timezone.localdate()
    can_manage = bool(can(actor, "party.manage", member)) and member.active
    context: dict[str, Any] = {
        "member": member,
        "status_label": _label(MEMBER_STATUS_LABELS, member.status),
        "transfers": list(selectors.transfers_of(member)),
        "can_manage": can_manage,
        "forms": {},
    }
    if can_manage:
        if member.status == domain.MemberStatus.PROBATIONARY:
            context["forms"]["make_full"] = bound.get("make_full") or forms.MakeFullForm(
                prefix="full", initial={"full_on": today}
            )
        context["forms"]["transfer"] = bound.get("transfer") or forms.TransferForm(
            prefix="transfer", targets=_transfer_targets(request, member), initial={"on": today}
        )
    if can(actor, "party.reveal", member):
        context["forms"]["reveal"] = bound.get("reveal") or forms.RevealForm(prefix="reveal")
    return context


@never_cache
@require_GET
@scoped_view
def member_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    member = selectors.get_member_for(request.user, public_id)
    return _page(request, "party/member_detail.html", _member_context(request, member))


@never_cache
@require_POST
@scoped_view
def member_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    if action not in MEMBER_ACTIONS:
        raise NotFound()
    actor = request.user
    member = selectors.get_member_for(actor, public_id)
    detail = redirect("party:member_detail", public_id=member.public_id)
    form: Any
    if action == "reveal":
        require_can(request, "party.reveal", member)
        form = forms.RevealForm(request.POST, prefix="reveal")
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                revealed = services.member_reveal(actor=actor, member=member, reason=reason)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                context = {"member": member, "revealed": revealed, "reason": reason}
                return _page(request, "party/member_revealed.html", context)
    elif action == "make_full":
        require_can(request, "party.manage", member)
        form = forms.MakeFullForm(request.POST, prefix="full")
        if form.is_valid():
            day = form.cleaned_data["full_on"]
            call = lambda: services.member_make_full(actor=actor, member=member, full_on=day)  # noqa: E731
            if _run(request, form, call, _("已登记转正")):
                return detail
    else:
        require_can(request, "party.manage", member)
        form = forms.TransferForm(request.POST, prefix="transfer", targets=_transfer_targets(request, member))
        if form.is_valid():
            d = form.cleaned_data
            to_org = selectors.get_reached_org_for(actor, d["to_org"]) if d["to_org"] else None

            def call() -> None:
                services.member_transfer(
                    actor=actor, member=member, on=d["on"], to_org=to_org, outside_org=d["outside_org"], note=d["note"]
                )

            if _run(request, form, call, _("已转接组织关系")):
                return detail
    context = _member_context(request, member, bound={action: form})
    context["failed_action"] = action
    return _page(request, "party/member_detail.html", context, status=400)


# --- posts --------------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def post_new(request: HttpRequest, public_id: str) -> HttpResponse:
    """Give a member of the organisation a post for a term; the committee's size is checked by the service."""
    actor = request.user
    org = selectors.get_reached_org_for(actor, public_id)
    require_can(request, "party.manage", org)
    members = list(selectors.members_for(actor, org=org))
    form = forms.PostForm(request.POST if request.method == "POST" else None, members=members, level=org.level)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = get_by_public_id(selectors.members_for(actor, org=org), d["member"])
        warnings: list[str] = []

        def call() -> None:
            _row, advice = services.post_assign(
                actor=actor,
                org=org,
                member=member,
                post=d["post"],
                term_starts_on=d["term_starts_on"],
                term_ends_on=d["term_ends_on"],
            )
            warnings.extend(advice)

        if _run(request, form, call, _("已登记职务")):
            for text in warnings:
                messages.warning(request, text)
            return redirect("party:org_detail", public_id=org.public_id)
    context = {"org": org, "form": form, "members": members}
    return _page(request, "party/post_new.html", context, status=400 if form.errors else 200)


@never_cache
@require_POST
@scoped_view
def post_end(request: HttpRequest, public_id: str, post_id: str) -> HttpResponse:
    """End a post (离任) on the date given; a wrong date re-renders the organisation's page with the error."""
    actor = request.user
    org = selectors.get_reached_org_for(actor, public_id)
    require_can(request, "party.manage", org)
    post = get_by_public_id(selectors.posts_of(org), post_id)
    prefix = f"end-{post.public_id}"
    form = forms.PostEndForm(request.POST, prefix=prefix)
    if form.is_valid():
        day = form.cleaned_data["on"]
        if _run(request, form, lambda: services.post_end(actor=actor, post=post, on=day), _("已登记离任")):
            return redirect("party:org_detail", public_id=org.public_id)
    context = _org_context(request, org, bound={prefix: form})
    context["failed_action"] = "post_end"
    return _page(request, "party/org_detail.html", context, status=400)


# --- meetings -----------------------------------------------------------------------------------------------


def _meeting_aliases(form: Any) -> dict[str, str]:
    """The service names decision rows by their place among the filled ones; the form by the row on the page."""
    aliases = {}
    for k, (row, *_rest) in enumerate(form.decisions()):
        aliases[f"decisions[{k}].title"] = f"d{row}_title"
        aliases[f"decisions[{k}].votes_for"] = f"d{row}_for"
    return aliases


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def meeting_new(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record a 三会一课 meeting: kind (those the organisation holds), date, topic, minutes, attendance of each
    member on the roll and, at a general meeting, up to five decisions with their votes."""
    actor = request.user
    org = selectors.get_reached_org_for(actor, public_id)
    require_can(request, "party.manage", org)
    kinds = selectors.meeting_kinds_of(org)
    roll = list(selectors.members_for(actor, org=org))
    initial: dict[str, Any] = {"held_on": timezone.localdate()}
    if request.GET.get("kind") in {k.value for k in kinds}:
        initial["kind"] = request.GET["kind"]
    form = forms.MeetingForm(
        request.POST if request.method == "POST" else None, initial=initial, kinds=kinds, roll=roll
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.MeetingInput(
            kind=d["kind"],
            held_on=d["held_on"],
            topic=d["topic"],
            place=d["place"],
            minutes=d["minutes"],
            election=d["election"],
            present=form.present(),
            absence_reasons=form.absence_reasons(),
            decisions=[
                services.DecisionInput(title=t, votes_for=f, votes_against=a, abstentions=b)
                for _row, t, f, a, b in form.decisions()
            ],
        )
        holder: dict[str, Any] = {}

        def call() -> None:
            holder["m"] = services.meeting_record(actor=actor, org=org, data=data)

        if _run(request, form, call, _("已登记组织生活"), aliases=_meeting_aliases(form)):
            return redirect("party:meeting_detail", public_id=holder["m"].public_id)
    posts: dict[int, list[str]] = {}
    for p in selectors.posts_of(org):
        posts.setdefault(p.member_id, []).append(_label(POST_LABELS, p.post))
    rows = [{**row, "posts": "、".join(posts.get(row["m"].pk, []))} for row in form.attendance_rows()]
    context = {"org": org, "form": form, "rows": rows}
    return _page(request, "party/meeting_new.html", context, status=400 if form.errors else 200)


@never_cache
@require_GET
@scoped_view
def meeting_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """Attendance, whether the meeting could decide (with the rule's explanation) and its decisions."""
    meeting = selectors.get_meeting_for(request.user, public_id)
    quorum = None
    if meeting.valid is not None:
        quorum = domain.meeting_quorum(meeting.entitled, meeting.present, meeting.election)
    decisions = [
        {"d": d, "result": domain.decision_passes(meeting.entitled, meeting.present, d.votes_for, meeting.election)}
        for d in selectors.decisions_of(meeting)
    ]
    attendance = [
        {"a": a, "status_label": _label(MEMBER_STATUS_LABELS, a.status)} for a in selectors.attendance_of(meeting)
    ]
    context = {
        "meeting": meeting,
        "org": meeting.org,
        "kind_label": _label(MEETING_KIND_LABELS, meeting.kind),
        "quorum": quorum,
        "decisions": decisions,
        "attendance": attendance,
        "present_count": sum(1 for row in attendance if row["a"].present),
    }
    return _page(request, "party/meeting_detail.html", context)


@never_cache
@require_GET
@scoped_view
def meeting_list(request: HttpRequest) -> HttpResponse:
    """三会一课 records of the organisations the actor reaches, newest first; by organisation and kind."""
    require_can(request, "party.members")
    actor = request.user
    orgs = list(selectors.orgs_reached(actor))
    filter_form = forms.MeetingFilterForm(request.GET, orgs=orgs)
    applied = {k: v for k, v in filter_form.cleaned_data.items() if v} if filter_form.is_valid() else {}
    org = _by_id(orgs, applied.get("org", ""))
    rows = selectors.meetings_for(actor, org=org, kind=applied.get("kind", ""))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [{"m": m, "kind_label": _label(MEETING_KIND_LABELS, m.kind)} for m in page]
    context = {"filter_form": filter_form, "applied": applied, "page": page}
    return _page(request, "party/meeting_list.html", context)
