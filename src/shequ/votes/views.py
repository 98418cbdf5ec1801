"""Staff pages of owners' votes: the list, a new vote with its items, the vote with its live tally, paper ballots
(entry with the scan, the confirmation queue), proxies, closing with a confirmation page, the published list.

Votes come through the scoped selectors (outside the scope: 404). Buttons follow ``can``; the services check
again. A failed form re-renders with what was typed (status 400).
"""

import dataclasses
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import NotFound, ValidationError
from shequ.core.http import errors_to_form, require_can, scoped_view
from shequ.core.permissions import can
from shequ.registry import selectors as registry_selectors

from . import counting, forms, presenting, scans, selectors, services
from .rules import BALLOT_STATUS_LABELS, CHANNEL_LABELS, STATUS_LABELS, Status, receipt_display

PAGE_SIZE = 25
RECEIPTS_PAGE_SIZE = 100


def _status_label(vote: Any) -> str:
    return str(STATUS_LABELS.get(vote.status, vote.status))


@never_cache
@require_GET
@scoped_view
def vote_list(request: HttpRequest) -> HttpResponse:
    """Votes of the compounds in scope, searchable by title or compound, newest first."""
    require_can(request, "votes.view")
    text = (request.GET.get("q") or "").strip()[:50]
    status = request.GET.get("status", "")
    status = status if status in {s.value for s in Status} else ""
    page = Paginator(selectors.search(request.user, text=text, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = [{"vote": v, "status_label": _status_label(v)} for v in page.object_list]  # type: ignore[misc]
    context = {
        "page": page,
        "q": text,
        "status": status,
        "statuses": [(s.value, label) for s, label in STATUS_LABELS.items()],
        "can_create": bool(can(request.user, "votes.manage")),
        "paper_count": selectors.confirmable_paper(request.user).count(),
    }
    return render(request, "votes/vote_list.html", context)


def _items(item_forms: list[forms.ItemForm], compound: Any) -> tuple[list[services.ItemInput], list[str]]:
    items, errors = [], []
    for n, form in enumerate(item_forms, start=1):
        data = form.cleaned_data
        if not data.get("kind"):
            continue
        affected: list[Any] = []
        if data["kind"] == "consent" and compound is not None:
            affected, unknown = selectors.dwellings_by_label(compound, form.lines("affected"))
            if unknown:
                errors.append(_("第 %(n)s 项：本小区没有房屋 %(labels)s") % {"n": n, "labels": "、".join(unknown)})
        items.append(
            services.ItemInput(
                kind=data["kind"],
                title=data.get("title") or "",
                text=data.get("text") or "",
                seats=data.get("seats"),
                candidates=form.lines("candidates"),
                affected=affected,
            )
        )
    return items, errors


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def vote_new(request: HttpRequest) -> HttpResponse:
    """Draft a vote: compound, title, deadline, verifiability, and up to five items."""
    require_can(request, "votes.manage")
    compounds = selectors.compounds_for(request.user)
    data = request.POST if request.method == "POST" else None
    form = forms.VoteForm(data, compounds=compounds, initial={"verifiable": True})
    item_forms = forms.item_forms(data)
    status = 200
    if data is not None:
        if form.is_valid() & all(f.is_valid() for f in item_forms):
            compound = form.cleaned_data["compound"]
            items, errors = _items(item_forms, compound)
            try:
                if errors:
                    raise ValidationError({"items": errors})
                vote = services.vote_create(
                    actor=request.user,
                    compound=compound,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    closes_at=form.cleaned_data["closes_at"],
                    verifiable=form.cleaned_data["verifiable"],
                    items=items,
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("已保存表决草稿，核对无误后可开始表决"))
                return redirect("votes:vote_detail", public_id=vote.public_id)
        status = 400
    return render(request, "votes/vote_new.html", {"form": form, "item_forms": item_forms}, status=status)


def _detail_context(request: HttpRequest, vote: Any) -> dict[str, Any]:
    user = request.user
    results = counting.vote_tally(vote)
    counts = selectors.ballot_counts(vote)
    return {
        "vote": vote,
        "status_label": _status_label(vote),
        "items": list(vote.items.prefetch_related("candidates").order_by("position")),
        "tally": [presenting.item_view(r) for r in results],
        "counts": counts,
        "pending": [_ballot_row(b, user) for b in selectors.pending_paper(vote)],
        "can_manage": bool(can(user, "votes.manage", vote)),
        "can_enter": bool(can(user, "votes.enter_paper", vote)) and vote.status == Status.OPEN,
        "published": getattr(vote, "publication", None),
    }


def _ballot_row(ballot: Any, user: Any) -> dict[str, Any]:
    return {
        "ballot": ballot,
        "channel_label": CHANNEL_LABELS.get(ballot.channel, ballot.channel),
        "status_label": BALLOT_STATUS_LABELS.get(ballot.status, ballot.status),
        "can_confirm": bool(can(user, "votes.confirm_paper", ballot)),
    }


@never_cache
@require_GET
@scoped_view
def vote_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The vote with its items and the live tally (participation and approval by area and by headcount)."""
    vote = selectors.get_vote_for(request.user, public_id)
    require_can(request, "votes.view", vote)
    return render(request, "votes/vote_detail.html", _detail_context(request, vote))


@never_cache
@require_POST
@scoped_view
def vote_open(request: HttpRequest, public_id: str) -> HttpResponse:
    vote = selectors.get_vote_for(request.user, public_id)
    require_can(request, "votes.manage", vote)
    try:
        services.vote_open(actor=request.user, vote=vote)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("表决已开始，业主名册已按今日登记冻结"))
    return redirect("votes:vote_detail", public_id=vote.public_id)


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def vote_close(request: HttpRequest, public_id: str) -> HttpResponse:
    """Confirmation page, then close and publish."""
    vote = selectors.get_vote_for(request.user, public_id)
    require_can(request, "votes.manage", vote)
    error = ""
    if request.method == "POST":
        try:
            services.vote_close(actor=request.user, vote=vote)
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, _("表决已结束，结果和回执码清单已公布"))
            return redirect("votes:vote_published", public_id=vote.public_id)
    context = {**_detail_context(request, vote), "error": error}
    return render(request, "votes/vote_close.html", context, status=400 if error else 200)


def _owner_from_label(vote: Any, form: Any) -> Any:
    try:
        return selectors.owner_by_dwelling(vote, form.cleaned_data["dwelling"])
    except NotFound:
        form.add_error("dwelling", _("本次表决的业主名册中没有该房屋"))
        return None


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def paper_new(request: HttpRequest, public_id: str) -> HttpResponse:
    """Enter a paper ballot from its scan; it waits for a colleague's confirmation."""
    vote = selectors.get_vote_for(request.user, public_id)
    require_can(request, "votes.enter_paper", vote)
    data = request.POST if request.method == "POST" else None
    form = forms.PaperForm(data, request.FILES or None)
    specs = selectors.item_specs(vote)
    # Staff see every consent item: whether this owner is affected is checked by the service.
    specs = [dataclasses.replace(s, affected=True) for s in specs]
    ballot = forms.BallotForm(data, specs=specs)
    if data is not None:
        if form.is_valid() & ballot.is_valid():
            owner = _owner_from_label(vote, form)
            if owner is not None:
                try:
                    services.paper_enter(
                        actor=request.user,
                        owner=owner,
                        choices=ballot.choices(),
                        upload=form.cleaned_data.get("scan"),
                    )
                except ValidationError as exc:
                    errors_to_form(form, exc, {"choices": "__all__"})
                else:
                    messages.success(request, _("已录入纸质选票，须由另一位工作人员复核后计入"))
                    return redirect("votes:vote_detail", public_id=vote.public_id)
    context = {"vote": vote, "form": form, "ballot": ballot, "labels": selectors.dwelling_labels(vote)}
    return render(request, "votes/paper_new.html", context, status=400 if data is not None else 200)


@never_cache
@require_GET
@scoped_view
def paper_queue(request: HttpRequest) -> HttpResponse:
    """Paper ballots a colleague entered, waiting for the actor's confirmation (the home page's to-do)."""
    require_can(request, "votes.enter_paper")
    rows = []
    for ballot in selectors.confirmable_paper(request.user):
        rows.append(
            {
                **_ballot_row(ballot, request.user),
                "answers": _answer_rows(ballot),
            }
        )
    return render(request, "votes/paper_queue.html", {"rows": rows, "reject_form": forms.RejectForm()})


def _answer_rows(ballot: Any) -> list[tuple[str, str]]:
    answers = selectors.ballot_answers(ballot)
    return [
        (f"{i.position}. {i.title}", presenting.answer_words(i.kind, answers.get(i.position)))
        for i in ballot.vote.items.order_by("position")
    ]


@never_cache
@require_POST
@scoped_view
def paper_decide(request: HttpRequest, public_id: str, ballot_id: str, decision: str) -> HttpResponse:
    """Confirm or reject a paper ballot (another staff member than the one who entered it)."""
    if decision not in ("confirm", "reject"):
        raise NotFound()
    vote = selectors.get_vote_for(request.user, public_id)
    ballot = selectors.get_ballot_of(vote, ballot_id)
    require_can(request, "votes.confirm_paper", ballot)
    try:
        if decision == "confirm":
            services.paper_confirm(actor=request.user, ballot=ballot)
            messages.success(request, _("已复核，选票已计入"))
        else:
            services.paper_reject(actor=request.user, ballot=ballot, reason=request.POST.get("reason", ""))
            messages.success(request, _("已退回该纸质选票"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    if request.POST.get("next") == "queue":
        return redirect("votes:paper_queue")
    return redirect("votes:vote_detail", public_id=vote.public_id)


@never_cache
@require_GET
@scoped_view
def scan_view(request: HttpRequest, public_id: str, ballot_id: str) -> HttpResponse:
    """The scan of a paper ballot, decrypted (community staff only)."""
    vote = selectors.get_vote_for(request.user, public_id)
    require_can(request, "votes.enter_paper", vote)
    ballot = selectors.get_ballot_of(vote, ballot_id)
    if ballot.scan is None:
        raise NotFound()
    response = HttpResponse(scans.scan_content(ballot.scan), content_type=ballot.scan.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@scoped_view
def proxy_new(request: HttpRequest, public_id: str) -> HttpResponse:
    """Register an owner's written authorisation of a resident (scan attached)."""
    vote = selectors.get_vote_for(request.user, public_id)
    require_can(request, "votes.register_proxy", vote)
    data = request.POST if request.method == "POST" else None
    form = forms.ProxyForm(data, request.FILES or None)
    if data is not None and form.is_valid():
        owner = _owner_from_label(vote, form)
        proxy = registry_selectors.find_by_mobile(request.user, form.cleaned_data["mobile"]).first()
        if proxy is None:
            form.add_error("mobile", _("没有找到登记了该手机号码的居民"))
        if owner is not None and proxy is not None:
            try:
                services.proxy_register(
                    actor=request.user, owner=owner, proxy=proxy, upload=form.cleaned_data.get("scan")
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("已登记委托，代理人可在居民端为该业主投票"))
                return redirect("votes:vote_detail", public_id=vote.public_id)
    context = {"vote": vote, "form": form, "labels": selectors.dwelling_labels(vote)}
    return render(request, "votes/proxy_new.html", context, status=400 if data is not None else 200)


@never_cache
@require_GET
@scoped_view
def vote_published(request: HttpRequest, public_id: str) -> HttpResponse:
    """The publication: results with their explanation, and the receipt list (searchable, paginated)."""
    vote = selectors.get_vote_for(request.user, public_id)
    require_can(request, "votes.view", vote)
    publication = getattr(vote, "publication", None)
    if publication is None:
        raise NotFound()
    return render(request, "votes/vote_published.html", published_context(request, vote, publication))


def published_context(request: HttpRequest, vote: Any, publication: Any) -> dict[str, Any]:
    """What both the staff page and the owners' page show of a publication (``q`` filters receipt codes)."""
    data = publication.data
    items = data["items"]
    typed = (request.GET.get("q") or "").strip()[:20]
    receipts = data["receipts"]
    if typed:
        from .rules import normalise_receipt

        wanted = normalise_receipt(typed)
        receipts = [r for r in receipts if r["code"].startswith(wanted)]
    page = Paginator(receipts, RECEIPTS_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [
        {
            "code": receipt_display(r["code"]),
            "area": r["area"],
            "answers": [presenting.answer_words(i["kind"], r["choices"].get(str(i["position"]))) for i in items],
        }
        for r in page.object_list
    ]
    return {
        "vote": vote,
        "publication": publication,
        "items": [
            {
                **i,
                "explanation": data["explanations"][str(i["position"])],
                "result": data["results"][str(i["position"])],
            }
            for i in items
        ],
        "page": page,
        "q": typed,
        "receipt_count": len(data["receipts"]),
    }


@never_cache
@require_GET
@scoped_view
def vote_published_json(request: HttpRequest, public_id: str) -> HttpResponse:
    """The publication as JSON, for anyone to recount (``rules.recount``)."""
    vote = selectors.get_vote_for(request.user, public_id)
    require_can(request, "votes.view", vote)
    publication = getattr(vote, "publication", None)
    if publication is None:
        raise NotFound()
    return JsonResponse(publication.data, json_dumps_params={"ensure_ascii": False, "indent": 1})
