"""The inbox: a staff user's notifications, newest first; opening one marks it read. The preferences page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.errors import ValidationError
from shequ.core.http import errors_to_form, scoped_view

from . import selectors, services
from .forms import PreferenceForm

PAGE_SIZE = 30


@scoped_view
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox(request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread_only": unread_only, "unread": selectors.unread_count(request.user)},
    )


@scoped_view
@require_POST
def open_notification(request: HttpRequest, public_id: str) -> HttpResponse:
    note = selectors.get_notification_for(request.user, public_id)
    services.mark_read(user=request.user, public_ids=[str(note.public_id)])
    if note.url and url_has_allowed_host_and_scheme(note.url, {request.get_host()}):
        return redirect(note.url)
    return redirect("notifications:inbox")


@scoped_view
@require_POST
def mark_one_read(request: HttpRequest, public_id: str) -> HttpResponse:
    note = selectors.get_notification_for(request.user, public_id)
    services.mark_read(user=request.user, public_ids=[str(note.public_id)])
    return _back_to_inbox(request)


@scoped_view
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(user=request.user)
    return _back_to_inbox(request)


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt.startswith("/notifications/") and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return redirect(nxt)
    return redirect("notifications:inbox")


@scoped_view
def preferences(request: HttpRequest) -> HttpResponse:
    pref = services.preference_of(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            try:
                services.preferences_update(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("通知设置已保存。"))
                return redirect("notifications:preferences")
    else:
        form = PreferenceForm(
            initial={"email": request.user.email, "email_topics": pref.email_topics, "sms_topics": pref.sms_topics}
        )
    if pref.mobile_masked:
        form.fields["mobile"].help_text = _("已保存：%(masked)s。留空则保持不变。") % {"masked": pref.mobile_masked}
    else:
        form.fields["mobile"].help_text = _("短信通知发送到此号码，加密保存。")
        del form.fields["clear_mobile"]
    return render(request, "notifications/preferences.html", {"form": form, "pref": pref})
