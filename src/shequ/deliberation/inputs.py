"""Checks of typed text shared by the services: required, length, and no mobile or ID number in clear."""

from django.utils.translation import gettext as _

from shequ.core.errors import FieldErrors, ValidationError
from shequ.core.masking import mask_text

from .errors import DeliberationError as Err


def clean_text(errors: FieldErrors, name: str, value: str, *, required: bool = True, limit: int = 4000) -> str:
    """Strip `value`; record an error when required and empty, too long, or carrying a personal number."""
    value = (value or "").strip()
    if required and not value:
        errors.add(name, _("须填写内容"), Err.TEXT_REQUIRED)
    elif len(value) > limit:
        errors.add(name, _("内容过长（不超过%(n)s字）") % {"n": limit}, Err.TEXT_TOO_LONG)
    elif value and mask_text(value) != value:
        errors.add(name, _("请勿填写手机号码或身份证号码"), Err.PERSONAL_NUMBER)
    return value


def raise_errors(errors: FieldErrors) -> None:
    if errors:
        raise ValidationError(errors)
