"""REST endpoints of volunteer service, scoped exactly as permissions.py says (outside the scope: 404).

Reads: the registry of the communities the caller sees (masked), a volunteer's record; the activities of the units
the caller holds and of the communities they see, with sign-ups; the corrections the caller may answer. Writes go
through the services, which check again: register a volunteer, record a training / commendation / complaint, issue
a proof (free), publish an activity, confirm hours (a figure above a day or beyond the activity's span is refused
with its Chinese reason, 400), answer a correction. Volunteers themselves act on the portal.
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
from shequ.territory import selectors as territory_selectors

from . import selectors, serializers, services

UUID_PATTERN = "[0-9a-fA-F-]{32,36}"
DENIED = OpenApiResponse(description="无权限")
NOT_FOUND = OpenApiResponse(description="不存在或不在您的辖区内")
NO_PAGE = OpenApiResponse(description="页码不存在")
BAD_BODY = OpenApiResponse(description="字段错误，或当前状态不允许该操作")


def _params(serializer: Any, data: Any) -> dict[str, Any]:
    params = serializer(data=data)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


def _documented(list_serializer: Any, detail_serializer: Any) -> Any:
    return extend_schema_view(
        list=extend_schema(responses={200: list_serializer(many=True), 403: DENIED, 404: NO_PAGE}),
        retrieve=extend_schema(responses={200: detail_serializer, 404: NOT_FOUND}),
    )


class _ViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN


# --- volunteers ----------------------------------------------------------------------------------------------


def volunteer_detail(user: Any, public_id: Any) -> Any:
    volunteer = selectors.get_volunteer_for(user, public_id)
    context = {"today": timezone.localdate()}
    return serializers.VolunteerDetailSerializer(volunteer, context=context).data


@_documented(serializers.VolunteerSerializer, serializers.VolunteerDetailSerializer)
class VolunteerViewSet(_ViewSet):
    """The volunteers of the communities the caller sees (community workers and secretaries, street and district
    officers); names, mobiles and ID numbers masked."""

    serializer_class = serializers.VolunteerSerializer

    def get_queryset(self) -> Any:
        return selectors.volunteers_for(self.request.user)

    def list(self, request: Request) -> Response:
        require_api(request, "volunteers.view")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(serializers.VolunteerSerializer(page, many=True).data)

    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        """A volunteer with confirmed services, total hours, training, commendations, complaints and proofs."""
        return Response(volunteer_detail(request.user, id))

    @extend_schema(
        request=serializers.VolunteerCreateSerializer,
        responses={201: serializers.VolunteerDetailSerializer, 400: BAD_BODY, 403: DENIED},
    )
    def create(self, request: Request) -> Response:
        """Register a volunteer in a community you keep (a community outside it is "not found", 400). The birth date
        (or an ID number) is needed: a minor signs up only with a guardian's consent."""
        require_api(request, "volunteers.manage")
        d = _params(serializers.VolunteerCreateSerializer, request.data)
        user = request.user
        community = territory_selectors.areas_for(user).filter(public_id=d.pop("community"), level="community").first()
        if community is None:
            raise ApiValidationError({"community": [_("社区不存在或不在您的辖区内")]})
        data = services.VolunteerInput(community=community, **d)
        volunteer = call_service(services.volunteer_register, actor=user, data=data)
        return Response(volunteer_detail(user, volunteer.public_id), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.VolunteerEntryCreateSerializer,
        responses={201: serializers.VolunteerEntrySerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def entries(self, request: Request, id: str) -> Response:  # noqa: A002
        """Record a training, a commendation or a complaint on the volunteer's record."""
        volunteer = selectors.get_volunteer_for(request.user, id)
        require_api(request, "volunteers.manage", volunteer)
        d = _params(serializers.VolunteerEntryCreateSerializer, request.data)
        entry = call_service(services.entry_record, actor=request.user, volunteer=volunteer, **d)
        return Response(serializers.VolunteerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.VolunteerConsentSerializer,
        responses={200: serializers.VolunteerDetailSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def consent(self, request: Request, id: str) -> Response:  # noqa: A002
        """Record (or replace) a guardian's consent for a minor volunteer (an adult: 400); a minor signs up only once
        it is recorded."""
        volunteer = selectors.get_volunteer_for(request.user, id)
        require_api(request, "volunteers.manage", volunteer)
        d = _params(serializers.VolunteerConsentSerializer, request.data)
        call_service(services.consent_record, actor=request.user, volunteer=volunteer, data=services.ConsentInput(**d))
        return Response(volunteer_detail(request.user, id))

    @extend_schema(
        request=None, responses={201: serializers.VolunteerProofSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND}
    )
    @action(detail=True, methods=["post"])
    def proofs(self, request: Request, id: str) -> Response:  # noqa: A002
        """Issue a proof of the volunteer's confirmed services, free of charge (none without a confirmed service:
        400). The PDF is downloaded from the workbench or the volunteer's portal."""
        volunteer = selectors.get_volunteer_for(request.user, id)
        require_api(request, "volunteers.manage", volunteer)
        proof = call_service(services.proof_issue, actor=request.user, volunteer=volunteer)
        return Response(serializers.VolunteerProofSerializer(proof).data, status=status.HTTP_201_CREATED)


# --- activities ----------------------------------------------------------------------------------------------


def _organised_activity(request: Request, public_id: Any) -> Any:
    """An activity the caller sees (else 404) and organises (else 403)."""
    activity = selectors.get_activity_for(request.user, public_id)
    require_api(request, "volunteers.organise", activity)
    return activity


def _signup_of(activity: Any, public_id: Any) -> Any:
    """A sign-up of this activity, or 400 on `signup`."""
    signup = selectors.signups_of(activity).filter(public_id=public_id).first()
    if signup is None:
        raise ApiValidationError({"signup": [_("报名不存在")]})
    return signup


def _require_activity_reader(request: Request) -> None:
    if not can(request.user, "volunteers.view"):
        require_api(request, "volunteers.organise")


@_documented(serializers.VolunteerActivitySerializer, serializers.VolunteerActivityDetailSerializer)
class ActivityViewSet(_ViewSet):
    """Activities of the units the caller holds and of the communities the caller sees, newest first."""

    serializer_class = serializers.VolunteerActivitySerializer

    def get_queryset(self) -> Any:
        return selectors.activities_for(self.request.user)

    def list(self, request: Request) -> Response:
        _require_activity_reader(request)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(serializers.VolunteerActivitySerializer(page, many=True).data)

    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        """An activity with its sign-ups (masked names)."""
        activity = selectors.get_activity_for(request.user, id)
        return Response(serializers.VolunteerActivityDetailSerializer(activity).data)

    @extend_schema(
        request=serializers.VolunteerActivityCreateSerializer,
        responses={201: serializers.VolunteerActivityDetailSerializer, 400: BAD_BODY, 403: DENIED},
    )
    def create(self, request: Request) -> Response:
        """Publish an activity of a unit you hold, or of a unit placed in a community you keep (another unit is "not
        found", 400); it is open for sign-up by the volunteers of the unit's community."""
        require_api(request, "volunteers.organise")
        d = _params(serializers.VolunteerActivityCreateSerializer, request.data)
        user = request.user
        unit = selectors.organiser_units_for(user).filter(public_id=d.pop("organiser")).first()
        if unit is None:
            raise ApiValidationError({"organiser": [_("组织单位不存在或不在您的管理范围内")]})
        data = services.ActivityInput(organiser=unit, community=selectors.community_of_area(unit.area), **d)
        activity = call_service(services.activity_create, actor=user, data=data)
        fresh = selectors.get_activity_for(user, activity.public_id)
        return Response(serializers.VolunteerActivityDetailSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: serializers.VolunteerSignupSerializer(many=True), 404: NOT_FOUND})
    @action(detail=True, methods=["get"], url_path="sign-ups")
    def sign_ups(self, request: Request, id: str) -> Response:  # noqa: A002
        """The activity's sign-ups (masked names), in the order they came, with their status."""
        activity = selectors.get_activity_for(request.user, id)
        return Response(serializers.VolunteerSignupSerializer(selectors.signups_of(activity), many=True).data)

    @extend_schema(
        request=serializers.VolunteerConfirmHoursSerializer,
        responses={201: serializers.VolunteerServiceRecordSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="confirm-hours")
    def confirm_hours(self, request: Request, id: str) -> Response:  # noqa: A002
        """Record that a signed-up volunteer attended and confirm the hours served, travel excluded: more than 0, at
        most 24, two decimals, no more than the activity's span (400 with the reason otherwise)."""
        activity = _organised_activity(request, id)
        d = _params(serializers.VolunteerConfirmHoursSerializer, request.data)
        signup = _signup_of(activity, d["signup"])
        record = call_service(
            services.hours_confirm,
            actor=request.user,
            signup=signup,
            hours=d["hours"],
            travel_hours=d["travel_hours"],
        )
        return Response(serializers.VolunteerServiceRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.VolunteerActivityStatusSerializer,
        responses={200: serializers.VolunteerActivityDetailSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, id: str) -> Response:  # noqa: A002
        """Close sign-up, reopen it, or cancel the activity (one with confirmed hours cannot be cancelled; a change
        the activity's status does not allow is 400)."""
        activity = _organised_activity(request, id)
        d = _params(serializers.VolunteerActivityStatusSerializer, request.data)
        call_service(services.activity_change, actor=request.user, activity=activity, event=d["event"])
        fresh = selectors.get_activity_for(request.user, id)
        return Response(serializers.VolunteerActivityDetailSerializer(fresh).data)

    @extend_schema(
        request=serializers.VolunteerSignupRefSerializer,
        responses={200: serializers.VolunteerSignupSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def absent(self, request: Request, id: str) -> Response:  # noqa: A002
        """Record that a signed-up volunteer did not come (their hours can still be confirmed afterwards)."""
        activity = _organised_activity(request, id)
        d = _params(serializers.VolunteerSignupRefSerializer, request.data)
        signup = _signup_of(activity, d["signup"])
        marked = call_service(services.signup_mark_absent, actor=request.user, signup=signup)
        return Response(serializers.VolunteerSignupSerializer(selectors.signups_of(activity).get(pk=marked.pk)).data)


# --- corrections ---------------------------------------------------------------------------------------------


@_documented(serializers.VolunteerCorrectionSerializer, serializers.VolunteerCorrectionSerializer)
class CorrectionViewSet(_ViewSet):
    """Volunteers' requests to correct a record, for the organisers who answer them (oldest first)."""

    serializer_class = serializers.VolunteerCorrectionSerializer

    def get_queryset(self) -> Any:
        return selectors.corrections_for(self.request.user)

    def list(self, request: Request) -> Response:
        require_api(request, "volunteers.organise")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(serializers.VolunteerCorrectionSerializer(page, many=True).data)

    def retrieve(self, request: Request, id: str) -> Response:  # noqa: A002
        return Response(serializers.VolunteerCorrectionSerializer(selectors.get_correction_for(request.user, id)).data)

    @extend_schema(
        request=serializers.VolunteerAnswerSerializer,
        responses={200: serializers.VolunteerCorrectionSerializer, 400: BAD_BODY, 403: DENIED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, id: str) -> Response:  # noqa: A002
        """Accept the correction with the corrected values (checked like confirmed hours), or refuse it with a
        reason."""
        correction = selectors.get_correction_for(request.user, id)
        require_api(request, "volunteers.organise", correction)
        d = _params(serializers.VolunteerAnswerSerializer, request.data)
        data = services.AnswerInput(**d)
        answered = call_service(services.correction_answer, actor=request.user, correction=correction, data=data)
        return Response(
            serializers.VolunteerCorrectionSerializer(
                selectors.get_correction_for(request.user, answered.public_id)
            ).data
        )
