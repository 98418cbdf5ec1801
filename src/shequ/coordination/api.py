"""REST endpoints of "one core, many actors" and joint meetings, scoped exactly as permissions.py says (a community,
role, meeting or follow-up outside what the caller may see: 404).

Reads: the roles of units in the communities the caller sees (contacts masked), a community's overview (the Party
organisation at the centre and the ring of actors by kind), joint meetings with participants and follow-ups.
Writes go through the services, which check the permission again: a role written (created or updated), a contact
revealed (audited), a meeting recorded with its follow-ups, a follow-up added, closed, filed as a case or turned
into a proposal.
"""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from shequ.core.api import call_service, require_api

from . import selectors, serializers, services

UUID_PATTERN = "[0-9a-fA-F-]{32,36}"
DENIED = OpenApiResponse(description="无权限")
NOT_FOUND = OpenApiResponse(description="不存在或不在您的辖区内")
BAD_FILTER = OpenApiResponse(description="查询参数错误")
NO_PAGE = OpenApiResponse(description="页码不存在")
BAD_BODY = OpenApiResponse(description="字段错误，或当前状态不允许该操作")


def _params(serializer: Any, data: Any) -> dict[str, Any]:
    params = serializer(data=data)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


def _community(user: Any, public_id: Any, field: str = "community") -> Any:
    """A community the caller sees, or 400 on `field` ("not found")."""
    found = selectors.communities_for(user).filter(public_id=public_id).first()
    if found is None:
        raise ApiValidationError({field: [_("社区不存在或不在您的辖区内")]})
    return found


def _unit(community: Any, public_id: Any, field: str) -> Any:
    """A unit that may act in the community, or 400 on `field`."""
    found = selectors.eligible_units(community).filter(public_id=public_id).first()
    if found is None:
        raise ApiValidationError({field: [_("单位不存在，或不在本社区及其上级辖区")]})
    return found


class _ViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN


# --- roles ---------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[serializers.ActorRoleFilterSerializer],
        responses={200: serializers.ActorRoleSerializer(many=True), 400: BAD_FILTER, 403: DENIED, 404: NO_PAGE},
    ),
    retrieve=extend_schema(responses={200: serializers.ActorRoleSerializer, 404: NOT_FOUND}),
)
class CommunityActorViewSet(_ViewSet):
    """What each unit is responsible for in the communities the caller sees (contacts masked); `community` and
    `kind` filter the list."""

    serializer_class = serializers.ActorRoleSerializer

    def get_queryset(self) -> Any:
        f = _params(serializers.ActorRoleFilterSerializer, self.request.query_params)
        user = self.request.user
        community = _community(user, f["community"]) if f.get("community") else None
        return selectors.roles_for(user, community=community, kind=f.get("kind") or "")

    def list(self, request: Request) -> Response:
        require_api(request, "coordination.view")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(serializers.ActorRoleSerializer(page, many=True).data)

    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        return Response(serializers.ActorRoleSerializer(selectors.get_role_for(request.user, id)).data)

    @extend_schema(
        request=serializers.ActorRoleUpsertSerializer,
        responses={
            200: serializers.ActorRoleSerializer,
            201: serializers.ActorRoleSerializer,
            400: BAD_BODY,
            403: DENIED,
        },
    )
    def create(self, request: Request) -> Response:
        """Write what a unit is responsible for in a community you manage, with its contact person: 201 when the
        unit had no role there, 200 when its role is updated. A community outside your view, or a unit neither in
        the community nor above it, is "not found" (400)."""
        require_api(request, "coordination.manage")
        d = _params(serializers.ActorRoleUpsertSerializer, request.data)
        user = request.user
        community = _community(user, d["community"])
        require_api(request, "coordination.manage", community)
        unit = _unit(community, d["unit"], "unit")
        existed = selectors.role_of(community, unit) is not None
        data = services.RoleInput(
            responsibilities=d["responsibilities"],
            contact_name=d["contact_name"],
            contact_mobile=d["contact_mobile"],
            note=d["note"],
            keep_contact=d["keep_contact"],
        )
        role = call_service(services.role_save, actor=user, community=community, unit=unit, data=data)
        body = serializers.ActorRoleSerializer(selectors.get_role_for(user, role.public_id)).data
        return Response(body, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.ContactRevealSerializer,
        responses={200: serializers.ContactRevealResultSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, id: str) -> Response:  # noqa: A002
        """The contact person's full name and mobile, with the reason for looking (each reveal is audited)."""
        role = selectors.get_role_for(request.user, id)
        require_api(request, "coordination.reveal", role)
        d = _params(serializers.ContactRevealSerializer, request.data)
        revealed = call_service(services.contact_reveal, actor=request.user, role=role, reason=d["reason"])
        return Response(serializers.ContactRevealResultSerializer(revealed).data)

    @extend_schema(
        parameters=[serializers.CommunityOverviewQuerySerializer],
        responses={200: serializers.CommunityOverviewSerializer, 400: BAD_FILTER, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=False, methods=["get"])
    def overview(self, request: Request) -> Response:
        """A community's "one core, many actors": its Party organisation at the centre (the secretary's name masked,
        shown only to those who see Party posts) and every unit placed in it or present through a role, grouped
        by kind, each with its role or null (nothing written yet)."""
        require_api(request, "coordination.view")
        d = _params(serializers.CommunityOverviewQuerySerializer, request.query_params)
        community = selectors.get_community_for(request.user, d["community"])
        centre = selectors.centre_for(request.user, community)
        data = {
            "community": community,
            "centre": centre if centre.org is not None else None,
            "groups": selectors.ring_of(community),
        }
        return Response(serializers.CommunityOverviewSerializer(data).data)


# --- joint meetings ------------------------------------------------------------------------------------------


def meeting_detail(user: Any, public_id: Any) -> Any:
    meeting = selectors.get_meeting_for(user, public_id)
    context = {"participants": selectors.participants_of(meeting), "follow_ups": selectors.follow_ups_of(meeting)}
    return serializers.JointMeetingDetailSerializer(meeting, context=context).data


@extend_schema_view(
    list=extend_schema(
        parameters=[serializers.JointMeetingFilterSerializer],
        responses={200: serializers.JointMeetingSerializer(many=True), 400: BAD_FILTER, 403: DENIED, 404: NO_PAGE},
    ),
    retrieve=extend_schema(responses={200: serializers.JointMeetingDetailSerializer, 404: NOT_FOUND}),
)
class JointMeetingViewSet(_ViewSet):
    """Joint meetings (联席会议) of the communities the caller sees, newest first; `community` and `q` (topic or
    minutes) filter the list."""

    serializer_class = serializers.JointMeetingSerializer

    def get_queryset(self) -> Any:
        f = _params(serializers.JointMeetingFilterSerializer, self.request.query_params)
        user = self.request.user
        community = _community(user, f["community"]) if f.get("community") else None
        return selectors.meetings_for(user, community=community, text=f.get("q") or "")

    def list(self, request: Request) -> Response:
        require_api(request, "coordination.view")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(serializers.JointMeetingSerializer(page, many=True).data)

    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        """A meeting with its participants, minutes and follow-ups."""
        return Response(meeting_detail(request.user, id))

    @extend_schema(
        request=serializers.JointMeetingCreateSerializer,
        responses={201: serializers.JointMeetingDetailSerializer, 400: BAD_BODY, 403: DENIED},
    )
    def create(self, request: Request) -> Response:
        """Record a joint meeting of a community you manage with the units taking part (at least two, the convener
        among them; the convener defaults to the community's Party organisation), its minutes (required) and its
        follow-ups (a due date not before the meeting)."""
        require_api(request, "coordination.manage")
        d = _params(serializers.JointMeetingCreateSerializer, request.data)
        user = request.user
        community = _community(user, d["community"])
        require_api(request, "coordination.manage", community)
        data = services.MeetingInput(
            held_on=d["held_on"],
            topic=d["topic"],
            minutes=d["minutes"],
            place=d["place"],
            attendees=d["attendees"],
            convened_by=_unit(community, d["convened_by"], "convened_by") if d.get("convened_by") else None,
            participants=[_unit(community, i, "participants") for i in dict.fromkeys(d["participants"])],
            follow_ups=[
                services.FollowUpInput(
                    text=f["text"],
                    lead_unit=_unit(community, f["lead_unit"], "follow_ups") if f.get("lead_unit") else None,
                    due_on=f.get("due_on"),
                )
                for f in d["follow_ups"]
            ],
        )
        meeting = call_service(services.meeting_record, actor=user, community=community, data=data)
        return Response(meeting_detail(user, meeting.public_id), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.JointFollowUpCreateSerializer,
        responses={201: serializers.JointFollowUpSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="follow-ups")
    def follow_ups(self, request: Request, id: str) -> Response:  # noqa: A002
        """Add a follow-up to the meeting."""
        meeting = selectors.get_meeting_for(request.user, id)
        require_api(request, "coordination.manage", meeting)
        d = _params(serializers.JointFollowUpCreateSerializer, request.data)
        lead = _unit(meeting.community, d["lead_unit"], "lead_unit") if d.get("lead_unit") else None
        data = services.FollowUpInput(text=d["text"], lead_unit=lead, due_on=d.get("due_on"))
        row = call_service(services.follow_up_add, actor=request.user, meeting=meeting, data=data)
        body = serializers.JointFollowUpSerializer(selectors.get_follow_up_for(request.user, row.public_id)).data
        return Response(body, status=status.HTTP_201_CREATED)


class FollowUpViewSet(_ViewSet):
    """A follow-up of a joint meeting: closed with its result, filed as a case (立案) or turned into a proposal
    (转为议题) once."""

    serializer_class = serializers.JointFollowUpSerializer

    @extend_schema(responses={200: serializers.JointFollowUpSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        return Response(serializers.JointFollowUpSerializer(selectors.get_follow_up_for(request.user, id)).data)

    def _done(self, request: Request, id: str) -> Any:  # noqa: A002
        return serializers.JointFollowUpSerializer(selectors.get_follow_up_for(request.user, id)).data

    @extend_schema(
        request=serializers.JointFollowUpDoneSerializer,
        responses={200: serializers.JointFollowUpSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def done(self, request: Request, id: str) -> Response:  # noqa: A002
        """Close an open follow-up with the day and the result."""
        follow_up = selectors.get_follow_up_for(request.user, id)
        require_api(request, "coordination.manage", follow_up)
        d = _params(serializers.JointFollowUpDoneSerializer, request.data)
        call_service(
            services.follow_up_complete,
            actor=request.user,
            follow_up=follow_up,
            done_on=d["done_on"],
            result=d["result"],
        )
        return Response(self._done(request, id))

    @extend_schema(
        request=serializers.JointFollowUpCaseSerializer,
        responses={200: serializers.JointFollowUpSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def case(self, request: Request, id: str) -> Response:  # noqa: A002
        """File a case (立案) in the meeting's community from an open follow-up not yet handed over (a second time:
        400). The cases service asks `cases.submit` of you (community staff)."""
        follow_up = selectors.get_follow_up_for(request.user, id)
        require_api(request, "coordination.manage", follow_up)
        d = _params(serializers.JointFollowUpCaseSerializer, request.data)
        call_service(
            services.follow_up_to_case,
            actor=request.user,
            follow_up=follow_up,
            title=d["title"],
            description=d["description"],
            case_type=d["case_type"],
        )
        return Response(self._done(request, id))

    @extend_schema(
        request=serializers.JointFollowUpProposalSerializer,
        responses={200: serializers.JointFollowUpSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def proposal(self, request: Request, id: str) -> Response:  # noqa: A002
        """Turn an open follow-up not yet handed over into a proposal of the community, its source the Party
        organisation (a second time: 400)."""
        follow_up = selectors.get_follow_up_for(request.user, id)
        require_api(request, "coordination.manage", follow_up)
        d = _params(serializers.JointFollowUpProposalSerializer, request.data)
        call_service(
            services.follow_up_to_proposal,
            actor=request.user,
            follow_up=follow_up,
            title=d["title"],
            description=d["description"],
        )
        return Response(self._done(request, id))
