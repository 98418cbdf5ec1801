"""REST endpoints for residents and households, scoped exactly as the pages (outside the scope answers 404).

Exact search and reveal are POST, so that an ID number or mobile never appears in a URL or an access log.
"""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from shequ.core.api import api_validation_error
from shequ.core.errors import NotFound, ValidationError
from shequ.core.permissions import can
from shequ.territory import selectors as territory_selectors

from . import disclosures, forms, selectors, serializers, services
from .errors import RegistryError

UUID_PATTERN = "[0-9a-fA-F-]{32,36}"
# The list page's filters; an empty value means no filter, as the page's form sends a field left blank.
UUID_OR_EMPTY = {"oneOf": [{"type": "string", "format": "uuid"}, {"type": "string", "maxLength": 0}]}
FILTER_PARAMETERS = [
    OpenApiParameter("text", str, description="姓名，或拼音全拼/首字母（如 zsf）"),
    OpenApiParameter("household", str, description="户号"),
    OpenApiParameter("building", UUID_OR_EMPTY, description="楼栋 id"),
    OpenApiParameter("area", UUID_OR_EMPTY, description="辖区 id（社区、网格或微网格）"),
    OpenApiParameter("tag", str, description="关怀标签代码", enum=["", *(t[0] for t in forms.TAG_CHOICES)]),
    OpenApiParameter(
        "residence_type", str, description="居住类型", enum=["", *(t[0] for t in forms.RESIDENCE_TYPE_CHOICES)]
    ),
    OpenApiParameter(
        "status",
        str,
        description="状态（默认 active 在册）",
        enum=["", *(t[0] for t in forms.STATUS_FILTER_CHOICES)],
    ),
    OpenApiParameter(
        "age",
        str,
        description="年龄段：60plus 60岁及以上，80plus 80岁及以上，under18 18岁以下。"
        "须有查看完整证件信息的权限（否则 403），只列出可查看完整信息的居民，每次使用留痕",
        enum=["", *(t[0] for t in forms.AGE_BAND_CHOICES)],
    ),
]
DENIED = OpenApiResponse(description="无权限")
NOT_FOUND = OpenApiResponse(description="不存在或不在您的辖区内")
BAD_FILTER = OpenApiResponse(description="查询参数错误")
NO_PAGE = OpenApiResponse(description="页码不存在")
BAD_BODY = OpenApiResponse(description="字段错误")


def _require(request: Request, action: str) -> None:
    """403 for a caller whose roles allow `action` nowhere (before looking at the body or any object)."""
    decision = can(request.user, action)
    if not decision:
        raise ApiPermissionDenied(decision.reason)


def _require_view(request: Request) -> None:
    _require(request, "registry.view")


def _or_404(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except NotFound as exc:
        raise Http404() from exc


class ResidentViewSet(viewsets.GenericViewSet):
    """Residents in the caller's scope (masked). Bodies are JSON only: a form cannot say null, and would read
    an empty value as an omitted one."""

    serializer_class = serializers.ResidentSerializer
    parser_classes = [JSONParser]
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> Any:
        form = forms.parse_filters(self.request.query_params)
        if form.errors:
            raise api_validation_error(ValidationError(form.errors.as_data()))
        return selectors.listed_residents(self.request.user, form.filters()).select_related("community")

    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses={200: serializers.ResidentSerializer(many=True), 400: BAD_FILTER, 403: DENIED, 404: NO_PAGE},
    )
    def list(self, request: Request) -> Response:
        """List residents with the same filters as the resident list page (paginated)."""
        _require_view(request)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(serializers.ResidentSerializer(page, many=True).data)

    @extend_schema(responses={200: serializers.ResidentDetailSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002 - the URL names it id
        """One resident with the history of their stays."""
        r = _or_404(selectors.get_resident_for, request.user, id)
        return Response(serializers.ResidentDetailSerializer(r).data)

    @extend_schema(
        request=serializers.ResidentCreateSerializer,
        responses={
            201: serializers.ResidentDetailSerializer,
            400: BAD_BODY,
            403: DENIED,
        },
    )
    def create(self, request: Request) -> Response:
        """Register a resident (the same validation as the register page; 400 with field errors)."""
        _require(request, "registry.edit")
        params = serializers.ResidentCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        dwelling = None
        if d.get("dwelling"):
            dwelling = territory_selectors.dwellings_for(request.user).filter(public_id=d["dwelling"]).first()
            if dwelling is None:
                raise ApiValidationError(
                    {"dwelling": [_("房屋不存在或不在您的辖区内")]}, RegistryError.DWELLING_NOT_FOUND
                )
        community = self._community(request, d, dwelling)
        household = None
        if d.get("household"):
            household = selectors.households_for(request.user).filter(public_id=d["household"]).first()
            if household is None:
                raise ApiValidationError(
                    {"household": [_("该户不存在或不在您的辖区内")]}, RegistryError.HOUSEHOLD_NOT_FOUND
                )
        data = services.ResidentInput(
            name=d["name"],
            community=community,
            gender=d["gender"],
            birth_date=d.get("birth_date"),
            id_type=d["id_type"],
            id_number=d.get("id_number", ""),
            mobile=d.get("mobile", ""),
            household=household,
            relation=d.get("relation", ""),
            dwelling=dwelling,
            residence_type=d["residence_type"],
            care_tags=list(dict.fromkeys(d.get("care_tags") or [])),
            notes=d.get("notes", ""),
            legal_basis=d["legal_basis"],
            moved_in_on=d.get("moved_in_on"),
        )
        try:
            r = services.resident_register(actor=request.user, data=data)
        except ValidationError as exc:  # the service's field errors, in DRF's shape like the serializer's
            raise api_validation_error(exc) from exc
        return Response(serializers.ResidentDetailSerializer(r).data, status=status.HTTP_201_CREATED)

    def _community(self, request: Request, d: dict[str, Any], dwelling: Any) -> Any:
        if d.get("community"):
            found = next((c for c in forms.communities_for_edit(request.user) if c.public_id == d["community"]), None)
            if found is None:
                raise ApiValidationError(
                    {"community": [_("社区不存在或不在您的登记范围内")]}, RegistryError.COMMUNITY_NOT_FOUND
                )
            return found
        return dwelling.building.compound.community

    @extend_schema(
        request=serializers.ExactSearchSerializer,
        responses={
            200: serializers.ResidentSearchResultSerializer,
            400: OpenApiResponse(description="参数错误"),
            403: DENIED,
        },
    )
    @action(detail=False, methods=["post"])
    def search(self, request: Request) -> Response:
        """Exact search by ID number or mobile (keyed hash), within the caller's scope."""
        _require_view(request)
        params = serializers.ExactSearchSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        number = params.validated_data.get("id_number") or ""
        if number:
            qs = selectors.find_by_document(request.user, number)
        else:
            qs = selectors.find_by_mobile(request.user, params.validated_data["mobile"])
        found = qs.exclude(status__in=serializers.HIDDEN_STATUSES).select_related(
            "community", "household", "dwelling", "dwelling__building", "dwelling__building__compound"
        )
        return Response({"results": serializers.ResidentSerializer(found.order_by("name", "id"), many=True).data})

    @extend_schema(
        request=serializers.RevealSerializer,
        responses={
            200: serializers.RevealResponseSerializer,
            400: BAD_BODY,
            403: DENIED,
            404: NOT_FOUND,
            429: OpenApiResponse(description="今日查看次数已达上限"),
        },
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, id: str) -> Response:  # noqa: A002
        """Reveal one personal value in clear; audited with the reason (from the list, plus a detail).

        403 when your role may not; 429 when you reached your daily reveal limit.
        """
        r = _or_404(selectors.get_resident_for, request.user, id)
        params = serializers.RevealSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        try:
            value = services.resident_reveal(
                actor=request.user, resident=r, field=d["field"], reason_code=d["reason_code"], reason=d["reason"]
            )
        except disclosures.DisclosureLimitReached as exc:
            return Response(
                {"detail": exc.message, "codes": {"detail": [str(RegistryError.DISCLOSURE_LIMIT_REACHED)]}},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        response = Response({"value": value})
        response["Cache-Control"] = "no-store"
        return response


@extend_schema_view(
    list=extend_schema(responses={200: serializers.HouseholdSerializer(many=True), 403: DENIED, 404: NO_PAGE}),
    retrieve=extend_schema(responses={200: serializers.HouseholdDetailSerializer, 404: NOT_FOUND}),
)
class HouseholdViewSet(viewsets.ReadOnlyModelViewSet):
    """Households with members or a dwelling in the caller's scope; the detail lists members in scope."""

    serializer_class = serializers.HouseholdSerializer
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> Any:
        return (
            selectors.households_for(self.request.user)
            .select_related("community", "dwelling", "dwelling__building", "dwelling__building__compound")
            .order_by("community__code", "number", "id")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _require_view(request)
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        household = _or_404(selectors.get_household_for, request.user, kwargs["id"])
        members = list(
            selectors.members_of(request.user, household).select_related(
                "community", "household", "dwelling", "dwelling__building", "dwelling__building__compound"
            )
        )
        return Response(serializers.HouseholdDetailSerializer(household, context={"members": members}).data)
