"""导出 Excel of the staff work queues: the queue page's tab and filters, streamed as .xlsx, audited."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shequ.core.http import require_can as _require
from shequ.core.http import scoped_view as _scoped

from . import exports, selectors


@never_cache
@require_GET
@_scoped
def queue_export(request: HttpRequest) -> HttpResponse:
    """The current queue tab with its filters as .xlsx; an invalid filter or too long a list goes back to the page
    with a message (the page shows which filter is wrong)."""
    _require(request, "cases.view")
    selection = selectors.select_queue(request.user, request.GET)
    if selection.errors:
        messages.error(request, _("筛选条件有误，未导出。请更正后再导出"))
        query = urlencode([(k, v) for k, v in request.GET.items() if k != "page"])
        return redirect(reverse("cases:case_queue") + "?" + query)
    try:
        fileobj = exports.export_queue(actor=request.user, selection=selection)
    except exports.TooManyRows as exc:
        messages.error(request, str(exc))
        query = urlencode({"tab": selection.tab, **selection.applied})
        return redirect(reverse("cases:case_queue") + "?" + query)
    response: Any = FileResponse(  # streamed; typed as the decorators expect
        fileobj, as_attachment=True, filename=exports.filename(selection.tab), content_type=exports.CONTENT_TYPE
    )
    return response
