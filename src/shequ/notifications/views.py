"""The inbox: a staff user's notifications, newest first; opening one marks it read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors, services


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def open_notification(request: HttpRequest, public_id: str) -> HttpResponse:
    note = selectors.inbox(request.user).filter(public_id=public_id).first()
    if note is None:
        return redirect("notifications:inbox")
    services.mark_read(user=request.user, public_ids=[str(note.public_id)])
    if note.url and url_has_allowed_host_and_scheme(note.url, {request.get_host()}):
        return redirect(note.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(user=request.user)
    return redirect("notifications:inbox")
