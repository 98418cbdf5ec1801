"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) in JSON and XML.

Service discovery, POST and GET of service requests. Errors use the spec's format, `[{"code", "description"}]`
or `<errors><error>…</error></errors>`, with the matching HTTP status, and beside them `error_code`, the
error's stable code (core.errors.ErrorCode; the spec's `code` is the HTTP status). Public output carries no personal
information: never the reporter's name or mobile; free text is redacted (core.redaction). A POST may carry the
extension attribute `attribute[contact_consent]=true` (the reporter agreed to be contacted by the handling unit;
default no).
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from shequ.cases import selectors as case_selectors
from shequ.core import hostile_input, ratelimit
from shequ.core.actors import ApiClientActor
from shequ.core.errors import CoreError, ErrorCode, PermissionDenied, ValidationError, stable_code
from shequ.core.redaction import redact
from shequ.territory.geo import convert_point

from . import selectors, services
from .domain import DEFAULT_WINDOW_DAYS, SPEC_STATUSES, public_status
from .errors import Open311Error

FORMATS = ("json", "xml")
_FORMAT_ERROR = "format not supported: use .json or .xml"


def _unsupported_format() -> HttpResponse:
    return _error("json", 404, _FORMAT_ERROR, Open311Error.FORMAT_UNSUPPORTED)


# --- rendering -------------------------------------------------------------------------------------------


# Characters XML 1.0 cannot carry (C0 controls other than tab and newlines, lone surrogates, U+FFFE/U+FFFF).
# ElementTree writes them as they are, so a control character in a case's text or echoed in an error
# message made the whole document unreadable.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str:
    """`value` as XML element text: booleans as the spec writes them, characters XML cannot carry as U+FFFD."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _xml(root_tag: str, item_tag: str, items: list[dict[str, Any]], status: int = 200) -> HttpResponse:
    root = ET.Element(root_tag)
    for item in items:
        node = ET.SubElement(root, item_tag)
        for key, value in item.items():
            ET.SubElement(node, key).text = _text(value)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(fmt: str, status: int, description: str, error_code: ErrorCode) -> HttpResponse:
    errors = [{"code": status, "description": description, "error_code": error_code}]
    if fmt == "xml":
        return _xml("errors", "error", errors, status=status)
    return _json(errors, status=status)


def _first_code(exc: ValidationError) -> ErrorCode:
    """The stable code of the first of a service's errors (the description joins all their messages)."""
    errors = [e for es in exc.error_dict.values() for e in es] if hasattr(exc, "error_dict") else exc.error_list
    return stable_code(errors[0].code)


def _format_of(request: HttpRequest) -> str:
    """The format asked for by the path's extension (JSON unless it ends in .xml), for answering errors."""
    return "xml" if request.path_info.endswith(".xml") else "json"


_WHERE = {
    hostile_input.PATH: "the path",
    hostile_input.QUERY: "parameter {name}",
    hostile_input.HEADER: "header {name}",
    hostile_input.FORM: "field {name}",
    hostile_input.FILE_NAME: "the file name of {name}",
    hostile_input.JSON_BODY: "the JSON body",
}


def hostile_input_refusal(request: HttpRequest, refusal: hostile_input.Refusal) -> HttpResponse:
    """A 400 in the spec's error format for input core.hostile_input refuses (NUL, nesting too deep)."""
    fmt = _format_of(request)
    where = _WHERE[refusal.source].format(name=refusal.shown_name)
    if refusal.reason == hostile_input.DEPTH:
        description = f"{where} is nested deeper than {refusal.limit} levels"
    elif refusal.reason == hostile_input.SURROGATE:
        description = f"{where} contains an unpaired surrogate escape"
    else:
        description = f"{where} contains a NUL character"
    return _error(fmt, 400, description, CoreError.INPUT_REFUSED)


def rate_limited(request: HttpRequest, exc: ratelimit.RateLimited) -> HttpResponse:
    """A 429 in the spec's error format when an API key (or address) passed its limit (core.ratelimit)."""
    message = f"too many requests: retry after {exc.retry_after} seconds"
    return _error(_format_of(request), 429, message, CoreError.RATE_LIMITED)


def _allow(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Like require_http_methods, but the 405 comes in the spec's error format, with the Allow header."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                message = f"method not allowed: use {' or '.join(methods)}"
                response = _error(_format_of(request), 405, message, CoreError.METHOD_NOT_ALLOWED)
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def not_found(request: HttpRequest) -> HttpResponse:
    """Any other path under /open311/v2/: 404 in the spec's error format, not the HTML page."""
    return _error(_format_of(request), 404, "no such endpoint: see services.json, requests.json", CoreError.NOT_FOUND)


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _wgs84(case: Any) -> tuple[float | None, float | None]:
    """The case's point in WGS-84 as (lat, long).

    Cases keep the point as given at intake: WGS-84 for Open311 intake (the spec's datum); every other channel
    places pins on GCJ-02 web maps, so those points are converted GCJ-02 → WGS-84.
    """
    if case.lng is None or case.lat is None:
        return None, None
    lng, lat = case.lng, case.lat
    if case.channel != "open311":
        lng, lat = convert_point(lng, lat, "gcj02", "wgs84")
    return round(lat, 7), round(lng, 7)


def _request(case: Any) -> dict[str, Any]:
    """One service request as the spec's fields; only public, redacted data."""
    status = public_status(case.status)
    lat, lng = _wgs84(case)
    category = case.category
    return {
        "service_request_id": case.tracking_number,
        "status": status,
        "status_notes": redact(case.reply) if case.status in ("resolved", "closed") else "",
        "service_name": category.name if category else "",
        "service_code": category.code if category else "",
        "description": redact(case.description),
        "agency_responsible": case.holder.name,
        "service_notice": "",
        "requested_datetime": _iso(case.submitted_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _iso(case.resolve_by),
        "address": redact(case.address),
        "address_id": "",
        "zipcode": "",
        "lat": lat,
        "long": lng,
        "media_url": "",
    }


def _requests_response(fmt: str, items: list[dict[str, Any]]) -> HttpResponse:
    if fmt == "xml":
        return _xml("service_requests", "request", items)
    return _json(items)


# --- service discovery -----------------------------------------------------------------------------------


def _service(c: Any, parents: dict[int, Any]) -> dict[str, Any]:
    group = c
    while group.parent_id is not None and group.parent_id in parents:
        group = parents[group.parent_id]
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": c.name,
        "metadata": False,
        "type": "realtime",
        "keywords": c.keywords.replace("|", ","),
        "group": group.name,
    }


def _services() -> list[dict[str, Any]]:
    rows = list(case_selectors.categories())
    parents = {c.pk: c for c in rows}
    return [_service(c, parents) for c in rows if c.level == 3]


@csrf_exempt  # read-only and cookie-free: any other method gets the 405 below, not a CSRF page
@_allow("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET /open311/v2/services.{json,xml}: every third-level category as a service."""
    if fmt not in FORMATS:
        return _unsupported_format()
    items = _services()
    if fmt == "xml":
        return _xml("services", "service", items)
    return _json(items)


@csrf_exempt  # read-only and cookie-free: any other method gets the 405 below, not a CSRF page
@_allow("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """GET /open311/v2/services/{code}.{json,xml}: no extra attributes are required in this version."""
    if fmt not in FORMATS:
        return _unsupported_format()
    if not any(s["service_code"] == code for s in _services()):
        return _error(fmt, 404, f"service_code {code} not found", Open311Error.SERVICE_CODE_UNKNOWN)
    if fmt == "xml":
        root = ET.Element("service_definition")
        ET.SubElement(root, "service_code").text = _text(code)
        ET.SubElement(root, "attributes")
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")
        return HttpResponse(body, content_type="text/xml; charset=utf-8")
    return JsonResponse({"service_code": code, "attributes": []}, json_dumps_params={"ensure_ascii": False})


# --- service requests ------------------------------------------------------------------------------------


def _parse_when(value: str, *, end: bool) -> datetime:
    """An ISO 8601 date-time (a bare date means its start, or its end for end_date) in UTC; ValidationError
    if bad.

    Returned in UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts (-18:08 answered 500), and
    a moment at the edge of Python's calendar (0001-01-01, 9999-12-31) cannot be moved to UTC at all.
    """
    value = value.strip().replace(" ", "+")  # a '+' offset arrives as a space when not URL-encoded
    try:
        # A bare date first: parse_datetime also reads one, as midnight, which would cut end_date's day off.
        day = parse_date(value)
        if day is not None:
            moment = datetime.combine(day, datetime.max.time() if end else datetime.min.time())
        elif (parsed := parse_datetime(value)) is not None:
            moment = parsed
        else:
            raise ValueError(value)
    except ValueError:
        raise ValidationError(f"invalid date: {value} (use ISO 8601)", code=Open311Error.DATE_INVALID) from None
    try:
        aware = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
        return aware.astimezone(UTC)
    except OverflowError:
        raise ValidationError(f"date out of range: {value}", code=Open311Error.DATE_OUT_OF_RANGE) from None


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    status = params.get("status", "").strip().lower()
    if status and status not in SPEC_STATUSES:
        return _error(fmt, 400, "status must be open or closed", Open311Error.STATUS_INVALID)
    try:
        start = _parse_when(params["start_date"], end=False) if params.get("start_date") else None
        end = _parse_when(params["end_date"], end=True) if params.get("end_date") else None
    except ValidationError as exc:
        return _error(fmt, 400, "; ".join(exc.messages), _first_code(exc))
    if start is None and end is None:
        start = timezone.now() - timedelta(days=DEFAULT_WINDOW_DAYS)
    cases = selectors.public_requests(
        ids=ids, service_code=params.get("service_code", "").strip(), start=start, end=end, status=status
    )
    return _requests_response(fmt, [_request(c) for c in cases])


def _submit(request: HttpRequest, fmt: str) -> HttpResponse:
    post = request.POST
    fields = {f: post.get(f, "") for f in services.RequestInput.__dataclass_fields__ if f != "contact_consent"}
    data = services.RequestInput(**fields, contact_consent=post.get("attribute[contact_consent]", ""))
    client = selectors.client_for_key(post.get("api_key", ""))
    if client is None:
        return _error(fmt, 403, "api_key missing or invalid", Open311Error.API_KEY_INVALID)
    try:
        case = services.request_submit(actor=ApiClientActor(client), data=data)
    except PermissionDenied as exc:
        return _error(fmt, 403, exc.message or "api_key missing or invalid", exc.code or CoreError.PERMISSION_DENIED)
    except ValidationError as exc:
        return _error(fmt, 400, "; ".join(exc.messages), _first_code(exc))
    items = [{"service_request_id": case.tracking_number, "service_notice": ""}]
    if fmt == "xml":
        return _xml("service_requests", "request", items)
    return _json(items)


@csrf_exempt  # machine clients authenticate with api_key, not a session cookie
@_allow("GET", "POST")
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET /open311/v2/requests.{json,xml} lists requests; POST creates one (api_key required)."""
    if fmt not in FORMATS:
        return _unsupported_format()
    if request.method == "POST":
        return _submit(request, fmt)
    return _list(request, fmt)


@csrf_exempt  # read-only and cookie-free: any other method gets the 405 below, not a CSRF page
@_allow("GET")
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    """GET /open311/v2/requests/{id}.{json,xml}: one request, as a one-element list (spec)."""
    if fmt not in FORMATS:
        return _unsupported_format()
    case = selectors.public_request(request_id)
    if case is None:
        return _error(fmt, 404, f"service_request_id {request_id} not found", Open311Error.REQUEST_NOT_FOUND)
    return _requests_response(fmt, [_request(case)])
