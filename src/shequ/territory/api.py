"""REST endpoints for the territory (read-only here; maintenance happens via commands and the admin)."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from shequ.core.errors import NotFound

from . import selectors, serializers, services

BAD_FILTER = OpenApiResponse(description="查询参数错误")
NO_PAGE = OpenApiResponse(description="页码不存在")
NOT_FOUND = OpenApiResponse(description="不存在或不在您的辖区内")


def _documented(model_serializer: Any, filters: Any = None) -> Any:
    """The list and detail answers every territory collection documents, errors included."""
    return extend_schema_view(
        list=extend_schema(
            parameters=[filters] if filters is not None else None,
            responses={200: model_serializer(many=True), 400: BAD_FILTER, 404: NO_PAGE},
        ),
        retrieve=extend_schema(responses={200: model_serializer, 404: NOT_FOUND}),
    )


class _ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    getter = None
    filter_serializer: Any = None

    def get_object(self):
        try:
            return type(self).getter(self.request.user, self.kwargs["id"])
        except NotFound as exc:
            raise Http404() from exc

    def filters(self) -> dict[str, Any]:
        """The list's validated query parameters (400 naming the field when one is invalid)."""
        if self.filter_serializer is None:
            return {}
        params = self.filter_serializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data


@_documented(serializers.AreaSerializer, serializers.AreaFilterSerializer)
class AreaViewSet(_ScopedViewSet):
    """Areas (city → micro-grid) in the caller's scope. Filter with `level`, `parent` (code), `q`."""

    serializer_class = serializers.AreaSerializer
    getter = staticmethod(selectors.get_area_for)
    filter_serializer = serializers.AreaFilterSerializer

    def get_queryset(self):
        qs = selectors.areas_for(self.request.user).select_related("parent").order_by("path")
        f = self.filters()
        if f.get("level"):
            qs = qs.filter(level=f["level"])
        if f.get("parent"):
            qs = qs.filter(parent__code=f["parent"])
        if f.get("q"):
            qs = qs.filter(name__icontains=f["q"])
        return qs


@_documented(serializers.CompoundSerializer)
class CompoundViewSet(_ScopedViewSet):
    serializer_class = serializers.CompoundSerializer
    getter = staticmethod(selectors.get_compound_for)

    def get_queryset(self):
        return selectors.compounds_for(self.request.user).select_related("community").order_by("code")


@_documented(serializers.BuildingSerializer, serializers.BuildingFilterSerializer)
class BuildingViewSet(_ScopedViewSet):
    """Buildings in the caller's scope; `compound` (its id) narrows to one compound."""

    serializer_class = serializers.BuildingSerializer
    getter = staticmethod(selectors.get_building_for)
    filter_serializer = serializers.BuildingFilterSerializer

    def get_queryset(self):
        qs = selectors.buildings_for(self.request.user).select_related("compound", "micro_grid")
        f = self.filters()
        if f.get("compound"):
            qs = qs.filter(compound__public_id=f["compound"])
        return qs.order_by("compound__code", "number")


@_documented(serializers.DwellingSerializer, serializers.DwellingFilterSerializer)
class DwellingViewSet(_ScopedViewSet):
    """Dwellings in the caller's scope; `building` (its id) narrows to one building."""

    serializer_class = serializers.DwellingSerializer
    getter = staticmethod(selectors.get_dwelling_for)
    filter_serializer = serializers.DwellingFilterSerializer

    def get_queryset(self):
        qs = selectors.dwellings_for(self.request.user).select_related("building", "unit")
        f = self.filters()
        if f.get("building"):
            qs = qs.filter(building__public_id=f["building"])
        return qs.order_by("building_id", "unit__number", "floor", "number")


@extend_schema(
    parameters=[serializers.LocateSerializer],
    responses={
        200: serializers.AreaSerializer,
        400: BAD_FILTER,
        404: OpenApiResponse(description="该点不在任何微网格内，或不在您的辖区内"),
    },
)
@api_view(["GET"])
def locate(request: Request) -> Response:
    """Resolve a map point to the micro-grid covering it (404 when none, or when outside your scope)."""
    params = serializers.LocateSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    area = services.locate_micro_grid(**params.validated_data)
    if area is None or not selectors.areas_for(request.user).filter(pk=area.pk).exists():
        raise Http404()
    return Response(serializers.AreaSerializer(area).data)
