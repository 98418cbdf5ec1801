"""REST endpoints for deliberation, scoped exactly as the pages (outside the scope: 404).

Reads: bodies with their members, terms and rules; proposals; meetings with their agenda and resolutions;
residents' groups; residents' meeting requests. Writes go through the services, which check the permission
again: a proposal recorded by the community's staff, a staff comment on a proposal and the hiding of a comment
with a reason, a meeting's resolution, a supporter of a meeting request. Residents submit, support and comment on
proposals on the portal, not here.
"""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from shequ.core.api import call_service, require_api
from shequ.core.errors import NotFound
from shequ.core.permissions import can

from . import proposal_services, selectors, serializers, services

UUID_PATTERN = "[0-9a-fA-F-]{32,36}"
DENIED = OpenApiResponse(description="无权限")
NOT_FOUND = OpenApiResponse(description="不存在或不在您的辖区内")
BAD_FILTER = OpenApiResponse(description="查询参数错误")
NO_PAGE = OpenApiResponse(description="页码不存在")
BAD_BODY = OpenApiResponse(description="字段错误，或当前状态不允许该操作")


def _documented(list_serializer: Any, detail_serializer: Any, filters: Any = None) -> Any:
    return extend_schema_view(
        list=extend_schema(
            parameters=[filters] if filters is not None else None,
            responses={200: list_serializer(many=True), 400: BAD_FILTER, 403: DENIED, 404: NO_PAGE},
        ),
        retrieve=extend_schema(responses={200: detail_serializer, 404: NOT_FOUND}),
    )


class _ScopedViewSet(viewsets.GenericViewSet):
    """A read-only collection of the caller's scope: 403 for a role that sees deliberation nowhere, the same 404
    for a missing object and one outside the scope."""

    parser_classes = [JSONParser]
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN
    getter: Any = None
    detail_serializer: Any = None

    def list(self, request: Request) -> Response:
        require_api(request, "deliberation.view")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        obj = type(self).getter(request.user, id)
        return Response(self.detail_serializer(obj).data)


@_documented(serializers.BodySerializer, serializers.BodyDetailSerializer)
class BodyViewSet(_ScopedViewSet):
    """Bodies (议事机构) of the communities in the caller's scope; the detail lists members, terms and rules."""

    serializer_class = serializers.BodySerializer
    detail_serializer = serializers.BodyDetailSerializer
    getter = staticmethod(selectors.get_body_for)

    def get_queryset(self) -> Any:
        return selectors.bodies_for(self.request.user).order_by("area__name", "kind", "name", "id")


@_documented(serializers.ProposalSerializer, serializers.ProposalDetailSerializer, serializers.ProposalFilterSerializer)
class ProposalViewSet(_ScopedViewSet):
    """Proposals (议题) of the communities in the caller's scope; `q` searches title and text, `status` filters."""

    serializer_class = serializers.ProposalSerializer
    detail_serializer = serializers.ProposalDetailSerializer
    getter = staticmethod(selectors.get_proposal_for)

    def get_queryset(self) -> Any:
        params = serializers.ProposalFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        f = params.validated_data
        return selectors.search_proposals(self.request.user, text=f.get("q") or "", status=f.get("status") or "")

    @extend_schema(
        request=serializers.ProposalCreateSerializer,
        responses={201: serializers.ProposalDetailSerializer, 400: BAD_BODY, 403: DENIED},
    )
    def create(self, request: Request) -> Response:
        """Record a proposal for a community of yours (of a council member, the Party organisation or the
        community); a community or body outside your communities is "not found" (400)."""
        user = request.user
        communities = selectors.managed_communities(user)
        if not communities:
            raise ApiPermissionDenied(can(user, "deliberation.propose", None).reason)
        params = serializers.ProposalCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        community = next((c for c in communities if c.public_id == d["community"]), None)
        if community is None:
            raise ApiValidationError({"community": [_("社区不存在或不在您的辖区内")]})
        body = None
        if d.get("body"):
            body = selectors.bodies_for(user).filter(public_id=d["body"]).first()
            if body is None:
                raise ApiValidationError({"body": [_("议事机构不存在或不在您的辖区内")]})
        proposal = call_service(
            proposal_services.proposal_submit,
            actor=user,
            community=community,
            title=d["title"],
            description=d["description"],
            source=d["source"],
            body=body,
        )
        detail = selectors.get_proposal_for(user, proposal.public_id)
        return Response(serializers.ProposalDetailSerializer(detail).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        responses={200: serializers.ProposalCommentSerializer(many=True), 403: DENIED, 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        request=serializers.CommentCreateSerializer,
        responses={201: serializers.ProposalCommentSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get", "post"])
    def comments(self, request: Request, id: str) -> Response:  # noqa: A002
        """GET: the proposal's comments, oldest first, hidden ones too (with the reason). POST: comment as the
        community's staff while the proposal is discussed or waits for its meeting (else 400)."""
        proposal = selectors.get_proposal_for(request.user, id)
        if request.method == "GET":
            require_api(request, "deliberation.view", proposal)
            page = self.paginate_queryset(
                selectors.comments_of(proposal, include_hidden=True).order_by("created_at", "id")
            )
            return self.get_paginated_response(serializers.ProposalCommentSerializer(page, many=True).data)
        require_api(request, "deliberation.comment", proposal)
        params = serializers.CommentCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        comment = call_service(
            proposal_services.proposal_comment,
            actor=request.user,
            proposal=proposal,
            text=params.validated_data["text"],
        )
        shown = selectors.get_comment(proposal, comment.public_id)
        return Response(serializers.ProposalCommentSerializer(shown).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.CommentHideSerializer,
        responses={200: serializers.ProposalCommentSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="hide-comment")
    def hide_comment(self, request: Request, id: str) -> Response:  # noqa: A002
        """Hide a comment of the proposal with a reason, as the page does: it is kept and staff still see it,
        residents no longer do. A comment not of this proposal is 404."""
        proposal = selectors.get_proposal_for(request.user, id)
        require_api(request, "deliberation.moderate", proposal)
        params = serializers.CommentHideSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        comment = selectors.get_comment(proposal, d["comment"])
        hidden = call_service(proposal_services.comment_hide, actor=request.user, comment=comment, reason=d["reason"])
        return Response(serializers.ProposalCommentSerializer(selectors.get_comment(proposal, hidden.public_id)).data)


@_documented(serializers.MeetingSerializer, serializers.MeetingDetailSerializer)
class MeetingViewSet(_ScopedViewSet):
    """Meetings of the bodies in the caller's scope, newest first; the detail has the agenda and resolutions."""

    serializer_class = serializers.MeetingSerializer
    detail_serializer = serializers.MeetingDetailSerializer
    getter = staticmethod(selectors.get_meeting_for)

    def get_queryset(self) -> Any:
        return selectors.meetings_for(self.request.user).order_by("-held_at", "-id")

    @extend_schema(
        request=serializers.ResolutionCreateSerializer,
        responses={201: serializers.ResolutionSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def resolutions(self, request: Request, id: str) -> Response:  # noqa: A002
        """Record a resolution with each present member's vote (attendance must be recorded first); it is decided
        by the body's quorum and majority, and adopts or rejects the proposal of its agenda item."""
        meeting = selectors.get_meeting_for(request.user, id)
        require_api(request, "deliberation.manage", meeting)
        params = serializers.ResolutionCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        item = None
        if d.get("agenda_item"):
            item = selectors.agenda_of(meeting).filter(public_id=d["agenda_item"]).first()
            if item is None:
                raise ApiValidationError({"agenda_item": [_("议程不属于本次会议")]})
        data = services.ResolutionInput(
            title=d.get("title") or "",
            text=d["text"],
            votes={str(k): v for k, v in d["votes"].items()},
            agenda_item=item,
        )
        resolution = call_service(services.resolution_record, actor=request.user, meeting=meeting, data=data)
        recorded = selectors.resolutions_of(meeting).get(pk=resolution.pk)
        return Response(serializers.ResolutionSerializer(recorded).data, status=status.HTTP_201_CREATED)


@_documented(serializers.GroupSerializer, serializers.GroupSerializer)
class GroupViewSet(_ScopedViewSet):
    """Residents' groups (居民小组) of the communities in the caller's scope."""

    serializer_class = serializers.GroupSerializer
    detail_serializer = serializers.GroupSerializer
    getter = staticmethod(selectors.get_group_for)

    def get_queryset(self) -> Any:
        return selectors.groups_for(self.request.user)


@_documented(serializers.MeetingRequestSerializer, serializers.MeetingRequestSerializer)
class MeetingRequestViewSet(_ScopedViewSet):
    """Requests to convene the residents' meeting in the communities of the caller's scope, newest first."""

    serializer_class = serializers.MeetingRequestSerializer
    detail_serializer = serializers.MeetingRequestSerializer
    getter = staticmethod(selectors.get_request_for)

    def get_queryset(self) -> Any:
        return selectors.requests_for(self.request.user)

    @extend_schema(
        request=serializers.SupporterCreateSerializer,
        responses={200: serializers.MeetingRequestSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def supporters(self, request: Request, id: str) -> Response:  # noqa: A002
        """Record one supporter of the request (a resident of the community aged 18 or over, or a residents'
        group); reaching the legal share marks it 已达到法定比例. A resident or group outside the community is
        "not found" (400)."""
        meeting_request = selectors.get_request_for(request.user, id)
        require_api(request, "deliberation.manage", meeting_request)
        params = serializers.SupporterCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        resident = group = None
        if d.get("resident"):
            try:
                resident = selectors.get_resident_in(request.user, meeting_request.community, d["resident"])
            except NotFound:
                raise ApiValidationError({"resident": [_("居民不存在或不在本社区")]}) from None
        if d.get("group"):
            group = selectors.groups_for(request.user).filter(public_id=d["group"]).first()
            if group is None:
                raise ApiValidationError({"group": [_("居民小组不存在或不在您的辖区内")]})
        call_service(
            services.meeting_request_support,
            actor=request.user,
            request=meeting_request,
            resident=resident,
            group=group,
        )
        return Response(serializers.MeetingRequestSerializer(selectors.get_request_for(request.user, id)).data)
