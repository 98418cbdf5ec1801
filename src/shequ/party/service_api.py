"""REST endpoints of 在职党员双报到 and 党员中心户, scoped as the pages are (outside the scope: 404).

Registrations, needs, claims and services of the communities the caller manages 双报到 for (``party.service``):
registrations with masked names (the full name from …/reveal/, audited), a registration on a resident's behalf,
ending it, recording a service for the member (confirmed as recorded); needs with the places left, publishing,
closing and claiming on a member's behalf; services waiting for confirmation and confirming them. Hubs of the
organisations the caller reaches (like members), setting one up, linking members and households (sizes above the
local settings come back as warnings), winding one up. Residents act through the portal pages, not this API.
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

from shequ.core.api import api_validation_error, call_service, require_api
from shequ.core.errors import invalid

from . import hub_selectors as hubs
from . import hub_services, inservice_services, selectors
from . import inservice_selectors as sel
from . import service_serializers as s
from .errors import PartyError

UUID_PATTERN = "[0-9a-fA-F-]{32,36}"
DENIED = OpenApiResponse(description="无权限")
NOT_FOUND = OpenApiResponse(description="不存在或不在您的管理范围内")
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


def _params(serializer: Any, data: Any) -> dict[str, Any]:
    params = serializer(data=data)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


def _found(rows: Any, public_id: Any, field: str, message: str) -> Any:
    found = rows.filter(public_id=public_id).first()
    if found is None:
        raise ApiValidationError({field: [message]})
    return found


class _ViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN


# --- registrations --------------------------------------------------------------------------------------------


@_documented(s.InServiceMemberSerializer, s.InServiceMemberSerializer, s.InServiceFilterSerializer)
class InServiceViewSet(_ViewSet):
    """Registrations of in-service members (在职党员报到登记) in the communities you manage; `q` (exact full name or
    employer) and `status` filter the list."""

    serializer_class = s.InServiceMemberSerializer

    def get_queryset(self) -> Any:
        f = _params(s.InServiceFilterSerializer, self.request.query_params)
        return sel.registrations_for(self.request.user, text=f.get("q", ""), status=f.get("status") or "active")

    def list(self, request: Request) -> Response:
        require_api(request, "party.service")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.InServiceMemberSerializer(page, many=True).data)

    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        return Response(s.InServiceMemberSerializer(sel.get_registration_for(request.user, id)).data)

    @extend_schema(
        request=s.InServiceCreateSerializer,
        responses={201: s.InServiceMemberSerializer, 400: BAD_BODY, 403: DENIED},
    )
    def create(self, request: Request) -> Response:
        """Register a resident of a community you manage as an in-service member, on their behalf. A resident
        outside your communities is "not found" (400); a second active registration is refused (400)."""
        require_api(request, "party.service")
        d = _params(s.InServiceCreateSerializer, request.data)
        user = request.user
        resident = _found(
            sel.residents_for_registration(user), d["resident"], "resident", _("居民不存在或不在您的管理范围内")
        )
        data = inservice_services.RegistrationInput(
            own_org_name=d["own_org_name"],
            employer=d["employer"],
            job_title=d["job_title"],
            skills=d["skills"],
            preferred_kinds=d["preferred_kinds"],
            registered_on=d.get("registered_on"),
        )
        member = call_service(inservice_services.registration_create, actor=user, resident=resident, data=data)
        return Response(s.InServiceMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.InServiceEndSerializer,
        responses={200: s.InServiceMemberSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, id: str) -> Response:  # noqa: A002
        """End the registration on `on` (default today); claims not yet served are withdrawn."""
        member = sel.get_registration_for(request.user, id)
        d = _params(s.InServiceEndSerializer, request.data)
        ended = call_service(inservice_services.registration_end, actor=request.user, member=member, on=d.get("on"))
        return Response(s.InServiceMemberSerializer(ended).data)

    @extend_schema(
        request=s.InServiceRevealSerializer,
        responses={200: s.InServiceRevealResultSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, id: str) -> Response:  # noqa: A002
        """The member's full name, with the reason for looking (each reveal is audited)."""
        member = sel.get_registration_for(request.user, id)
        d = _params(s.InServiceRevealSerializer, request.data)
        revealed = call_service(
            inservice_services.registration_reveal, actor=request.user, member=member, reason=d["reason"]
        )
        return Response(s.InServiceRevealResultSerializer(revealed).data)

    @extend_schema(
        request=s.ServiceEntryCreateSerializer,
        responses={201: s.ServiceEntrySerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def services(self, request: Request, id: str) -> Response:  # noqa: A002
        """Record a service the member did (confirmed as you record it). Hours above a day's 24, zero, negative or
        with more than two decimals are refused (400, `party.hours_invalid`)."""
        member = sel.get_registration_for(request.user, id)
        d = _params(s.ServiceEntryCreateSerializer, request.data)
        claim = None
        if d.get("claim"):
            claim = _found(sel.claims_of(member), d["claim"], "claim", _("该党员没有这项认领"))
        data = inservice_services.EntryInput(
            served_on=d["served_on"], hours=d["hours"], content=d["content"], claim=claim
        )
        entry = call_service(inservice_services.entry_record, actor=request.user, member=member, data=data)
        return Response(s.ServiceEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


# --- needs ----------------------------------------------------------------------------------------------------


@_documented(s.ServiceNeedSerializer, s.ServiceNeedDetailSerializer, s.ServiceNeedFilterSerializer)
class NeedViewSet(_ViewSet):
    """The needs lists (需求清单) of the communities you manage; `status` and `kind` filter the list."""

    serializer_class = s.ServiceNeedSerializer

    def get_queryset(self) -> Any:
        f = _params(s.ServiceNeedFilterSerializer, self.request.query_params)
        return sel.needs_for(self.request.user, status=f.get("status") or "", kind=f.get("kind") or "")

    def list(self, request: Request) -> Response:
        require_api(request, "party.service")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ServiceNeedSerializer(page, many=True).data)

    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        """A need with its claims."""
        return Response(s.ServiceNeedDetailSerializer(sel.get_need_for(request.user, id)).data)

    @extend_schema(
        request=s.ServiceNeedCreateSerializer,
        responses={201: s.ServiceNeedDetailSerializer, 400: BAD_BODY, 403: DENIED},
    )
    def create(self, request: Request) -> Response:
        """Publish a need on the needs list of a community you manage (another community is "not found", 400)."""
        require_api(request, "party.service")
        d = _params(s.ServiceNeedCreateSerializer, request.data)
        user = request.user
        community = _found(sel.communities_for(user), d["community"], "community", _("社区不存在或不在您的管理范围内"))
        data = inservice_services.NeedInput(
            title=d["title"],
            kind=d["kind"],
            wanted=d["wanted"],
            open_from=d.get("open_from"),
            open_until=d.get("open_until"),
            description=d["description"],
            place=d["place"],
        )
        need = call_service(inservice_services.need_publish, actor=user, community=community, data=data)
        detail = sel.get_need_for(user, need.public_id)
        return Response(s.ServiceNeedDetailSerializer(detail).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.ServiceNeedDetailSerializer, 400: BAD_BODY, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, id: str) -> Response:  # noqa: A002
        """Close the need: no more claims; claims made and their services stay."""
        need = sel.get_need_for(request.user, id)
        call_service(inservice_services.need_close, actor=request.user, need=need)
        return Response(s.ServiceNeedDetailSerializer(sel.get_need_for(request.user, id)).data)

    @extend_schema(
        request=s.NeedClaimCreateSerializer,
        responses={201: s.NeedClaimSerializer, 400: BAD_BODY, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, id: str) -> Response:  # noqa: A002
        """Claim the need on behalf of a member registered in its community, while it is open and a place is left
        (full: 400, `party.need_full`)."""
        user = request.user
        need = sel.get_need_for(user, id)
        d = _params(s.NeedClaimCreateSerializer, request.data)
        rows = sel.registrations_for(user, community=need.community)
        member = _found(rows, d["member"], "member", _("该社区没有这名报到的在职党员"))
        claim = call_service(inservice_services.need_claim, actor=user, need=need, member=member)
        return Response(s.NeedClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


# --- services --------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[s.ServiceEntryFilterSerializer],
        responses={200: s.ServiceEntrySerializer(many=True), 400: BAD_FILTER, 403: DENIED, 404: NO_PAGE},
    )
)
class ServiceEntryViewSet(_ViewSet):
    """Services of the members of the communities you manage, newest first; `status=pending`: waiting for your
    confirmation."""

    serializer_class = s.ServiceEntrySerializer

    def get_queryset(self) -> Any:
        f = _params(s.ServiceEntryFilterSerializer, self.request.query_params)
        return sel.entries_for(self.request.user, status=f.get("status") or "")

    def list(self, request: Request) -> Response:
        require_api(request, "party.service")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ServiceEntrySerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: s.ServiceEntrySerializer, 400: BAD_BODY, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, id: str) -> Response:  # noqa: A002
        """Confirm a service the member recorded: it goes on their quarterly record."""
        entry = sel.get_entry_for(request.user, id)
        confirmed = call_service(inservice_services.entry_confirm, actor=request.user, entry=entry)
        return Response(s.ServiceEntrySerializer(confirmed).data)


# --- hubs ------------------------------------------------------------------------------------------------------


def _hub_result(user: Any, hub: Any, warnings: Any) -> dict[str, Any]:
    fresh = hubs.get_hub_for(user, hub.public_id)
    return s.HubResultSerializer({"hub": fresh, "warnings": list(warnings)}).data  # type: ignore[return-value]


@_documented(s.HubSerializer, s.HubSerializer)
class HubViewSet(_ViewSet):
    """Party-member hub households (党员中心户) of the organisations you reach, active ones."""

    serializer_class = s.HubSerializer

    def get_queryset(self) -> Any:
        return hubs.hubs_for(self.request.user)

    def list(self, request: Request) -> Response:
        require_api(request, "party.members")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.HubSerializer(page, many=True).data)

    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        return Response(s.HubSerializer(hubs.get_hub_for(request.user, id)).data)

    @extend_schema(request=s.HubCreateSerializer, responses={201: s.HubResultSerializer, 400: BAD_BODY, 403: DENIED})
    def create(self, request: Request) -> Response:
        """Set up a hub on a micro-grid, hosted by a member you reach. A micro-grid or member outside your reach is
        "not found" (400)."""
        require_api(request, "party.manage")
        d = _params(s.HubCreateSerializer, request.data)
        user = request.user
        area = _found(hubs.hub_micro_grids(user), d["area"], "area", _("微网格不存在或不在您的管理范围内"))
        host = _found(selectors.members_for(user), d["host"], "host", _("党员不存在或不在您的管理范围内"))
        hub, warnings = call_service(
            hub_services.hub_create, actor=user, area=area, host=host, name=d["name"], since=d.get("since")
        )
        return Response(_hub_result(user, hub, warnings), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.HubLinkCreateSerializer, responses={201: s.HubResultSerializer, 400: BAD_BODY, 404: NOT_FOUND}
    )
    @action(detail=True, methods=["post"])
    def links(self, request: Request, id: str) -> Response:  # noqa: A002
        """Link a member you reach to the hub; above the local number: linked, with a warning."""
        user = request.user
        hub = hubs.get_hub_for(user, id)
        d = _params(s.HubLinkCreateSerializer, request.data)
        member = _found(selectors.members_for(user), d["member"], "member", _("党员不存在或不在您的管理范围内"))
        _link, warnings = call_service(hub_services.hub_link, actor=user, hub=hub, member=member)
        return Response(_hub_result(user, hub, warnings), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.HubHouseholdCreateSerializer, responses={201: s.HubResultSerializer, 400: BAD_BODY, 404: NOT_FOUND}
    )
    @action(detail=True, methods=["post"])
    def households(self, request: Request, id: str) -> Response:  # noqa: A002
        """Record that a linked member keeps in touch with a household of the micro-grid (outside: 400,
        `party.household_outside`); above the local number: recorded, with a warning."""
        user = request.user
        hub = hubs.get_hub_for(user, id)
        d = _params(s.HubHouseholdCreateSerializer, request.data)
        link = _found(hub.links.all(), d["link"], "link", _("该党员中心户没有这名联系党员"))
        # Only the hub's micro-grid is searched: a household elsewhere, or none, gets the service's refusal, so the
        # answer does not tell whether an id exists outside the caller's reach.
        household = hubs.households_of_micro_grid(hub.area).filter(public_id=d["household"]).first()
        if household is None:
            raise api_validation_error(invalid("household", _("该户不在本微网格"), PartyError.HOUSEHOLD_OUTSIDE))
        _row, warnings = call_service(hub_services.hub_household_add, actor=user, link=link, household=household)
        return Response(_hub_result(user, hub, warnings), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.HubSerializer, 400: BAD_BODY, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, id: str) -> Response:  # noqa: A002
        """Wind the hub up (kept, inactive)."""
        hub = hubs.get_hub_for(request.user, id)
        ended = call_service(hub_services.hub_end, actor=request.user, hub=hub)
        return Response(s.HubSerializer(hubs.get_hub_for(request.user, ended.public_id)).data)
