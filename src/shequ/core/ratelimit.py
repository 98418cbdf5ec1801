"""Limits on guessing and flooding, shared by every worker process.

Fixed-window counters in Django's default cache (Redis when REDIS_URL is set, else the database cache table,
`shequ createcachetable`): a request counts towards a (scope, key) pair, e.g. ("login.ip", "203.0.113.7") or
("open311.submit", client id), and is refused once the window's count passes the limit. Keys are stored
hashed, so no username, mobile number or address sits in the cache.

- Counting is atomic across processes: Redis INCR; on the database cache `add` + `incr` run in one
  transaction under a PostgreSQL advisory lock on the counter (SQLite's IMMEDIATE transactions already hold
  the write lock); the local-memory cache (tests) has its own lock.
- Limits live in `settings.SHEQU_RATE_LIMITS` as {scope: (limit, window seconds)}; a caller may pass its own
  (Open311 clients carry a per-key limit).
- Going over writes one audit record ("core.rate_limited") per key per window, on the first refused request,
  with a masked label, so a flood does not flood the audit log too.
- `RateLimited` carries the seconds to wait; `RateLimitMiddleware` answers it with 429 and Retry-After in the
  dialect of the path: a Chinese page, `{"detail": …}` under /api/, or what a prefix registered with
  `register_limited` (Open311's error format).
"""

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from . import audit
from .actors import system_job
from .masking import mask_text

API_PREFIX = "/api/"
# Writes the "core.rate_limited" audit records (named "ratelimit" as the label of older rows).
RATE_LIMITER = system_job("ratelimit", gettext_lazy("访问频率限制"))
_LABEL_LENGTH = 40


@dataclass(frozen=True)
class Decision:
    """The outcome of one counted request: `count` so far in this window, `retry_after` seconds when refused."""

    allowed: bool
    count: int
    limit: int
    retry_after: int


class RateLimited(Exception):
    """A limit was passed; answered with 429 and Retry-After by `RateLimitMiddleware`."""

    def __init__(self, scope: str, *, retry_after: int) -> None:
        super().__init__(scope)
        self.scope = scope
        self.retry_after = max(1, retry_after)

    def message(self) -> str:
        """One sentence for people, in the active language, saying when to try again."""
        if self.retry_after < 60:
            return _("请求过于频繁，请 %(seconds)d 秒后再试。") % {"seconds": self.retry_after}
        return _("请求过于频繁，请 %(minutes)d 分钟后再试。") % {"minutes": math.ceil(self.retry_after / 60)}


def limit_for(scope: str) -> tuple[int, int]:
    """(limit, window seconds) configured for `scope` in settings.SHEQU_RATE_LIMITS."""
    limit, window = settings.SHEQU_RATE_LIMITS[scope]
    return int(limit), int(window)


def _cache_key(scope: str, key: str, bucket: int) -> str:
    digest = hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()[:40]
    return f"rl:{scope}:{digest}:{bucket}"


def _lock(db: str, cache_key: str) -> None:
    connection = connections[db]
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE transaction holds the database write lock
    lock_id = int.from_bytes(hashlib.sha256(cache_key.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def _increment(cache_key: str, timeout: int) -> int:
    cache = caches["default"]
    if isinstance(cache, DatabaseCache):
        # Django's DatabaseCache.incr is a read then a write: serialise it per counter.
        db = router.db_for_write(cache.cache_model_class)
        with transaction.atomic(using=db):
            _lock(db, cache_key)
            if cache.add(cache_key, 1, timeout):
                return 1
            return cache.incr(cache_key)
    if cache.add(cache_key, 1, timeout):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout)
        return 1


def hit(scope: str, key: str, *, limit: int, window: int) -> Decision:
    """Count one request for (scope, key) in the current window of `window` seconds; refused past `limit`."""
    now = time.time()
    bucket = int(now // window)
    count = _increment(_cache_key(scope, key, bucket), window + 1)
    retry_after = max(1, math.ceil((bucket + 1) * window - now))
    allowed = count <= limit
    return Decision(allowed=allowed, count=count, limit=limit, retry_after=0 if allowed else retry_after)


def enforce(scope: str, key: str, *, label: str = "", limit: int | None = None, window: int | None = None) -> None:
    """Count one request for (scope, key) and raise RateLimited past the limit.

    The limit comes from settings.SHEQU_RATE_LIMITS unless given. The first refusal in a window appends one
    audit record with `label` (masked and cut short; never a full mobile number) to say whose requests.
    An empty key (no address known) is not limited.
    """
    if not key:
        return
    if limit is None or window is None:
        configured_limit, configured_window = limit_for(scope)
        limit = configured_limit if limit is None else limit
        window = configured_window if window is None else window
    decision = hit(scope, key, limit=limit, window=window)
    if decision.allowed:
        return
    if decision.count == limit + 1:
        audit.record(
            actor=RATE_LIMITER,
            action="core.rate_limited",
            object_type="ratelimit",
            object_id=scope,
            after={"scope": scope, "key": mask_text(label or key)[:_LABEL_LENGTH], "limit": limit, "window": window},
        )
    raise RateLimited(scope, retry_after=decision.retry_after)


def create_cache_table(*, using: str = "default", **kwargs: object) -> None:
    """post_migrate: create the database cache table if the cache is one (`createcachetable`, idempotent), so
    that an upgrade that only runs `shequ migrate` does not leave every audited write without its cache."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


# --- answering ---------------------------------------------------------------------------------------------

Responder = Callable[[HttpRequest, RateLimited], HttpResponse]
_RESPONDERS: dict[str, Responder] = {}


def register_limited(prefix: str, responder: Responder) -> None:
    """Answer RateLimited under `prefix` with `responder` (an app's own error format); it sets status 429."""
    _RESPONDERS[prefix] = responder


def limited_response(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """The 429 for `exc` in the dialect of the requested path, with Retry-After."""
    path = request.path_info
    for prefix in sorted(_RESPONDERS, key=len, reverse=True):
        if path.startswith(prefix):
            response = _RESPONDERS[prefix](request, exc)
            break
    else:
        if path.startswith(API_PREFIX):
            response = JsonResponse({"detail": exc.message()}, status=429, json_dumps_params={"ensure_ascii": False})
        else:
            body = render_to_string(
                "core/too_many_requests.html", {"message": exc.message(), "language": get_language()}
            )
            response = HttpResponse(body, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


class RateLimitMiddleware:
    """Turn RateLimited raised by a view (or a service it called) into the 429 of the path's dialect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RateLimited):
            return limited_response(request, exception)
        return None
