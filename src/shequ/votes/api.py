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
