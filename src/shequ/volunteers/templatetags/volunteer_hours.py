"""`{{ value|hours }}`: service hours without trailing zeros ("2.5", "24", "0"), as on the proofs."""

from decimal import Decimal
from typing import Any

from django import template

from ..domain import hours_text

register = template.Library()


@register.filter
def hours(value: Any) -> str:
    if value is None or value == "":
        return "0"
    return hours_text(value if isinstance(value, Decimal) else Decimal(str(value)))
