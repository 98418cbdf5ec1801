"""Spreadsheet import pages (placeholder until the import pipeline lands)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
