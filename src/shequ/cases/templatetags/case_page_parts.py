"""{% page_parts "case_panels" as names %}: the templates other apps registered for a slot of a case page
(`shequ.cases.page_parts`), for the page to `{% include %}` one by one."""

from django import template

from .. import page_parts

register = template.Library()


@register.simple_tag(name="page_parts")
def page_parts_of(slot: str) -> tuple[str, ...]:
    return page_parts.templates(slot)
