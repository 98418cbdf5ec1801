"""Writes for the Open311 interface: API client keys and service requests (GeoReport v2 POST requests)."""

import math
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from shequ.cases import selectors as case_selectors
from shequ.cases import services as case_services
from shequ.cases.domain import Channel
from shequ.core import audit, crypto, ratelimit
from shequ.core.errors import ValidationError, invalid
from shequ.core.permissions import require, write_service
from shequ.territory.services import locate_micro_grid

from . import permissions as _permissions  # noqa: F401  (registers the open311.* actions)
from .domain import title_from
from .errors import Open311Error
from .models import ApiClient
from .selectors import API_KEY_PURPOSE


def _check_rate_limit(rate_limit: int | None) -> None:
    if rate_limit is not None and rate_limit < 1:
        raise invalid("rate_limit", "rate limit must be at least 1 request per window", Open311Error.RATE_LIMIT_INVALID)


@write_service("open311.manage_clients")
def api_client_create(
    *, actor: Any, name: str, organisation: str = "", rate_limit: int | None = None
) -> tuple[ApiClient, str]:
    """Create an API client and return it with its key; the key is shown once and only its hash is stored.

    `rate_limit`: POST requests allowed per window (None: settings.SHEQU_RATE_LIMITS["open311.submit"]).
    Called from the `shequ open311_key` command (actor: `COMMAND_LINE`); audited.
    """
    require(actor, "open311.manage_clients")
    _check_rate_limit(rate_limit)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise invalid("name", "name required (at most 100 characters)", Open311Error.CLIENT_NAME_INVALID)
    if ApiClient.objects.filter(name=name).exists():
        raise invalid("name", f"an API client named {name} already exists", Open311Error.CLIENT_NAME_TAKEN)
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name,
            organisation=(organisation or "").strip()[:200],
            key_hash=crypto.keyed_hash(key, purpose=API_KEY_PURPOSE),
            rate_limit=rate_limit,
        )
        audit.record(
            actor=actor, action="open311.client_created", obj=client, after={"name": name, "rate_limit": rate_limit}
        )
    return client, key


@write_service("open311.manage_clients")
def api_client_set_rate_limit(*, actor: Any, name: str, rate_limit: int | None) -> ApiClient:
    """Set the client's own limit on POST requests per window (None: back to the default); audited."""
    require(actor, "open311.manage_clients")
    _check_rate_limit(rate_limit)
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().filter(name=(name or "").strip()).first()
        if client is None:
            raise invalid("name", f"no API client named {name}", Open311Error.CLIENT_UNKNOWN)
        before = {"rate_limit": client.rate_limit}
        client.rate_limit = rate_limit
        client.save(update_fields=["rate_limit"])
        audit.record(
            actor=actor, action="open311.client_limit_set", obj=client, before=before, after={"rate_limit": rate_limit}
        )
    return client


CONSENT_YES = frozenset({"true", "1", "yes"})


@dataclass
class RequestInput:
    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    description: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    # GeoReport v2 extension attribute `attribute[contact_consent]`: "true" when the reporter agreed to be
    # contacted by the unit handling the request; anything else, or no attribute, means no.
    contact_consent: str = ""


def _coordinate(value: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not low <= number <= high:
        raise ValidationError("lat/long must be decimal degrees (WGS-84)", code=Open311Error.COORDINATE_INVALID)
    return number


@write_service("open311.submit_request", "cases.submit")
def request_submit(*, actor: Any, data: RequestInput) -> Any:
    """Create a case from an Open311 POST: channel open311, the point (WGS-84) decides the micro-grid.

    `actor` is the `ApiClientActor` of the client whose key came with the request (the view resolves the key).
    Raises PermissionDenied for any other actor, RateLimited when the client passed its hourly limit
    (ApiClient.rate_limit, else the setting), and ValidationError (one English, machine-facing message) for
    anything else the spec calls a 400. The case goes through cases.services.case_submit as the client.
    """
    require(actor, "open311.submit_request")
    client = actor.client
    # Per key: the client's own limit, else settings.SHEQU_RATE_LIMITS["open311.submit"]; 429 past it.
    ratelimit.enforce("open311.submit", f"client:{client.pk}", label=client.name, limit=client.rate_limit)
    code = (data.service_code or "").strip()
    category = case_selectors.categories().filter(code=code, level=3).first() if code else None
    if category is None:
        if code:
            raise ValidationError(f"service_code {code} not found", code=Open311Error.SERVICE_CODE_UNKNOWN)
        raise ValidationError("service_code required", code=Open311Error.SERVICE_CODE_REQUIRED)
    lat_s, lng_s = (data.lat or "").strip(), (data.long or "").strip()
    if not (lat_s and lng_s):
        if (data.address_string or "").strip():
            raise ValidationError(
                "address_string alone cannot be located: send lat/long", code=Open311Error.ADDRESS_NOT_LOCATABLE
            )
        raise ValidationError("lat/long or address required", code=Open311Error.LOCATION_REQUIRED)
    lat, lng = _coordinate(lat_s, -90, 90), _coordinate(lng_s, -180, 180)
    micro = locate_micro_grid(lng, lat, crs="wgs84")
    if micro is None or micro.parent is None or micro.parent.parent is None:
        raise ValidationError("location outside the service area", code=Open311Error.OUTSIDE_SERVICE_AREA)
    description = (data.description or "").strip()
    if len(description) < 5:
        raise ValidationError("description required (at least 5 characters)", code=Open311Error.DESCRIPTION_TOO_SHORT)
    case_input = case_services.CaseInput(
        case_type=category.default_type,
        title=title_from(description),
        description=description,
        channel=Channel.OPEN311.value,
        category=category,
        lng=lng,
        lat=lat,
        crs="wgs84",
        address=(data.address_string or "").strip(),
        reporter_name=f"{data.last_name or ''}{data.first_name or ''}".strip(),
        reporter_mobile=(data.phone or "").strip(),
        contact_consent=(data.contact_consent or "").strip().lower() in CONSENT_YES,
    )
    from shequ.core.actors import ApiClientActor

    return case_services.case_submit(actor=ApiClientActor(client), data=case_input)
