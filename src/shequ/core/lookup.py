"""Fetch one object of a scoped queryset by its public id; missing and forbidden answer the same."""

from typing import Any, TypeVar
from uuid import UUID

from django.db.models import Model, QuerySet

from .errors import NotFound

M = TypeVar("M", bound=Model)


def get_by_public_id(qs: QuerySet[M], public_id: Any) -> M:
    try:
        uid = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except (ValueError, TypeError, AttributeError) as exc:
        raise NotFound() from exc
    obj = qs.filter(public_id=uid).first()
    if obj is None:
        raise NotFound()
    return obj
