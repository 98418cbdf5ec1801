"""Case photos for staff: the review page (make public / keep private), upload of before/after photos by the
handler, and the scoped view that serves photo bytes (never a public media URL).

Every photo is fetched through a scoped selector: a photo of a case outside the actor's scope answers 404, as
a missing one does. The services check the permissions again and audit every decision and upload.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from shequ.core.errors import NotFound, ValidationError
from shequ.core.http import require_can as _require
from shequ.core.http import scoped_view as _scoped

from . import (
    photo_permissions,  # noqa: F401  (registers cases.review_photos)
    photo_selectors,
    photo_services,
    selectors,
)

STATE_TABS = {
    "pending": gettext_lazy("待审核"),
    "private": gettext_lazy("不公开"),
    "public": gettext_lazy("已公开"),
}


PHOTOS_PER_PAGE = 48


@never_cache
@require_GET
@_scoped
def photo_review(request: HttpRequest) -> HttpResponse:
    """诉求照片审核: photos of the actor's cases awaiting review (or already decided), with the two decisions."""
    _require(request, "cases.review_photos")
    state = request.GET.get("state") or "pending"
    if state not in STATE_TABS:
        state = "pending"
    page = Paginator(photo_selectors.review_list(request.user, state), PHOTOS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "state": state,
        "tabs": list(STATE_TABS.items()),
        "photos": page.object_list,
        "page": page,
    }
    return render(request, "cases/photo_review.html", context)


@never_cache
@require_POST
@_scoped
def photo_decide(request: HttpRequest, photo_id: str) -> HttpResponse:
    """Make one photo public (decision=public) or keep it private (decision=private); back to where it came from."""
    photo = photo_selectors.get_reviewable_photo_for(request.user, photo_id)
    decision = request.POST.get("decision")
    if decision not in ("public", "private"):
        messages.error(request, _("请选择“公开”或“不公开”。"))
    else:
        photo_services.photo_set_public(actor=request.user, photo=photo, public=decision == "public")
        messages.success(request, _("照片已公开") if decision == "public" else _("照片已设为不公开"))
    if request.POST.get("back") == "case":
        return redirect(reverse("cases:case_detail", args=[photo.case.public_id]) + "#photos")
    state = request.POST.get("state")
    return redirect(reverse("cases:photo_review") + f"?state={state if state in STATE_TABS else 'pending'}")


@never_cache
@require_POST
@_scoped
def photo_upload(request: HttpRequest, public_id: str) -> HttpResponse:
    """Upload before/after photos to a case (the handler); errors come back as messages on the case page."""
    case = selectors.get_case_for(request.user, public_id)
    try:
        saved = photo_services.photos_upload(
            actor=request.user,
            case=case,
            kind=request.POST.get("kind", ""),
            uploads=request.FILES.getlist("photos"),
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("已上传 %(n)d 张照片，审核公开前居民看不到。") % {"n": len(saved)})
    return redirect(reverse("cases:case_detail", args=[case.public_id]) + "#photos")


@require_GET
@_scoped
def photo_file(request: HttpRequest, photo_id: str) -> HttpResponse:
    """The photo's bytes (?thumb=1: a small JPEG) for staff who may see its case; never cached by proxies."""
    _require(request, "cases.view")
    photo = photo_selectors.get_visible_photo_for(request.user, photo_id)
    try:
        data, content_type = photo_services.photo_content(photo, thumbnail=request.GET.get("thumb") == "1")
    except (OSError, ValueError) as exc:  # the file is gone from storage or no longer decodes
        raise NotFound() from exc
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
