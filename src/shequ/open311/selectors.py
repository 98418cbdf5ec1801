"""Reads for the Open311 interface: API clients by key, and the public list of service requests.

Open311 is a public, unscoped read of cases (no personal fields are ever rendered); `cases.selectors` offers
only actor-scoped lists, so the public query is built here on the cases model.
"""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from django.db.models import QuerySet

from shequ.cases.models import Case  # type only; rows come through cases.selectors
from shequ.cases.selectors import all_cases_unscoped
from shequ.core import crypto

from .domain import CLOSED_STATUSES, MAX_RESULTS
from .models import ApiClient

API_KEY_PURPOSE = "open311.api_key"


def client_for_key(key: str | None) -> ApiClient | None:
    """The active client holding `key`, or None; the key is compared by its keyed hash under every key."""
    key = (key or "").strip()
    if not key:
        return None
    hashes = crypto.lookup_hashes(key, purpose=API_KEY_PURPOSE)
    return ApiClient.objects.filter(key_hash__in=hashes, active=True).first()


def client_names(refs: set[str]) -> dict[str, str]:
    """Names of the clients with these public ids (an audit row's `actor_ref`), for `core.actors`' words."""
    ids = set()
    for ref in refs:
        try:
            ids.add(UUID(ref))
        except ValueError:
            continue  # rows from before actor kinds named the client itself ("open311:<name>")
    rows = ApiClient.objects.filter(public_id__in=ids).values_list("public_id", "name")
    return {str(public_id): name for public_id, name in rows}


def _public(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("category", "holder").order_by("-submitted_at", "-id")


def public_requests(
    *,
    ids: Iterable[str] = (),
    service_code: str = "",
    start: datetime | None = None,
    end: datetime | None = None,
    status: str = "",
) -> list[Case]:
    """Service requests newest first, at most MAX_RESULTS. With `ids`, every other filter is ignored (spec)."""
    ids = [i for i in ids if i]
    if ids:
        return list(_public(all_cases_unscoped().filter(tracking_number__in=ids))[:MAX_RESULTS])
    qs = all_cases_unscoped()
    if service_code:
        qs = qs.filter(category__code=service_code)
    if start is not None:
        qs = qs.filter(submitted_at__gte=start)
    if end is not None:
        qs = qs.filter(submitted_at__lte=end)
    if status == "closed":
        qs = qs.filter(status__in=CLOSED_STATUSES)
    elif status == "open":
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    return list(_public(qs)[:MAX_RESULTS])


def public_request(request_id: str) -> Case | None:
    return _public(all_cases_unscoped().filter(tracking_number=request_id)).first()
