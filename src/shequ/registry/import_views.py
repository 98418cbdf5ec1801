"""Spreadsheet import pages: upload, validation report with progress, confirmation, cancellation, exports, and
the confirmation page of the dwellings an import would add to the register.

Thin: every rule is in `imports` (services of the pipeline) and `selectors`. A batch outside the actor's
import scope answers 404, exactly like a missing one.
"""

import io
import tempfile
from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from shequ.core.errors import NotFound, PermissionDenied
from shequ.core.permissions import can

from . import columns, import_recovery, import_report, imports, selectors
from .domain import IMPORT_RUNNING, import_can_cancel, import_can_confirm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


def _import_page(fn: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in users with registry.import only; missing, out-of-scope and forbidden all answer 404."""

    @wraps(fn)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can(request.user, "registry.import"):
            raise Http404()
        try:
            return fn(request, *args, **kwargs)
        except (NotFound, PermissionDenied) as exc:
            raise Http404() from exc

    return login_required(wrapper)


def _messages_of(exc: ValidationError) -> list[str]:
    return [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") else exc.messages


class UploadForm(forms.Form):
    community = forms.ChoiceField(label=gettext_lazy("导入到社区"))
    file = forms.FileField(
        label=gettext_lazy("文件"),
        help_text=gettext_lazy("Excel（.xlsx）或 CSV 文件，不超过 20 MB，最多 200,000 行；列按表头名称识别"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, communities, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(str(c.public_id), c.name) for c in communities]


@_import_page
def import_list(request: HttpRequest) -> HttpResponse:
    waiting = request.GET.get("status") == selectors.IMPORT_WAITING  # the home page's 待确认 link
    batches = selectors.import_batches_for(request.user, status=selectors.IMPORT_WAITING if waiting else "")
    page = Paginator(batches, 20).get_page(request.GET.get("page"))
    return render(request, "registry/import_list.html", {"page": page, "waiting": waiting})


class InMemoryUpload(MemoryFileUploadHandler):
    """Keep an uploaded spreadsheet in memory, never in a temporary file: it is personal information in clear.

    Memory is bounded: past the import limit the bytes are counted but dropped, and the service then refuses
    the file by its size.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None) -> None:
        self.activated = True

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = imports.MAX_UPLOAD_BYTES + 1 - start
        if room > 0:
            self.file.write(raw_data[:room])


@csrf_exempt
def import_upload(request: HttpRequest) -> HttpResponse:
    # The handlers must be replaced before anything reads the body; the CSRF check follows in _upload_page.
    request.upload_handlers = [InMemoryUpload(request)]
    return _upload_page(request)


@csrf_protect
@_import_page
def _upload_page(request: HttpRequest) -> HttpResponse:
    communities = {str(c.public_id): c for c in imports.importable_communities(request.user)}
    if request.method == "POST" and request.POST.get("community") not in communities:
        raise Http404()  # a community outside the import scope: nothing is read, nothing stored
    form = UploadForm(request.POST or None, request.FILES or None, communities=communities.values())
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = imports.import_upload(
                actor=request.user,
                community=communities[form.cleaned_data["community"]],
                fileobj=upload,
                file_name=upload.name,
            )
        except ValidationError as exc:
            for message in _messages_of(exc):
                form.add_error("file", message)
        else:
            messages.success(request, _("文件已上传，正在后台校验；校验完成前不会导入任何数据"))
            return redirect("registry:import_detail", public_id=batch.public_id)
    return render(request, "registry/import_upload.html", {"form": form})


@_import_page
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    buffer = io.BytesIO()
    columns.template_xlsx(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename="居民信息导入模板.xlsx", content_type=XLSX)


def _report_context(request: HttpRequest, batch) -> dict:
    counts = {o: 0 for o in ("create", "update", "invalid", "duplicate_in_file", "elsewhere")}
    counts.update(selectors.import_outcome_counts(batch))
    missing = []
    if (
        batch.status == "validated"
        and counts["invalid"]
        and can(request.user, "registry.create_dwellings", batch.community)
    ):
        missing = import_report.missing_dwellings(batch)
    problems = Paginator(import_report.problem_rows(batch), PAGE_SIZE).get_page(request.GET.get("page"))
    updates = Paginator(import_report.update_rows(batch), PAGE_SIZE).get_page(request.GET.get("upage"))
    return {
        "batch": batch,
        "counts": counts,
        "applicable": counts["create"] + counts["update"],
        "blocking": counts["invalid"] + counts["duplicate_in_file"] + counts["elsewhere"],
        "running": batch.status in IMPORT_RUNNING,
        "stalled": import_recovery.is_stale(batch),
        "can_confirm": import_can_confirm(batch.status, batch.mode),
        "can_cancel": import_can_cancel(batch.status),
        "problems": problems,
        "error_lines": import_report.error_lines(problems),
        "updates": updates,
        "missing_dwellings": missing,
        "waiting_rows": sum(len(m.rows) for m in missing),
    }


@_import_page
def import_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    batch = selectors.get_import_batch_for(request.user, public_id)
    return render(request, "registry/import_detail.html", _report_context(request, batch))


@_import_page
@require_GET
def import_progress(request: HttpRequest, public_id: str) -> HttpResponse:
    """The htmx partial polled every 2 s; once the work is done it asks the page to reload for the report."""
    batch = selectors.get_import_batch_for(request.user, public_id)
    running = batch.status in IMPORT_RUNNING
    context = {"batch": batch, "running": running, "stalled": import_recovery.is_stale(batch)}
    response = render(request, "registry/import_progress.html", context)
    if not running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@_import_page
@require_POST
def import_confirm(request: HttpRequest, public_id: str) -> HttpResponse:
    batch = selectors.get_import_batch_for(request.user, public_id)
    try:
        imports.import_confirm(actor=request.user, batch=batch, mode=request.POST.get("mode", ""))
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("已确认，正在后台导入"))
    return redirect("registry:import_detail", public_id=batch.public_id)


@_import_page
@require_POST
def import_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    batch = selectors.get_import_batch_for(request.user, public_id)
    try:
        imports.import_cancel(actor=request.user, batch=batch)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return redirect("registry:import_detail", public_id=batch.public_id)
    messages.success(request, _("已取消导入，暂存的数据已删除"))
    return redirect("registry:import_list")


@_import_page
@require_GET
def import_errors_xlsx(request: HttpRequest, public_id: str) -> HttpResponse:
    batch = selectors.get_import_batch_for(request.user, public_id)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # FileResponse closes it
    import_report.errors_xlsx(batch, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename="导入问题清单.xlsx", content_type=XLSX)


@_import_page
def import_dwellings(request: HttpRequest, public_id: str) -> HttpResponse:
    """The dwellings rows wait for, each with its floor area, for confirmation; POST creates them."""
    batch = selectors.get_import_batch_for(request.user, public_id)
    if not can(request.user, "registry.create_dwellings", batch.community):
        raise Http404()
    errors: list[str] = []
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {k.removeprefix("area-"): v for k, v in request.POST.items() if k.startswith("area-")}
        try:
            created = imports.import_create_dwellings(actor=request.user, batch=batch, floor_areas=posted)
        except ValidationError as exc:
            errors = _messages_of(exc)
        else:
            messages.success(request, _("已新增 %(n)s 套房屋，等待这些房屋的行已重新校验") % {"n": len(created)})
            return redirect("registry:import_detail", public_id=batch.public_id)
    missing = import_report.missing_dwellings(batch) if batch.status == "validated" else []
    rows = [{"item": m, "value": posted.get(m.key, m.suggested_area or "")} for m in missing]
    return render(request, "registry/import_dwellings.html", {"batch": batch, "rows": rows, "errors": errors})
