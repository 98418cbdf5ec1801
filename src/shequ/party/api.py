"""REST endpoints of the Party side, scoped exactly as permissions.py says (outside the scope: 404).

Reads: organisations the caller may see (territorial staff of their place, and those who reach them) with their
posts, health and 三会一课 schedule, member counts only for those who reach the members; coverage figures of an
area; members (masked names) and meetings only within the caller's reach. Writes go through the services, which
check the permission again: an organisation, a post, a member, a member made full, a transfer, a meeting with its
attendance and decisions; the reveal of a member's full name and mobile is audited by its service.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from shequ.core.api import call_service, require_api
from shequ.core.permissions import can
from shequ.registry import selectors as registry_selectors
from shequ.territory import selectors as territory_selectors

from . import selectors, serializers, services

UUID_PATTERN = "[0-9a-fA-F-]{32,36}"
DENIED = OpenApiResponse(description="无权限")
NOT_FOUND = OpenApiResponse(description="不存在或不在您的辖区内")
BAD_FILTER = OpenApiResponse(description="查询参数错误")
NO_PAGE = OpenApiResponse(description="页码不存在")
BAD_BODY = OpenApiResponse(description="字段错误，或当前状态不允许该操作")


def _documented(list_serializer: Any, detail_serializer: Any, filters: Any) -> Any:
    return extend_schema_view(
        list=extend_schema(
            parameters=[filters],
            responses={200: list_serializer(many=True), 400: BAD_FILTER, 403: DENIED, 404: NO_PAGE},
        ),
        retrieve=extend_schema(responses={200: detail_serializer, 404: NOT_FOUND}),
    )


def _params(serializer: Any, data: Any) -> dict[str, Any]:
    params = serializer(data=data)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


def _reached_org(user: Any, public_id: Any, field: str) -> Any:
    """An organisation the caller manages, or 400 on `field` ("not found")."""
    org = selectors.orgs_reached(user).filter(public_id=public_id).first()
    if org is None:
        raise ApiValidationError({field: [_("党组织不存在或不在您的管理范围内")]})
    return org


class _PartyViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN


# --- organisations -------------------------------------------------------------------------------------------


def org_detail(user: Any, org: Any) -> Any:
    """An organisation's detail; its member counts only when the caller reaches its members."""
    context = {
        "posts": selectors.posts_of(org).order_by("post", "term_starts_on", "id"),
        "health": selectors.health_of(org),
        "schedule": selectors.schedule_of(org, timezone.localdate()),
        "reached": bool(can(user, "party.members", org)),
    }
    return serializers.PartyOrgDetailSerializer(org, context=context).data


@_documented(serializers.PartyOrgSerializer, serializers.PartyOrgDetailSerializer, serializers.PartyOrgFilterSerializer)
class OrgViewSet(_PartyViewSet):
    """Party organisations the caller may see; `level` and `q` (name) filter the list."""

    serializer_class = serializers.PartyOrgSerializer

    def get_queryset(self) -> Any:
        f = _params(serializers.PartyOrgFilterSerializer, self.request.query_params)
        rows = selectors.orgs_visible(self.request.user)
        if f.get("level"):
            rows = rows.filter(level=f["level"])
        if f.get("q"):
            rows = rows.filter(unit__name__icontains=f["q"])
        return rows.order_by("tree_path", "id")

    def list(self, request: Request) -> Response:
        require_api(request, "party.view")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(serializers.PartyOrgSerializer(page, many=True).data)

    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        """An organisation with its current posts, its health by the rules and the meetings due this period."""
        return Response(org_detail(request.user, selectors.get_org_for(request.user, id)))

    @extend_schema(
        request=serializers.PartyOrgCreateSerializer,
        responses={201: serializers.PartyOrgDetailSerializer, 400: BAD_BODY, 403: DENIED},
    )
    def create(self, request: Request) -> Response:
        """Set up an organisation under a parent you manage (a group under a branch …), or a top organisation of an
        area of your community (community Party secretaries). A parent, area or compound outside your reach is "not
        found" (400)."""
        require_api(request, "party.manage")
        d = _params(serializers.PartyOrgCreateSerializer, request.data)
        user = request.user
        parent = _reached_org(user, d["parent"], "parent") if d.get("parent") else None
        area = territory_selectors.areas_for(user).filter(public_id=d["area"]).first()
        if area is None and parent is not None:
            area = territory_selectors.areas_under(parent.unit.area).filter(public_id=d["area"]).first()
        if area is None:
            raise ApiValidationError({"area": [_("辖区不存在或不在您的辖区内")]})
        compound = None
        if d.get("compound"):
            compound = territory_selectors.compounds_for(user).filter(public_id=d["compound"]).first()
            if compound is None and parent is not None:
                compounds = territory_selectors.compounds_under(parent.unit.area)
                compound = compounds.filter(public_id=d["compound"]).first()
            if compound is None:
                raise ApiValidationError({"compound": [_("小区不存在或不在您的辖区内")]})
        require_api(request, "party.manage", parent if parent is not None else area)
        data = services.OrgInput(
            level=d["level"],
            name=d["name"],
            area=area,
            compound=compound,
            parent=parent,
            joint=d["joint"],
            joint_units=d["joint_units"],
            founded_on=d.get("founded_on"),
        )
        org = call_service(services.org_create, actor=user, data=data)
        return Response(org_detail(user, selectors.get_org_for(user, org.public_id)), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[serializers.PartyCoverageQuerySerializer],
        responses={200: serializers.PartyCoverageSerializer, 400: BAD_FILTER, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=False, methods=["get"])
    def coverage(self, request: Request) -> Response:
        """The share of the area's compounds with a Party organisation and of its micro-grids with a Party group,
        exact ("p/q") and as a percentage."""
        require_api(request, "party.view")
        d = _params(serializers.PartyCoverageQuerySerializer, request.query_params)
        area = territory_selectors.get_area_for(request.user, d["area"])
        require_api(request, "party.view", area)
        return Response(serializers.PartyCoverageSerializer(selectors.coverage_of(area)).data)

    @extend_schema(
        request=serializers.PartyPostCreateSerializer,
        responses={201: serializers.PartyPostResultSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def posts(self, request: Request, id: str) -> Response:  # noqa: A002
        """Give a member of the organisation a post for a term. A branch committee above 7 is refused (400); a
        size outside the usual 3–5, or a committee of a branch under 7 full members, is recorded with its
        warnings."""
        org = selectors.get_org_for(request.user, id)
        require_api(request, "party.manage", org)
        d = _params(serializers.PartyPostCreateSerializer, request.data)
        member = selectors.members_for(request.user).filter(public_id=d["member"]).first()
        if member is None:
            raise ApiValidationError({"member": [_("党员不存在或不在您的管理范围内")]})
        post, warnings = call_service(
            services.post_assign,
            actor=request.user,
            org=org,
            member=member,
            post=d["post"],
            term_starts_on=d["term_starts_on"],
            term_ends_on=d["term_ends_on"],
        )
        data = serializers.PartyPostResultSerializer({"post": post, "warnings": list(warnings)}).data
        return Response(data, status=status.HTTP_201_CREATED)


# --- members -------------------------------------------------------------------------------------------------


def member_detail(user: Any, public_id: Any) -> Any:
    member = selectors.get_member_for(user, public_id)
    context = {"transfers": selectors.transfers_of(member)}
    return serializers.PartyMemberDetailSerializer(member, context=context).data


@_documented(
    serializers.PartyMemberSerializer, serializers.PartyMemberDetailSerializer, serializers.PartyMemberFilterSerializer
)
class MemberViewSet(_PartyViewSet):
    """Members of the organisations the caller reaches (masked names); `org` (with its groups) and `status`
    filter the list. Others see no member: 403 on the list, 404 on a member."""

    serializer_class = serializers.PartyMemberSerializer

    def get_queryset(self) -> Any:
        f = _params(serializers.PartyMemberFilterSerializer, self.request.query_params)
        user = self.request.user
        org = _reached_org(user, f["org"], "org") if f.get("org") else None
        return selectors.members_for(user, org=org, status=f.get("status") or "")

    def list(self, request: Request) -> Response:
        require_api(request, "party.members")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(serializers.PartyMemberSerializer(page, many=True).data)

    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        """A member with the masked mobile and the history of transfers."""
        return Response(member_detail(request.user, id))

    @extend_schema(
        request=serializers.PartyMemberCreateSerializer,
        responses={201: serializers.PartyMemberDetailSerializer, 400: BAD_BODY, 403: DENIED},
    )
    def create(self, request: Request) -> Response:
        """Record a member of an organisation you manage (a new member, or one transferring in from an organisation
        outside the system). An organisation or resident outside your reach is "not found" (400)."""
        require_api(request, "party.manage")
        d = _params(serializers.PartyMemberCreateSerializer, request.data)
        user = request.user
        org = _reached_org(user, d["org"], "org")
        resident = None
        if d.get("resident"):
            resident = registry_selectors.residents_for(user).filter(public_id=d["resident"]).first()
            if resident is None:
                raise ApiValidationError({"resident": [_("居民不存在或不在您的辖区内")]})
        data = services.MemberInput(
            name=d["name"],
            status=d["status"],
            joined_on=d["joined_on"],
            full_on=d.get("full_on"),
            mobile=d["mobile"],
            resident=resident,
            transferred_from=d["transferred_from"],
            on=d.get("on"),
        )
        member = call_service(services.member_add, actor=user, org=org, data=data)
        return Response(member_detail(user, member.public_id), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.PartyMakeFullSerializer,
        responses={200: serializers.PartyMemberDetailSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="make-full")
    def make_full(self, request: Request, id: str) -> Response:  # noqa: A002
        """Record that a probationary member became a full member on `full_on`."""
        member = selectors.get_member_for(request.user, id)
        require_api(request, "party.manage", member)
        d = _params(serializers.PartyMakeFullSerializer, request.data)
        call_service(services.member_make_full, actor=request.user, member=member, full_on=d["full_on"])
        return Response(member_detail(request.user, id))

    @extend_schema(
        request=serializers.PartyTransferCreateSerializer,
        responses={200: serializers.PartyMemberDetailSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, id: str) -> Response:  # noqa: A002
        """Transfer the member to another organisation you manage (`to_org`), or out of the system (`outside_org`:
        the member leaves the roll and their posts end). Kept in the member's history."""
        member = selectors.get_member_for(request.user, id)
        require_api(request, "party.manage", member)
        d = _params(serializers.PartyTransferCreateSerializer, request.data)
        to_org = _reached_org(request.user, d["to_org"], "to_org") if d.get("to_org") else None
        call_service(
            services.member_transfer,
            actor=request.user,
            member=member,
            on=d["on"],
            to_org=to_org,
            outside_org=d["outside_org"],
            note=d["note"],
        )
        return Response(member_detail(request.user, id))

    @extend_schema(
        request=serializers.PartyRevealSerializer,
        responses={200: serializers.PartyRevealResultSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, id: str) -> Response:  # noqa: A002
        """The member's full name and mobile, with the reason for looking (each reveal is audited)."""
        member = selectors.get_member_for(request.user, id)
        require_api(request, "party.reveal", member)
        d = _params(serializers.PartyRevealSerializer, request.data)
        revealed = call_service(services.member_reveal, actor=request.user, member=member, reason=d["reason"])
        return Response(serializers.PartyRevealResultSerializer(revealed).data)


# --- meetings ------------------------------------------------------------------------------------------------


def _members_by_id(user: Any, ids: list[Any]) -> list[Any]:
    """The members with these ids (on the roll or transferred out) in the caller's reach, in the order given;
    400 on `present` when one is not found."""
    wanted = list(dict.fromkeys(ids))
    found = {
        m.public_id: m
        for rows in (selectors.members_for(user), selectors.members_for(user, status="left"))
        for m in rows.filter(public_id__in=wanted)
    }
    if len(found) != len(wanted):
        raise ApiValidationError({"present": [_("党员不存在或不在您的管理范围内")]})
    return [found[i] for i in wanted]


@_documented(
    serializers.PartyMeetingSerializer,
    serializers.PartyMeetingDetailSerializer,
    serializers.PartyMeetingFilterSerializer,
)
class MeetingViewSet(_PartyViewSet):
    """三会一课 records of the organisations the caller reaches, newest first; `org` and `kind` filter the list."""

    serializer_class = serializers.PartyMeetingSerializer

    def get_queryset(self) -> Any:
        f = _params(serializers.PartyMeetingFilterSerializer, self.request.query_params)
        user = self.request.user
        org = _reached_org(user, f["org"], "org") if f.get("org") else None
        return selectors.meetings_for(user, org=org, kind=f.get("kind") or "")

    def list(self, request: Request) -> Response:
        require_api(request, "party.members")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(serializers.PartyMeetingSerializer(page, many=True).data)

    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        """A meeting with its minutes, the quorum explained, the attendance and the decisions."""
        return Response(serializers.PartyMeetingDetailSerializer(selectors.get_meeting_for(request.user, id)).data)

    @extend_schema(
        request=serializers.PartyMeetingCreateSerializer,
        responses={201: serializers.PartyMeetingDetailSerializer, 400: BAD_BODY, 403: DENIED},
    )
    def create(self, request: Request) -> Response:
        """Record a meeting of an organisation you manage with who was present and, at a general meeting, the
        decisions. A meeting short of its quorum is kept, marked not valid, and its decisions do not pass; a member
        not on the roll that day is refused by name (400)."""
        require_api(request, "party.manage")
        d = _params(serializers.PartyMeetingCreateSerializer, request.data)
        user = request.user
        org = _reached_org(user, d["org"], "org")
        data = services.MeetingInput(
            kind=d["kind"],
            held_on=d["held_on"],
            topic=d["topic"],
            place=d["place"],
            minutes=d["minutes"],
            election=d["election"],
            present=_members_by_id(user, d["present"]),
            absence_reasons=dict(d["absence_reasons"]),
            decisions=[services.DecisionInput(**decision) for decision in d["decisions"]],
        )
        meeting = call_service(services.meeting_record, actor=user, org=org, data=data)
        detail = selectors.get_meeting_for(user, meeting.public_id)
        return Response(serializers.PartyMeetingDetailSerializer(detail).data, status=status.HTTP_201_CREATED)
