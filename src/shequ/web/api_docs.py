"""The OpenAPI schema and Swagger UI, served only to signed-in staff who use the API (accounts.view_api_docs).

Anyone else, anonymous or signed in, gets the same 404 as for a path that does not exist. Swagger UI is the
"split" variant (its start-up script is a separate request) under a template without an inline <style>, so
the page works under the strict Content-Security-Policy.

`add_error_schema` (a drf-spectacular post-processing hook) documents the error body every endpoint answers
with, and every stable error code (core.errors.error_codes) as an enum.
"""

from typing import Any

from django.http import Http404
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission

from shequ.core.errors import error_codes
from shequ.core.permissions import can

ERROR_BODY = {
    "type": "object",
    "description": (
        "错误响应：`detail` 为中文说明；字段错误时每个字段名对应其中文说明列表。`codes` 按字段名（不涉及具体字段时为 "
        "`detail` 或 `non_field_errors`）给出各条错误的稳定错误码，客户端应据此处理，不要解析中文说明。"
    ),
    "properties": {
        "detail": {"description": "中文说明（字符串；服务层的字段错误时为按字段名的说明列表）"},
        "codes": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorCode"}},
        },
    },
    "required": ["codes"],
}


def add_error_schema(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add the `Error` body and the `ErrorCode` enum to the schema; every 4xx answer without a body of its own
    documents `Error`."""
    codes = error_codes()
    lines = "\n".join(f"- `{code}`：{code.description}" for code in codes)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    enum = [str(code) for code in codes]
    schemas["ErrorCode"] = {"type": "string", "enum": enum, "description": f"稳定错误码\n\n{lines}"}
    schemas["Error"] = ERROR_BODY
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if str(status).startswith("4") and "content" not in response:
                    response["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return result


class CanViewApiDocs(BasePermission):
    """Allow holders of accounts.view_api_docs; answer 404 to everyone else."""

    def has_permission(self, request, view) -> bool:
        if not can(request.user, "accounts.view_api_docs").allowed:
            raise Http404
        return True


class ApiSchemaView(SpectacularAPIView):
    permission_classes = [CanViewApiDocs]


class ApiDocsView(SpectacularSwaggerSplitView):
    permission_classes = [CanViewApiDocs]
    template_name = "web/swagger_ui.html"
