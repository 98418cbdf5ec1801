"""Residents' pages of owners' votes (业主表决), made for a phone: the votes of my compound, the ballot (each item;
an election takes up to N; a blank item is not taking part), the receipt after casting, changing before close,
and the published list with a "check my receipt" box. Everything works without JavaScript.

A resident sees only the votes in whose frozen electorate they are an owner or a proxy (others answer 404); the
cast service checks again that they may cast that owner's ballot.
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from shequ.core.actors import ResidentActor
from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.permissions import can
from shequ.votes import forms as vote_forms
from shequ.votes import presenting, selectors, services
from shequ.votes.rules import CHANNEL_LABELS, STATUS_LABELS, Channel, Status, receipt_display
from shequ.votes.views import published_context

from .views import resident_required


def _vote(resident: Any, public_id: str) -> Any:
    try:
        return selectors.get_vote_of_resident(resident, public_id)
    except NotFound:
        raise Http404() from None


def _owner(resident: Any, vote: Any, owner_id: str) -> Any:
    try:
        return selectors.get_owner_of_resident(resident, vote, owner_id)
    except NotFound:
        raise Http404() from None


def _is_open(vote: Any) -> bool:
    return vote.status == Status.OPEN and timezone.now() < vote.closes_at


@never_cache
@require_GET
@resident_required
def vote_list(request: HttpRequest, resident: Any) -> HttpResponse:
    """业主表决: the votes the resident takes part in as an owner or a proxy, each owner with their ballot state."""
    rows = []
    for vote in selectors.votes_of_resident(resident):
        owners = []
        for owner in selectors.owners_of_resident(resident, vote):
            owners.append({"owner": owner, "ballot": selectors.live_ballot(owner)})
        rows.append(
            {
                "vote": vote,
                "status_label": STATUS_LABELS.get(Status(vote.status)),
                "open": _is_open(vote),
                "owners": owners,
                "can_see_published": bool(can(ResidentActor(resident), "votes.see_published", vote)),
            }
        )
    return render(request, "portal/votes/vote_list.html", {"rows": rows})


@never_cache
@require_http_methods(["GET", "POST"])
@resident_required
def ballot(request: HttpRequest, resident: Any, public_id: str, owner_id: str) -> HttpResponse:
    """The ballot of one owner: cast it, or change it before close (a new receipt; the old one becomes void)."""
    vote = _vote(resident, public_id)
    owner = _owner(resident, vote, owner_id)
    current = selectors.live_ballot(owner)
    if not _is_open(vote):
        messages.error(request, _("表决已结束，不能再投票或修改选票"))
        return redirect("portal:vote_list")
    if current is not None and current.channel == "paper":
        messages.error(request, _("该房屋已提交纸质选票，如需更改请联系社区"))
        return redirect("portal:vote_list")
    specs = selectors.item_specs(vote, owner)
    initial = vote_forms.initial_of(selectors.ballot_answers(current)) if current else {}
    form = vote_forms.BallotForm(request.POST or None, specs=specs, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            actor = ResidentActor(resident)
            cast = services.ballot_change if current is not None else services.ballot_cast
            try:
                new = cast(actor=actor, owner=owner, choices=form.choices())
            except PermissionDenied as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                for error in exc.messages:
                    form.add_error(None, error)
            else:
                messages.success(request, _("投票成功，请保存您的回执码") if new.receipt_code else _("投票成功"))
                return redirect("portal:vote_receipt", public_id=vote.public_id, owner_id=owner.public_id)
        status = 400
    context = {
        "vote": vote,
        "owner": owner,
        "ballot": form,
        "changing": current is not None,
        "items": {i.position: i for i in vote.items.all()},
    }
    return render(request, "portal/votes/ballot.html", context, status=status)


@never_cache
@require_GET
@resident_required
def receipt(request: HttpRequest, resident: Any, public_id: str, owner_id: str) -> HttpResponse:
    """The owner's ballot as counted, with its receipt code (to find it in the published list after close)."""
    vote = _vote(resident, public_id)
    owner = _owner(resident, vote, owner_id)
    current = selectors.live_ballot(owner)
    if current is None:
        raise Http404()
    answers = selectors.ballot_answers(current)
    rows = [
        (f"{i.position}. {i.title}", presenting.answer_words(i.kind, answers.get(i.position)))
        for i in vote.items.order_by("position")
    ]
    context = {
        "vote": vote,
        "owner": owner,
        "ballot": current,
        "code": receipt_display(current.receipt_code),
        "channel_label": CHANNEL_LABELS.get(Channel(current.channel)),
        "rows": rows,
        "open": _is_open(vote),
    }
    return render(request, "portal/votes/receipt.html", context)


@never_cache
@require_GET
@resident_required
def published(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    """The published result and receipt list of a closed vote, with the "check my receipt" box."""
    vote = _vote(resident, public_id)
    publication = getattr(vote, "publication", None)
    if publication is None or not can(ResidentActor(resident), "votes.see_published", vote):
        raise Http404()
    form = vote_forms.ReceiptForm(request.GET if "code" in request.GET else None)
    check: dict[str, Any] | None = None
    if form.is_bound and form.is_valid():
        status, row = selectors.receipt_check(vote, form.cleaned_data["code"])
        check = {"status": status, "code": receipt_display(row["code"]) if row else form.cleaned_data["code"]}
        if row:
            check["answers"] = [
                (
                    f"{i['position']}. {i['title']}",
                    presenting.answer_words(i["kind"], row["choices"].get(str(i["position"]))),
                )
                for i in publication.data["items"]
            ]
    context = {**published_context(request, vote, publication), "form": form, "check": check}
    return render(request, "portal/votes/published.html", context)
