"""REST endpoints for public notices (公示) and objections, scoped exactly as the pages (outside the scope: 404).

Reads: the list with the page's filters, and a notice with its objections and their answers. Writes go through
the services (which check the permission again): a draft, its publication, a withdrawal, an objection a resident
gave on paper, by phone or in person (recorded by staff), an objection's answer.
A caller whose role allows an action nowhere, or not on that notice, gets 403 before its body is read.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from shequ.core.api import call_service, require_api
from shequ.registry import selectors as registry_selectors
from shequ.territory import selectors as territory_selectors

from . import selectors, serializers, services

UUID_PATTERN = "[0-9a-fA-F-]{32,36}"
DENIED = OpenApiResponse(description="无权限")
NOT_FOUND = OpenApiResponse(description="不存在或不在您的辖区内")
BAD_FILTER = OpenApiResponse(description="查询参数错误")
NO_PAGE = OpenApiResponse(description="页码不存在")
BAD_BODY = OpenApiResponse(description="字段错误，或当前状态不允许该操作")


def _detail(notice: Any) -> Response:
    return Response(serializers.NoticeDetailSerializer(notice).data)


class NoticeViewSet(viewsets.GenericViewSet):
    """Notices of the communities in the caller's scope. Bodies are JSON only."""

    serializer_class = serializers.NoticeSerializer
    parser_classes = [JSONParser]
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> Any:
        params = serializers.NoticeFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        f = {k: v for k, v in params.validated_data.items() if v}
        return selectors.search(self.request.user, selectors.NoticeFilters(**f), today=timezone.localdate())

    def _notice(self, request: Request, id: str) -> Any:  # noqa: A002
        return selectors.get_notice_for(request.user, id)

    @extend_schema(
        parameters=[serializers.NoticeFilterSerializer],
        responses={200: serializers.NoticeSerializer(many=True), 400: BAD_FILTER, 403: DENIED, 404: NO_PAGE},
    )
    def list(self, request: Request) -> Response:
        """List notices with the list page's filters (text, kind, status, period), newest period first."""
        require_api(request, "notices.view")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(serializers.NoticeSerializer(page, many=True).data)

    @extend_schema(responses={200: serializers.NoticeDetailSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        """A notice with its text and its objections (with their answers)."""
        return _detail(self._notice(request, id))

    @extend_schema(
        request=serializers.NoticeCreateSerializer,
        responses={201: serializers.NoticeDetailSerializer, 400: BAD_BODY, 403: DENIED},
    )
    def create(self, request: Request) -> Response:
        """Save a draft notice for a community of yours (or one of its compounds or buildings).

        Publish it with …/publish/. 400 names the field: a community, compound or building outside your scope is
        "not found"; the period must last the minimum days.
        """
        require_api(request, "notices.publish")
        params = serializers.NoticeCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        user = request.user
        community = territory_selectors.areas_for(user).filter(public_id=d["community"], level="community").first()
        if community is None:
            raise ApiValidationError({"community": [_("社区不存在或不在您的辖区内")]})
        compound = building = None
        if d.get("compound"):
            compound = territory_selectors.compounds_for(user).filter(public_id=d["compound"]).first()
            if compound is None:
                raise ApiValidationError({"compound": [_("小区不存在或不在您的辖区内")]})
        if d.get("building"):
            building = territory_selectors.buildings_for(user).filter(public_id=d["building"]).first()
            if building is None:
                raise ApiValidationError({"building": [_("楼栋不存在或不在您的辖区内")]})
        require_api(request, "notices.publish", community)
        notice = call_service(
            services.notice_draft_create,
            actor=user,
            area=community,
            compound=compound,
            building=building,
            kind=d["kind"],
            title=d["title"],
            body=d["body"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
        )
        return Response(
            serializers.NoticeDetailSerializer(self._notice(request, str(notice.public_id))).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None,
        responses={200: serializers.NoticeDetailSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, id: str) -> Response:  # noqa: A002
        """Publish a draft (its period must last the minimum and not start before today); a correction makes the
        notice it corrects 已更正."""
        notice = self._notice(request, id)
        require_api(request, "notices.publish", notice)
        call_service(services.notice_publish_draft, actor=request.user, notice=notice)
        return _detail(self._notice(request, id))

    @extend_schema(
        request=serializers.WithdrawSerializer,
        responses={200: serializers.NoticeDetailSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, id: str) -> Response:  # noqa: A002
        """Withdraw a draft or a published notice, with a reason; it and its objections are kept."""
        notice = self._notice(request, id)
        require_api(request, "notices.withdraw", notice)
        params = serializers.WithdrawSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        call_service(
            services.notice_withdraw, actor=request.user, notice=notice, reason=params.validated_data["reason"]
        )
        return _detail(self._notice(request, id))

    @extend_schema(
        request=serializers.ObjectionRecordSerializer,
        responses={201: serializers.ObjectionSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def objections(self, request: Request, id: str) -> Response:  # noqa: A002
        """Record an objection a resident living in the notice's area gave on paper, by phone or in person, on
        the day it was received (within the period, not in the future). A resident outside your scope is "not
        found" (400)."""
        notice = self._notice(request, id)
        require_api(request, "notices.record_objection", notice)
        params = serializers.ObjectionRecordSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        resident = registry_selectors.residents_for(request.user).filter(public_id=d["resident"]).first()
        if resident is None:
            raise ApiValidationError({"resident": [_("居民不存在或不在您的辖区内")]})
        objection = call_service(
            services.objection_record,
            actor=request.user,
            notice=notice,
            resident=resident,
            text=d["text"],
            channel=d["channel"],
            received_on=d["received_on"],
        )
        return Response(
            serializers.ObjectionSerializer(selectors.get_objection_for(request.user, objection.public_id)).data,
            status=status.HTTP_201_CREATED,
        )


class ObjectionViewSet(viewsets.GenericViewSet):
    """Objections to the notices of the caller's scope: answering one."""

    serializer_class = serializers.ObjectionSerializer
    parser_classes = [JSONParser]
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> Any:
        return selectors.objections_for(self.request.user)

    @extend_schema(
        request=serializers.AnswerSerializer,
        responses={200: serializers.ObjectionSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, id: str) -> Response:  # noqa: A002
        """Answer an objection (once); the objector sees the answer on the portal."""
        objection = selectors.get_objection_for(request.user, id)
        require_api(request, "notices.answer", objection)
        params = serializers.AnswerSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        answered = call_service(
            services.objection_answer, actor=request.user, objection=objection, answer=params.validated_data["answer"]
        )
        return Response(
            serializers.ObjectionSerializer(selectors.get_objection_for(request.user, answered.public_id)).data
        )
