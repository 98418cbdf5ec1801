"""The inbox: a staff user's notifications, newest first; opening one marks it read. The preferences page.

The delivery page (system admins): email/SMS deliveries that failed or are stuck, and sending them again.
"""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.errors import ValidationError
from shequ.core.http import errors_to_form, require_can, scoped_view
from shequ.core.permissions import can
from shequ.core.scoping import scope_of

from . import selectors, services
from .domain import topics_offered
from .forms import DELIVERY_VIEW_LABELS, BulkRetryForm, DeliveryFilterForm, PreferenceForm

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
    services.mark_read(actor=request.user, public_ids=[str(note.public_id)])
    if note.url and url_has_allowed_host_and_scheme(note.url, {request.get_host()}):
        return redirect(note.url)
    return redirect("notifications:inbox")


@scoped_view
@require_POST
def mark_one_read(request: HttpRequest, public_id: str) -> HttpResponse:
    note = selectors.get_notification_for(request.user, public_id)
    services.mark_read(actor=request.user, public_ids=[str(note.public_id)])
    return _back_to_inbox(request)


@scoped_view
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(actor=request.user)
    return _back_to_inbox(request)


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt.startswith("/notifications/") and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return redirect(nxt)
    return redirect("notifications:inbox")


@scoped_view
def preferences(request: HttpRequest) -> HttpResponse:
    pref = services.preference_of(request.user)
    topics = topics_offered(scope_of(request.user).roles)
    if request.method == "POST":
        form = PreferenceForm(request.POST, topics=topics)
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
            initial={"email": request.user.email, "email_topics": pref.email_topics, "sms_topics": pref.sms_topics},
            topics=topics,
        )
    if pref.mobile_masked:
        form.fields["mobile"].help_text = _("已保存：%(masked)s。留空则保持不变。") % {"masked": pref.mobile_masked}
    else:
        form.fields["mobile"].help_text = _("短信通知发送到此号码，加密保存。")
        del form.fields["clear_mobile"]
    return render(request, "notifications/preferences.html", {"form": form, "pref": pref})


# --- delivery operations (system admins) -------------------------------------------------------------------

DELIVERY_PAGE_SIZE = 50


def _delivery_filter(params: Any) -> selectors.DeliveryFilter:
    form = DeliveryFilterForm(params)
    form.is_valid()
    return form.to_filter()


def _back_to_deliveries(request: HttpRequest) -> str:
    """The filtered delivery page the action came from, or the page's default view."""
    page = reverse("notifications:deliveries")
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt.startswith(page) and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return nxt
    return page


@never_cache
@scoped_view
def deliveries(request: HttpRequest) -> HttpResponse:
    """Email/SMS deliveries (failed or stuck by default) with filters, counts per status tab and retry buttons."""
    form = DeliveryFilterForm(request.GET)
    form.is_valid()
    f = form.to_filter()
    now = timezone.now()
    counts = selectors.delivery_counts(request.user, f, now=now)
    page = Paginator(selectors.deliveries_for(request.user, f, now=now), DELIVERY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    tabs = [
        {"value": v.value, "label": DELIVERY_VIEW_LABELS[v], "count": counts[v.value], "current": v == f.view}
        for v in selectors.DeliveryView
    ]
    context = {
        "form": form,
        "filter": f,
        "tabs": tabs,
        "counts": counts,
        "page": page,
        "rows": selectors.delivery_rows(page.object_list, now=now),
        "can_retry": can(request.user, "notifications.retry_delivery"),
        "stale_minutes": int(selectors.STALE_AFTER.total_seconds() // 60),
        "filtered": any(request.GET.get(k) for k in ("channel", "since", "until", "recipient")),
    }
    return render(request, "notifications/deliveries.html", context)


@never_cache
@scoped_view
@require_http_methods(["GET", "POST"])
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """GET: what will be sent again, and a confirmation button. POST: send it again (one more try, now)."""
    delivery = selectors.get_delivery_for(request.user, delivery_id)
    back = _back_to_deliveries(request)
    if request.method == "POST":
        try:
            services.delivery_retry(actor=request.user, delivery_id=delivery.pk)
        except ValidationError as exc:
            for message in exc.messages:
                messages.warning(request, message)
        else:
            messages.success(request, _("已重新提交发送，稍后刷新查看结果。"))
        return redirect(back)
    require_can(request, "notifications.retry_delivery")
    (row,) = selectors.delivery_rows([delivery])
    return render(request, "notifications/delivery_retry.html", {"row": row, "back": back})


@never_cache
@scoped_view
@require_http_methods(["GET", "POST"])
def deliveries_retry_failed(request: HttpRequest) -> HttpResponse:
    """GET: the failed deliveries matching the page's filters (up to the limit) and a confirmation button.
    POST: send exactly the confirmed ones again."""
    if request.method == "POST":
        selectors.require_deliveries_access(request.user)
        back = _back_to_deliveries(request)
        form = BulkRetryForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return redirect(back)
        try:
            retried = services.deliveries_retry(actor=request.user, delivery_ids=form.cleaned_data["delivery"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(back)
        skipped = len(set(form.cleaned_data["delivery"])) - len(retried)
        if retried:
            messages.success(request, _("已重新提交发送 %(n)d 条，稍后刷新查看结果。") % {"n": len(retried)})
        if skipped:
            messages.warning(request, _("%(n)d 条已不是“发送失败”状态，未重新发送。") % {"n": skipped})
        return redirect(back)
    f = _delivery_filter(request.GET)
    chosen, total = selectors.failed_for_retry(request.user, f, limit=services.BULK_RETRY_LIMIT)
    require_can(request, "notifications.retry_delivery")
    back = reverse("notifications:deliveries") + ("?" + request.GET.urlencode() if request.GET else "")
    context = {
        "rows": selectors.delivery_rows(chosen),
        "total": total,
        "limit": services.BULK_RETRY_LIMIT,
        "back": back,
    }
    return render(request, "notifications/deliveries_retry_failed.html", context)
