"""Workbench home: what the actor is responsible for, with counts."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shequ.core.permissions import can
from shequ.territory import selectors as territory


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roots = []
    if can(request.user, "territory.view"):
        roots = [(a, territory.area_counts(request.user, a)) for a in territory.top_areas_for(request.user)]
    return render(request, "web/home.html", {"roots": roots})


def data_note(request: HttpRequest) -> HttpResponse:
    return render(request, "web/data_note.html")
