"""The case page's 联席会议 panel: the joint meeting a case was filed from, for those who may read it."""

from typing import Any

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def case_joint_origin(case: Any, user: Any) -> Any:
    return selectors.follow_up_of_case(user, case)
