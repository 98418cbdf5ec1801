"""Staff page of the warning list: hot-spot alerts (many same-topic reports in a community within days) on top,
then the petition-risk list (the actor's open cases at or above the threshold, with reasons)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shequ.core.http import require_can as _require
from shequ.core.http import scoped_view as _scoped

from .hotspots import HotspotSettings, hotspots_for
from .risk import RiskWeights
from .warnings import warnings_for


@never_cache
@require_GET
@_scoped
def warning_list(request: HttpRequest) -> HttpResponse:
    """Hot-spot alerts, then top open cases by risk score (cases.view required), each with its reasons."""
    _require(request, "cases.view")
    context = {
        "warnings": warnings_for(request.user),
        "threshold": RiskWeights.from_settings().threshold,
        "hotspots": hotspots_for(request.user),
        "hotspot_settings": HotspotSettings.from_settings(),
    }
    return render(request, "cases/warnings.html", context)
