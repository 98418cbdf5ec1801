"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): service discovery, JSON and XML.

This increment serves the service list and service definitions; requests (POST/GET) come next. Public output
carries no personal information. `service_code` is the category's stable code.
"""

from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from . import selectors

FORMATS = ("json", "xml")


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
    rows = list(selectors.categories())
    parents = {c.pk: c for c in rows}
    return [_service(c, parents) for c in rows if c.level == 3]


def _xml(root_tag: str, item_tag: str, items: list[dict[str, Any]]) -> HttpResponse:
    root = ET.Element(root_tag)
    for item in items:
        node = ET.SubElement(root, item_tag)
        for key, value in item.items():
            ET.SubElement(node, key).text = "false" if value is False else ("true" if value is True else str(value))
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


def _error(fmt: str, status: int, code: int, description: str) -> HttpResponse:
    errors = [{"code": code, "description": description}]
    if fmt == "xml":
        response = _xml("errors", "error", errors)
        response.status_code = status
        return response
    return JsonResponse(errors, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


@require_GET
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET /open311/v2/services.{json,xml}: every third-level category as a service."""
    if fmt not in FORMATS:
        return _error("json", 404, 404, "format not supported: use .json or .xml")
    items = _services()
    if fmt == "xml":
        return _xml("services", "service", items)
    return JsonResponse(items, safe=False, json_dumps_params={"ensure_ascii": False})


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """GET /open311/v2/services/{code}.{json,xml}: no extra attributes are required in this version."""
    if fmt not in FORMATS:
        return _error("json", 404, 404, "format not supported: use .json or .xml")
    if not any(s["service_code"] == code for s in _services()):
        return _error(fmt, 404, 404, f"service_code {code} not found")
    definition = {"service_code": code, "attributes": []}
    if fmt == "xml":
        root = ET.Element("service_definition")
        ET.SubElement(root, "service_code").text = code
        ET.SubElement(root, "attributes")
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")
        return HttpResponse(body, content_type="text/xml; charset=utf-8")
    return JsonResponse(definition, json_dumps_params={"ensure_ascii": False})
