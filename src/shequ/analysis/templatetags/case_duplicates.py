"""{% case_duplicates case user %}: the likely-duplicates panel of the case page (疑似重复诉求).

Shown only to those who may dispatch the case (cases.dispatch) while it is open: the likely duplicates with
their score and reasons, a link to each, and a one-click "合并到此诉求" button (POST, confirmed) when the merge
is allowed (same community).
"""

from typing import Any

from django import template

from shequ.cases.domain import OPEN_STATUSES, STATUS_LABELS, Status
from shequ.core.permissions import can

from ..duplicates import likely_duplicates

register = template.Library()


@register.inclusion_tag("analysis/_duplicates_panel.html", takes_context=True)
def case_duplicates(context: Any, case: Any, user: Any) -> dict[str, Any]:
    if case is None or case.status not in {s.value for s in OPEN_STATUSES} or not can(user, "cases.dispatch", case):
        return {"visible": False}
    rows = [
        {
            "case": d.case,
            "percent": round(d.score * 100),
            "reasons": d.reasons,
            "status_label": STATUS_LABELS.get(Status(d.case.status), d.case.status),
            "mergeable": d.case.community_id == case.community_id,
        }
        for d in likely_duplicates(case, actor=user)
    ]
    return {
        "visible": True,
        "case": case,
        "duplicates": rows,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
