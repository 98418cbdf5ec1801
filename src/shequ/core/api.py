"""API plumbing shared by every app: error translation and a strict text field for request bodies."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import NotFound, PermissionDenied
from .ratelimit import RateLimited


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map service errors to HTTP: NotFound 404, PermissionDenied 403, ValidationError 400, RateLimited 429."""
    if isinstance(exc, NotFound):
        exc = Http404()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(exc.message or None)
    elif isinstance(exc, RateLimited):
        return Response(
            {"detail": exc.message()},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    elif isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return Response({"detail": detail}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class StrictCharField(serializers.CharField):
    """A text field that takes a JSON string only: a number or a boolean is refused (400), not turned into
    text, as the schema promises a string (and a mobile sent as a number would lose its leading zero)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
