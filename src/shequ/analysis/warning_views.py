"""Staff page of the warning list: hot-spot alerts (many same-topic reports in a community within days) on top,
each linking to the work queue filtered to its community, topic and days, then the petition-risk list (the
actor's open cases at or above the threshold, with reasons)."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shequ.core.http import require_can as _require
from shequ.core.http import scoped_view as _scoped

from .hotspots import Hotspot, HotspotSettings, hotspots_for
from .risk import RiskWeights
from .warnings import warnings_for


def queue_link(hotspot: Hotspot) -> str:
    """The 全部 queue filtered to the alert's community, topic and the days of its reports (查看这些诉求).

    The days run from the alert's first report to its last (the window when those are unknown). The queue
    filters whole days and every status, so it may also list a same-topic report from earlier on the first
    day, or one withdrawn since: the alert's cases are all there.
    """
    params = {"tab": "all", "category": hotspot.topic_public_id, "community": hotspot.community_public_id}
    start = hotspot.first_at or hotspot.window_start
    end = hotspot.last_at or hotspot.window_end
    if start is not None:
        params["submitted_from"] = timezone.localdate(start).isoformat()
    if end is not None:
        params["submitted_to"] = timezone.localdate(end).isoformat()
    return reverse("cases:case_queue") + "?" + urlencode(params)


@never_cache
@require_GET
@_scoped
def warning_list(request: HttpRequest) -> HttpResponse:
    """Hot-spot alerts, then top open cases by risk score (cases.view required), each with its reasons."""
    _require(request, "cases.view")
    hotspots = hotspots_for(request.user)
    context = {
        "warnings": warnings_for(request.user),
        "threshold": RiskWeights.from_settings().threshold,
        "hotspots": hotspots,
        "hotspot_links": [(h, queue_link(h)) for h in hotspots],
        "hotspot_settings": HotspotSettings.from_settings(),
    }
    return render(request, "analysis/warnings.html", context)
