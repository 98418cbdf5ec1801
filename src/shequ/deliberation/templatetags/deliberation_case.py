"""The case page's 议事协商 panel: whether to offer 转为议题, or the proposal the case became."""

from typing import Any

from django import template

from shequ.core.permissions import can

from .. import selectors

register = template.Library()


@register.simple_tag
def case_proposal(case: Any, user: Any) -> dict[str, Any]:
    community = getattr(case, "community", None)
    if community is None or not can(user, "deliberation.manage", community):
        return {"show": False}
    return {"show": True, "proposal": selectors.proposal_of_case(case)}
