"""The OpenAPI schema and Swagger UI, served only to signed-in staff who use the API (accounts.view_api_docs).

Anyone else, anonymous or signed in, gets the same 404 as for a path that does not exist. Swagger UI is the
"split" variant (its start-up script is a separate request) under a template without an inline <style>, so
the page works under the strict Content-Security-Policy.
"""

from django.http import Http404
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission

from shequ.core.permissions import can


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
