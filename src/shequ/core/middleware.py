"""Request-scoped context for the audit log (client IP); the actor is always passed explicitly."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from . import audit


def client_ip(request: HttpRequest) -> str:
    """The client's address; X-Forwarded-For only when a trusted proxy sets it (SHEQU_TRUSTED_PROXY_HOPS).

    With N trusted proxies in front, the client is the N-th address from the right of X-Forwarded-For;
    anything further left was written by the client and could be forged to dodge rate limits.
    """
    hops = getattr(settings, "SHEQU_TRUSTED_PROXY_HOPS", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit.set_request_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            audit.reset_request_ip(token)
