"""REST endpoints for the territory (read-only here; maintenance happens via commands and the admin)."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from shequ.core.errors import NotFound

from . import selectors, serializers, services


class _ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    getter = None

    def get_object(self):
        try:
            return type(self).getter(self.request.user, self.kwargs["id"])
        except NotFound as exc:
            raise Http404() from exc


class AreaViewSet(_ScopedViewSet):
    """Areas (city → micro-grid) in the caller's scope. Filter with `level`, `parent` (code), `q`."""

    serializer_class = serializers.AreaSerializer
    getter = staticmethod(selectors.get_area_for)

    @extend_schema(
        parameters=[
            OpenApiParameter("level", str),
            OpenApiParameter("parent", str),
            OpenApiParameter("q", str),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = selectors.areas_for(self.request.user).select_related("parent").order_by("path")
        p = self.request.query_params
        if p.get("level"):
            qs = qs.filter(level=p["level"])
        if p.get("parent"):
            qs = qs.filter(parent__code=p["parent"])
        if p.get("q"):
            qs = qs.filter(name__icontains=p["q"])
        return qs


class CompoundViewSet(_ScopedViewSet):
    serializer_class = serializers.CompoundSerializer
    getter = staticmethod(selectors.get_compound_for)

    def get_queryset(self):
        return selectors.compounds_for(self.request.user).select_related("community").order_by("code")


class BuildingViewSet(_ScopedViewSet):
    """Buildings in the caller's scope; `compound` (its id) narrows to one compound."""

    serializer_class = serializers.BuildingSerializer
    getter = staticmethod(selectors.get_building_for)

    @extend_schema(parameters=[OpenApiParameter("compound", OpenApiTypes.UUID)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = selectors.buildings_for(self.request.user).select_related("compound", "micro_grid")
        if self.request.query_params.get("compound"):
            qs = qs.filter(compound__public_id=self.request.query_params["compound"])
        return qs.order_by("compound__code", "number")


class DwellingViewSet(_ScopedViewSet):
    """Dwellings in the caller's scope; `building` (its id) narrows to one building."""

    serializer_class = serializers.DwellingSerializer
    getter = staticmethod(selectors.get_dwelling_for)

    @extend_schema(parameters=[OpenApiParameter("building", OpenApiTypes.UUID)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = selectors.dwellings_for(self.request.user).select_related("building", "unit")
        if self.request.query_params.get("building"):
            qs = qs.filter(building__public_id=self.request.query_params["building"])
        return qs.order_by("building_id", "unit__number", "floor", "number")


@extend_schema(parameters=[serializers.LocateSerializer], responses=serializers.AreaSerializer)
@api_view(["GET"])
def locate(request: Request) -> Response:
    """Resolve a map point to the micro-grid covering it (404 when none, or when outside your scope)."""
    params = serializers.LocateSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    area = services.locate_micro_grid(**params.validated_data)
    if area is None or not selectors.areas_for(request.user).filter(pk=area.pk).exists():
        raise Http404()
    return Response(serializers.AreaSerializer(area).data)
