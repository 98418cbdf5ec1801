"""{% leader_figures %}: a leader's on-time rate, satisfaction, share resolved at each level and 12-week trend.

Without `area=` it shows the first area of the request user's scope, and only to a leader (community Party
secretary, street or district officer); the statistics page passes the area it shows. The chart data travels
as JSON (`json_script`); cases/figures.js draws it with Apache ECharts (no inline script under the CSP).
"""

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone

from shequ.core.permissions import can
from shequ.territory import selectors as territory_selectors

from .. import figures

register = template.Library()


@register.inclusion_tag("cases/_leader_figures.html", takes_context=True)
def leader_figures(context: template.Context, area: Any = None) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not getattr(user, "is_authenticated", False) or not can(user, "cases.view"):
        return {"show": False}
    if area is None:
        if not figures.is_leader(user):
            return {"show": False}
        area = territory_selectors.top_areas_for(user).first()
        if area is None:
            return {"show": False}
    today = timezone.localdate()
    start = today - timedelta(days=7 * figures.TREND_WEEKS - 1)
    total = figures.figures_for(user, area, start, today)
    weeks = figures.trend(user, area, today)
    on_time, satisfaction = figures.RATES["on_time_rate"], figures.RATES["satisfaction_rate"]
    levels = total.level_shares()
    chart = {
        "weeks": [f"{w.start:%m-%d}" for w in weeks],
        "series": [
            {"name": str(on_time.label), "data": [w.on_time.percent for w in weeks]},
            {"name": str(satisfaction.label), "data": [w.satisfaction.percent for w in weeks]},
        ],
        "levels": [{"name": str(label), "value": share.numerator} for _key, label, share in levels],
    }
    return {
        "show": True,
        "area": area,
        "start": start,
        "end": today,
        "on_time": total.rate("on_time_rate"),
        "satisfaction": total.rate("satisfaction_rate"),
        "on_time_figure": on_time,
        "satisfaction_figure": satisfaction,
        "levels": [(figures.COUNTS[key], share) for key, _label, share in levels],
        "level_share_definition": figures.LEVEL_SHARE_DEFINITION,
        "trend_definition": figures.TREND_DEFINITION,
        "chart": chart,
    }


@register.simple_tag
def suggestion_figures(group: str = "") -> Any:
    """{% suggestion_figures as defs %}: the suggestion statistics page's figures by key; with a group
    ("routing", "classifier"), the list of that table's figures (for their written definitions)."""
    if group:
        return [f for f in figures.SUGGESTION_FIGURES.values() if f.selector == f"{group}_stats"]
    return figures.SUGGESTION_FIGURES
