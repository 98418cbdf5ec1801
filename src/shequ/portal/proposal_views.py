"""Residents' pages of deliberation (议事协商) on the portal: my community's proposals, submit, support, comment.

The resident is the signed-in portal resident (`resident_required`); every write goes through the deliberation
services as `ResidentActor(resident)`, which check the resident's community again. Comments hidden by staff are
not shown here. Every page works without JavaScript.
"""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shequ.core.actors import ResidentActor
from shequ.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from shequ.core.http import errors_to_form
from shequ.deliberation import proposal_services, selectors
from shequ.deliberation.domain import OPEN_STATUSES, SOURCE_LABELS, STATUS_LABELS
from shequ.deliberation.forms import CommentForm, ProposalForm

from .views import resident_required

PAGE_SIZE = 20


def _proposal(resident: Any, public_id: str) -> Any:
    try:
        return selectors.get_resident_proposal(resident, public_id)
    except NotFound:
        raise Http404() from None


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@never_cache
@resident_required
def proposal_list(request: HttpRequest, resident: Any) -> HttpResponse:
    """议事协商: the proposals of the resident's community, newest first."""
    page = Paginator(selectors.proposals_of_community(resident), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [{"p": p, "status": STATUS_LABELS.get(p.status, p.status)} for p in page.object_list]
    return render(request, "portal/proposals/list.html", {"page": page, "community": resident.community})


@never_cache
@resident_required
def proposal_new(request: HttpRequest, resident: Any) -> HttpResponse:
    """提出议题: title and content; council members' proposals are marked as theirs by the service."""
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = proposal_services.proposal_submit(
                actor=ResidentActor(resident),
                community=resident.community,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("议题已提交，欢迎邀请邻居附议。"))
            return redirect("portal:proposal", public_id=proposal.public_id)
    status = 400 if form.errors else 200
    return render(request, "portal/proposals/new.html", {"form": form}, status=status)


@never_cache
@resident_required
def proposal_detail(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    proposal = _proposal(resident, public_id)
    context = {
        "proposal": proposal,
        "status": STATUS_LABELS.get(proposal.status, proposal.status),
        "source": SOURCE_LABELS.get(proposal.source, proposal.source),
        "supports": selectors.supports_count(proposal),
        "supported": selectors.has_supported(proposal, resident),
        "open": proposal.status in OPEN_STATUSES,
        "own": proposal.author_resident_id == resident.pk,
        "comments": list(selectors.comments_of(proposal, include_hidden=False)),
        "progress": list(selectors.progress_of(proposal)),
        "form": CommentForm(),
    }
    return render(request, "portal/proposals/detail.html", context)


@never_cache
@require_POST
@resident_required
def proposal_support(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    """附议: support the proposal once; a second click changes nothing."""
    proposal = _proposal(resident, public_id)
    try:
        proposal_services.proposal_support(actor=ResidentActor(resident), proposal=proposal)
    except PermissionDenied as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("已附议，感谢您的参与。"))
    return redirect("portal:proposal", public_id=proposal.public_id)


@never_cache
@require_POST
@resident_required
def proposal_comment(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    proposal = _proposal(resident, public_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            proposal_services.proposal_comment(
                actor=ResidentActor(resident), proposal=proposal, text=form.cleaned_data["text"]
            )
        except PermissionDenied as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, _("已发表意见。"))
    else:
        messages.error(request, _("请填写意见（不超过1000字）。"))
    return redirect("portal:proposal", public_id=proposal.public_id)


@never_cache
@require_POST
@resident_required
def proposal_withdraw(request: HttpRequest, resident: Any, public_id: str) -> HttpResponse:
    proposal = _proposal(resident, public_id)
    try:
        proposal_services.proposal_withdraw(actor=ResidentActor(resident), proposal=proposal)
    except PermissionDenied as exc:
        messages.error(request, exc.message)
    except InvalidTransition:
        messages.error(request, _("议题已列入议程，不能撤回。"))
    else:
        messages.success(request, _("议题已撤回。"))
    return redirect("portal:proposal", public_id=proposal.public_id)


@never_cache
@resident_required
def progress_photo(request: HttpRequest, resident: Any, public_id: str, photo_id: str) -> HttpResponse:
    """A photo of the implementation of a proposal of the resident's community."""
    from django.http import FileResponse

    proposal = _proposal(resident, public_id)
    try:
        photo = selectors.get_photo(proposal, photo_id)
    except NotFound:
        raise Http404() from None
    return FileResponse(photo.image.open("rb"))
