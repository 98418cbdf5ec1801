"""Shared plumbing of HTML views: scoped access (404/403), permission checks, service errors onto forms."""

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse

from .errors import NotFound, PermissionDenied, ValidationError
from .permissions import can


def scoped_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; NotFound answers 404 and a refused action 403 (nothing else about the object leaks)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404() from exc
        except PermissionDenied as exc:
            raise HttpForbidden(exc.message) from exc

    return login_required(wrapper)


def require_can(request: HttpRequest, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied (403 under scoped_view) unless the user may perform `action` on `obj`."""
    decision = can(request.user, action, obj)
    if not decision:
        raise PermissionDenied(decision.reason)


def errors_to_form(form: Any, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: each message on its field, the rest on the form."""
    aliases = aliases or {}
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            name = aliases.get(key, key)
            for e in errors:
                form.add_error(name if name in form.fields else None, e)
    else:
        for e in exc.messages:
            form.add_error(None, e)


FILTER_FIRST_DAY = datetime.date(1900, 1, 1)
FILTER_LAST_DAY = datetime.date(2999, 12, 31)


def filter_day(value: str | None) -> datetime.date | None:
    """A YYYY-MM-DD filter value as a date, or None when it is empty, malformed or outside 1900–2999.

    Bounded because a day at the edge of the calendar (0001-01-01, 9999-12-31) cannot be turned into a time
    range in the local time zone: it overflowed into a 500.
    """
    try:
        day = datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if FILTER_FIRST_DAY <= day <= FILTER_LAST_DAY else None
