"""The statistics page of cases (诉求办理指标) and the list behind each of its counts (docs/figures.md)."""

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shequ.core.http import filter_day
from shequ.core.http import require_can as _require
from shequ.core.http import scoped_view as _scoped
from shequ.territory import selectors as territory_selectors

from . import figures
from .domain import STATUS_LABELS, Status


def _areas(user: Any) -> tuple[list[Any], Any]:
    """The areas the page offers (the user's roots, then streets and communities in scope) and the default."""
    roots = list(territory_selectors.top_areas_for(user))
    more = territory_selectors.areas_for(user).filter(level__in=["street", "community"]).order_by("path")
    areas = roots + [a for a in more[:300] if a not in roots]
    return areas, (roots[0] if roots else None)


def _period(request: HttpRequest) -> tuple[date, date]:
    """[start, end] from the query (default the last 30 days); a malformed day falls back with a message."""
    today = timezone.localdate()
    start = filter_day(request.GET.get("start")) if request.GET.get("start") else today - timedelta(30)
    end = filter_day(request.GET.get("end")) if request.GET.get("end") else today
    if start is None or end is None:
        messages.error(request, _("日期格式应为 年-月-日，已使用最近30天"))
        start, end = today - timedelta(30), today
    return (end, start) if start > end else (start, end)


def _status_label(status: str) -> str:
    try:
        return str(STATUS_LABELS[Status(status)])
    except (ValueError, KeyError):
        return status


def _list_url(area: Any, key: str, start: date, end: date) -> str:
    query = {"area": str(area.public_id), "figure": key, "start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
    return f"{reverse('cases:figure_cases')}?{urlencode(query)}"


def _count_cells(area: Any, f: figures.Figures, start: date, end: date) -> list[dict[str, Any]]:
    return [
        {"key": key, "n": f.counts[key], "url": _list_url(area, key, start, end)}
        for key in ("submitted", "resolved", "resolved_on_time", "rated", "satisfied")
    ]


@_scoped
@require_GET
def case_metrics(request: HttpRequest) -> HttpResponse:
    """The rates, the share resolved at each level and the child areas' counts of one area and period."""
    _require(request, "cases.view")
    areas, default = _areas(request.user)
    chosen = next((a for a in areas if str(a.public_id) == request.GET.get("area")), default)
    start, end = _period(request)
    context: dict[str, Any] = {"areas": areas, "chosen": chosen, "start": start, "end": end}
    if chosen is not None:
        b = figures.breakdown(request.user, chosen, start, end)
        context.update(
            total=b.total,
            rates=[
                {
                    "figure": r,
                    "rate": b.total.rate(r.key),
                    "numerator": figures.COUNTS[r.numerator],
                    "denominator": figures.COUNTS[r.denominator],
                    "numerator_url": _list_url(chosen, r.numerator, start, end),
                    "denominator_url": _list_url(chosen, r.denominator, start, end),
                }
                for r in figures.RATES.values()
            ],
            levels=[
                {"figure": figures.COUNTS[key], "share": share, "url": _list_url(chosen, key, start, end)}
                for key, _label, share in b.total.level_shares()
            ],
            count_columns=[
                figures.COUNTS[k] for k in ("submitted", "resolved", "resolved_on_time", "rated", "satisfied")
            ],
            child_rows=[
                {
                    "area": child,
                    "cells": _count_cells(child, f, start, end),
                    "on_time": f.rate("on_time_rate"),
                    "satisfaction": f.rate("satisfaction_rate"),
                }
                for child, f in b.rows
            ],
            total_cells=_count_cells(chosen, b.total, start, end),
            unplaced_cells=_count_cells(chosen, b.unplaced, start, end) if b.unplaced else [],
            total_on_time=b.total.rate("on_time_rate"),
            total_satisfaction=b.total.rate("satisfaction_rate"),
            rate_figures=figures.RATES,
            count_notes=list(figures.COUNTS.values()),
            level_share_definition=figures.LEVEL_SHARE_DEFINITION,
        )
    return render(request, "cases/case_metrics.html", context)


@_scoped
@require_GET
def figure_cases(request: HttpRequest) -> HttpResponse:
    """The cases behind one count of the statistics page (same area, period and definition)."""
    _require(request, "cases.view")
    figure = figures.COUNTS.get(request.GET.get("figure", ""))
    if figure is None:
        raise Http404()
    area = territory_selectors.get_area_for(request.user, request.GET.get("area"))
    start, end = _period(request)
    qs = (
        figures.figure_cases(request.user, area, figure.key, start, end)
        .select_related("category", "community", "holder", "holder_unit")
        .order_by("-submitted_at", "-id")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = {k: request.GET.get(k, "") for k in ("area", "figure", "start", "end")}
    return render(
        request,
        "cases/figure_cases.html",
        {
            "figure": figure,
            "area": area,
            "start": start,
            "end": end,
            "page_obj": page,
            "rows": [(case, _status_label(case.status)) for case in page],
            "query": urlencode(query),
            "back": f"{reverse('cases:case_metrics')}?{urlencode({k: query[k] for k in ('area', 'start', 'end')})}",
        },
    )
