"""REST endpoints for owners' votes, scoped exactly as the pages (outside the scope: 404).

Reads: the list, a vote with its items and the live tally per item (exact shares as "p/q" strings and the
engine's Chinese explanation), and the publication made at close (results and the receipt list). Writes go
through the services, which check the permission again: open, close, a paper ballot entered with its scan
(multipart) and its confirmation by another staff member. Residents cast their ballots on the portal, not here.
"""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from shequ.core.api import call_service, require_api
from shequ.core.errors import NotFound
from shequ.registry import selectors as registry_selectors

from . import counting, selectors, serializers, services
from .domain import ItemKind

UUID_PATTERN = "[0-9a-fA-F-]{32,36}"
DENIED = OpenApiResponse(description="无权限")
NOT_FOUND = OpenApiResponse(description="不存在或不在您的辖区内")
NOT_PUBLISHED = OpenApiResponse(description="不存在、不在您的辖区内，或尚未结束公布")
BAD_FILTER = OpenApiResponse(description="查询参数错误")
NO_PAGE = OpenApiResponse(description="页码不存在")
BAD_BODY = OpenApiResponse(description="字段错误，或当前状态不允许该操作")


def detail_data(vote: Any) -> dict[str, Any]:
    """The vote with its items, ballots by status and live tally."""
    context = {
        "items": list(vote.items.prefetch_related("candidates").order_by("position")),
        "counts": selectors.ballot_counts(vote),
        "tally": counting.vote_tally(vote),
        "published": getattr(vote, "publication", None) is not None,
    }
    return serializers.VoteDetailSerializer(vote, context=context).data


def _item_inputs(compound: Any, rows: list[dict[str, Any]]) -> list[services.ItemInput]:
    """The items as the service takes them; a consent's dwellings by label, as on the page (400 for a label
    the compound does not have)."""
    items, unknown = [], []
    for n, row in enumerate(rows, start=1):
        affected: list[Any] = []
        if row["kind"] == ItemKind.CONSENT:
            affected, missing = selectors.dwellings_by_label(compound, row.get("affected", []))
            if missing:
                unknown.append(_("第 %(n)s 项：本小区没有房屋 %(labels)s") % {"n": n, "labels": "、".join(missing)})
        items.append(
            services.ItemInput(
                kind=row["kind"],
                title=row["title"],
                text=row.get("text", ""),
                seats=row.get("seats"),
                candidates=row.get("candidates", []),
                affected=affected,
            )
        )
    if unknown:
        raise ApiValidationError({"items": unknown})
    return items


class VoteViewSet(viewsets.GenericViewSet):
    """Votes of the compounds in the caller's scope."""

    serializer_class = serializers.VoteSerializer
    parser_classes = [JSONParser]
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> Any:
        params = serializers.VoteFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        f = params.validated_data
        return selectors.search(self.request.user, text=(f.get("q") or "").strip(), status=f.get("status") or "")

    def _vote(self, request: Request, id: str) -> Any:  # noqa: A002
        return selectors.get_vote_for(request.user, id)

    @extend_schema(
        parameters=[serializers.VoteFilterSerializer],
        responses={200: serializers.VoteSerializer(many=True), 400: BAD_FILTER, 403: DENIED, 404: NO_PAGE},
    )
    def list(self, request: Request) -> Response:
        """List votes, searchable by title or compound (`q`) and by status, newest first."""
        require_api(request, "votes.view")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(serializers.VoteSerializer(page, many=True).data)

    @extend_schema(
        request=serializers.VoteCreateSerializer,
        responses={201: serializers.VoteDetailSerializer, 400: BAD_BODY, 403: DENIED},
    )
    def create(self, request: Request) -> Response:
        """Draft a vote of the owners of a compound of your community, with its items (open it with …/open/).

        400 names the field: a compound outside your communities is "not found"; the deadline must lie ahead;
        an item's problem is listed under `items` ("第 2 项：…")."""
        require_api(request, "votes.manage")
        params = serializers.VoteCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        compound = selectors.compounds_for(request.user).filter(public_id=d["compound"]).first()
        if compound is None:
            raise ApiValidationError({"compound": [_("小区不存在或不在您的辖区内")]})
        require_api(request, "votes.manage", compound)
        vote = call_service(
            services.vote_create,
            actor=request.user,
            compound=compound,
            title=d["title"],
            description=d["description"],
            closes_at=d["closes_at"],
            verifiable=d["verifiable"],
            items=_item_inputs(compound, d["items"]),
        )
        return Response(detail_data(self._vote(request, str(vote.public_id))), status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: serializers.VoteDetailSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        """A vote with its items, its ballots by status and the live tally of every item."""
        vote = self._vote(request, id)
        require_api(request, "votes.view", vote)
        return Response(detail_data(vote))

    @extend_schema(responses={200: serializers.PublicationSerializer, 404: NOT_PUBLISHED})
    @action(detail=True, methods=["get"])
    def published(self, request: Request, id: str) -> Response:  # noqa: A002
        """What was published at close: results, explanations and the receipt list (404 before the close)."""
        vote = self._vote(request, id)
        require_api(request, "votes.view", vote)
        publication = getattr(vote, "publication", None)
        if publication is None:
            raise NotFound()
        return Response(
            serializers.PublicationSerializer({**publication.data, "published_at": publication.published_at}).data
        )

    @extend_schema(
        request=None,
        responses={200: serializers.VoteDetailSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def open(self, request: Request, id: str) -> Response:  # noqa: A002
        """Open a drafted vote: the electorate is frozen from the register as of today."""
        vote = self._vote(request, id)
        require_api(request, "votes.manage", vote)
        call_service(services.vote_open, actor=request.user, vote=vote)
        return Response(detail_data(self._vote(request, id)))

    @extend_schema(
        request=None,
        responses={200: serializers.VoteDetailSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, id: str) -> Response:  # noqa: A002
        """Close the vote after its deadline and publish the results (and the receipt list), also as a notice.

        400 while a paper ballot waits for confirmation, or before the deadline."""
        vote = self._vote(request, id)
        require_api(request, "votes.manage", vote)
        call_service(services.vote_close, actor=request.user, vote=vote)
        return Response(detail_data(self._vote(request, id)))

    @extend_schema(
        request={"multipart/form-data": serializers.PaperBallotSerializer},
        responses={201: serializers.BallotSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def paper(self, request: Request, id: str) -> Response:  # noqa: A002
        """Enter a signed paper ballot with its scan (multipart); it counts once another staff member confirms it.

        `choices` is a JSON object: item position → agree / oppose / abstain, a list of candidate names for an
        election, or null."""
        vote = self._vote(request, id)
        require_api(request, "votes.enter_paper", vote)
        params = serializers.PaperBallotSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        elections = {s.position for s in selectors.item_specs(vote) if s.kind == ItemKind.ELECTION}
        if any(isinstance(v, str) for p, v in d["choices"].items() if p in elections):
            raise ApiValidationError({"choices": [_("选举事项须填写候选人姓名列表")]})
        if any(isinstance(v, list) for p, v in d["choices"].items() if p not in elections):
            raise ApiValidationError({"choices": [_("只有选举事项可以填写候选人姓名列表")]})
        try:
            owner = selectors.owner_by_dwelling(vote, d["dwelling"])
        except NotFound:
            raise ApiValidationError({"dwelling": [_("本次表决的业主名册中没有该房屋")]}) from None
        ballot = call_service(
            services.paper_enter, actor=request.user, owner=owner, choices=d["choices"], upload=d["scan"]
        )
        return Response(
            serializers.BallotSerializer(selectors.get_ballot_of(vote, ballot.public_id)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=serializers.BallotRefSerializer,
        responses={200: serializers.BallotSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="confirm-paper")
    def confirm_paper(self, request: Request, id: str) -> Response:  # noqa: A002
        """Confirm a pending paper ballot of the vote against its scan; it counts. The staff member who entered
        it may not (403); a ballot not of this vote is 404."""
        vote = self._vote(request, id)
        require_api(request, "votes.enter_paper", vote)
        params = serializers.BallotRefSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        ballot = selectors.get_ballot_of(vote, params.validated_data["ballot"])
        require_api(request, "votes.confirm_paper", ballot)
        confirmed = call_service(services.paper_confirm, actor=request.user, ballot=ballot)
        return Response(serializers.BallotSerializer(selectors.get_ballot_of(vote, confirmed.public_id)).data)

    @extend_schema(
        request=serializers.PaperRejectSerializer,
        responses={200: serializers.BallotSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="reject-paper")
    def reject_paper(self, request: Request, id: str) -> Response:  # noqa: A002
        """Reject a pending paper ballot of the vote that does not match its scan, with a reason; it is kept
        (rejected) and the owner may vote again. The staff member who entered it may not (403); a ballot not of
        this vote is 404."""
        vote = self._vote(request, id)
        require_api(request, "votes.enter_paper", vote)
        params = serializers.PaperRejectSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        ballot = selectors.get_ballot_of(vote, d["ballot"])
        require_api(request, "votes.confirm_paper", ballot)
        rejected = call_service(services.paper_reject, actor=request.user, ballot=ballot, reason=d["reason"])
        return Response(serializers.BallotSerializer(selectors.get_ballot_of(vote, rejected.public_id)).data)

    @extend_schema(
        request={"multipart/form-data": serializers.ProxyCreateSerializer},
        responses={201: serializers.ProxySerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def proxies(self, request: Request, id: str) -> Response:  # noqa: A002
        """Register an owner's written authorisation of a resident, with its scan (multipart); the proxy may then
        cast the owner's ballot on the portal. One proxy per owner, and none once the owner has voted.

        The owner is named by a dwelling as the vote's electorate lists it, the proxy by the mobile number the
        register holds (as on the page)."""
        vote = self._vote(request, id)
        require_api(request, "votes.register_proxy", vote)
        params = serializers.ProxyCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        errors: dict[str, list[str]] = {}
        try:
            owner = selectors.owner_by_dwelling(vote, d["dwelling"])
        except NotFound:
            errors["dwelling"] = [_("本次表决的业主名册中没有该房屋")]
        proxy = registry_selectors.find_by_mobile(request.user, d["mobile"]).first()
        if proxy is None:
            errors["mobile"] = [_("没有找到登记了该手机号码的居民")]
        if errors:
            raise ApiValidationError(errors)
        authorisation = call_service(
            services.proxy_register, actor=request.user, owner=owner, proxy=proxy, upload=d["scan"]
        )
        return Response(serializers.ProxySerializer(authorisation).data, status=status.HTTP_201_CREATED)
