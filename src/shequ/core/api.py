"""API plumbing shared by every app: error translation and a strict text field for request bodies.

Every error body keeps its shape (`{"detail": …}`, or `{"<field>": ["message", …], …}` for a request DRF
refused field by field) and adds `codes`: for each field, or `detail`/`non_field_errors` when the error is not
about one field, the list of stable codes (core.errors.ErrorCode) of its messages. See docs/api-errors.md.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import CoreError, NotFound, PermissionDenied, stable_code
from .ratelimit import RateLimited


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map service errors to HTTP: NotFound 404, PermissionDenied 403, ValidationError 400, RateLimited 429."""
    if isinstance(exc, NotFound):
        exc = exceptions.NotFound()
    elif isinstance(exc, Http404):  # as DRF's own handler does, but here so that its code is added below
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(exc.message or None, code=exc.code)
    elif isinstance(exc, RateLimited):
        return Response(
            {"detail": exc.message(), "codes": {"detail": [str(CoreError.RATE_LIMITED)]}},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    elif isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return Response({"detail": detail, "codes": django_codes(exc)}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException) and isinstance(response.data, dict):
        response.data["codes"] = _api_codes(exc)
    return response


def django_codes(exc: DjangoValidationError) -> dict[str, list[str]]:
    """The stable codes of a Django ValidationError, by field (`detail` when it names none)."""
    if hasattr(exc, "error_dict"):
        return {field: [str(stable_code(e.code)) for e in errors] for field, errors in exc.error_dict.items()}
    return {"detail": [str(stable_code(e.code)) for e in exc.error_list]}


def api_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError in DRF's shape (field errors like a serializer's), codes kept."""
    if hasattr(exc, "error_dict"):
        fields = exc.error_dict.items()
    else:
        fields = [("non_field_errors", exc.error_list)]
    return exceptions.ValidationError(
        {field: [exceptions.ErrorDetail(e.messages[0], code=e.code) for e in errors] for field, errors in fields}
    )


def require_api(request: Any, action_name: str, obj: Any = None) -> None:
    """403 unless the caller may do `action_name` (on `obj`, or anywhere), before the body is looked at."""
    from .permissions import can

    decision = can(request.user, action_name, obj)
    if not decision:
        raise exceptions.PermissionDenied(decision.reason)


def call_service(fn: Any, **kwargs: Any) -> Any:
    """Call a write service; its field errors answer 400 in DRF's shape, codes kept."""
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        raise api_validation_error(exc) from exc


def _flat_codes(codes: Any) -> list[str]:
    if isinstance(codes, dict):
        return [c for value in codes.values() for c in _flat_codes(value)]
    if isinstance(codes, list):
        return [c for value in codes for c in _flat_codes(value)]
    return [str(stable_code(codes))]


def _api_codes(exc: exceptions.APIException) -> dict[str, list[str]]:
    """The stable codes of a DRF error, by top-level key of its body; a nested error (a list item's) counts for
    the field that holds it."""
    codes = exc.get_codes()
    if isinstance(codes, dict):
        return {key: _flat_codes(value) for key, value in codes.items()}
    return {"detail": _flat_codes(codes)}


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404 (handler404): under /api/ the API's body, as for an object that does not exist (a path no
    route matches, e.g. an id that is not a UUID); the usual page elsewhere."""
    if request.path_info.startswith("/api/"):
        body = {"detail": exceptions.NotFound.default_detail, "codes": {"detail": [str(CoreError.NOT_FOUND)]}}
        return JsonResponse(body, status=status.HTTP_404_NOT_FOUND, json_dumps_params={"ensure_ascii": False})
    return defaults.page_not_found(request, exception)


class StrictCharField(serializers.CharField):
    """A text field that takes a JSON string only: a number or a boolean is refused (400), not turned into
    text, as the schema promises a string (and a mobile sent as a number would lose its leading zero)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryUUIDField(serializers.UUIDField):
    """An optional id in a query string: absent means no filter, but `?community=` (present and blank) is a
    400 as for any other malformed id. DRF reads a blank optional query value as absent, which would accept
    what the schema's `format: uuid` refuses."""

    def get_value(self, dictionary: Any) -> Any:
        if hasattr(dictionary, "getlist") and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)
