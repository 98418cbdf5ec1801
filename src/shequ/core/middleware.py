"""Request-scoped context for the audit log (client IP); the actor is always passed explicitly."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import audit


def client_ip(request: HttpRequest) -> str:
    # Behind the intranet reverse proxy the first X-Forwarded-For hop is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR", ""))[:64]


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit.set_request_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            audit.reset_request_ip(token)
