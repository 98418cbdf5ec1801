from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from shequ.accounts import api as accounts_api
from shequ.coordination import api as coordination_api
from shequ.core import views as core_views
from shequ.deliberation import api as deliberation_api
from shequ.notices import api as notices_api
from shequ.party import api as party_api
from shequ.party import service_api as party_service_api
from shequ.registry import api as registry_api
from shequ.territory import api as territory_api
from shequ.volunteers import api as volunteers_api
from shequ.votes import api as votes_api
from shequ.web.api_docs import ApiDocsView, ApiSchemaView

from .admin_site import install_admin_policy

install_admin_policy(admin.site)


# No `.json` suffix routes: they are not in the OpenAPI schema (so never fuzzed) and the resident views' own
# signatures answered them with a 500. JSON is the only format; `?format=` is not needed.
class Router(DefaultRouter):
    include_format_suffixes = False


router = Router()
router.register("areas", territory_api.AreaViewSet, basename="area")
router.register("compounds", territory_api.CompoundViewSet, basename="compound")
router.register("buildings", territory_api.BuildingViewSet, basename="building")
router.register("dwellings", territory_api.DwellingViewSet, basename="dwelling")
router.register("residents", registry_api.ResidentViewSet, basename="resident")
router.register("households", registry_api.HouseholdViewSet, basename="household")
router.register("notices", notices_api.NoticeViewSet, basename="notice")
router.register("objections", notices_api.ObjectionViewSet, basename="objection")
router.register("votes", votes_api.VoteViewSet, basename="vote")
router.register("bodies", deliberation_api.BodyViewSet, basename="body")
router.register("proposals", deliberation_api.ProposalViewSet, basename="proposal")
router.register("meetings", deliberation_api.MeetingViewSet, basename="meeting")
router.register("residents-groups", deliberation_api.GroupViewSet, basename="residents-group")
router.register("meeting-requests", deliberation_api.MeetingRequestViewSet, basename="meeting-request")
router.register("party-orgs", party_api.OrgViewSet, basename="party-org")
router.register("party-members", party_api.MemberViewSet, basename="party-member")
router.register("party-meetings", party_api.MeetingViewSet, basename="party-meeting")
router.register("volunteers", volunteers_api.VolunteerViewSet, basename="volunteer")
router.register("volunteer-activities", volunteers_api.ActivityViewSet, basename="volunteer-activity")
router.register("volunteer-corrections", volunteers_api.CorrectionViewSet, basename="volunteer-correction")
router.register("party-inservice", party_service_api.InServiceViewSet, basename="party-inservice")
router.register("party-needs", party_service_api.NeedViewSet, basename="party-need")
router.register("party-service-entries", party_service_api.ServiceEntryViewSet, basename="party-service-entry")
router.register("party-hubs", party_service_api.HubViewSet, basename="party-hub")
router.register("community-actors", coordination_api.CommunityActorViewSet, basename="community-actor")
router.register("joint-meetings", coordination_api.JointMeetingViewSet, basename="joint-meeting")
router.register("joint-follow-ups", coordination_api.FollowUpViewSet, basename="joint-follow-up")

api_v1 = [
    path("auth/token/", accounts_api.obtain_token, name="api-token"),
    path("me/", accounts_api.me, name="api-me"),
    path("locate/", territory_api.locate, name="api-locate"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("shequ.accounts.urls")),
    path("territory/", include("shequ.territory.urls")),
    path("core/", include("shequ.core.urls")),
    path("registry/", include("shequ.registry.urls")),
    path("notifications/", include("shequ.notifications.urls")),
    path("cases/", include("shequ.analysis.urls")),  # the warning list and the merge of a likely duplicate
    path("cases/", include("shequ.cases.urls")),
    path("disputes/", include("shequ.disputes.urls")),
    path("deliberation/", include("shequ.deliberation.urls")),
    path("votes/", include("shequ.votes.urls")),
    path("notices/", include("shequ.notices.urls")),
    path("party/", include("shequ.party.urls")),
    path("volunteers/", include("shequ.volunteers.urls")),
    path("coordination/", include("shequ.coordination.urls")),
    path("portal/", include("shequ.portal.urls")),
    path("open311/v2/", include("shequ.open311.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", ApiSchemaView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("shequ.web.urls")),
]

# A NUL or over-deep JSON found while a multipart body is parsed (core.hostile_input) answers in its dialect.
handler400 = "shequ.core.hostile_input.bad_request"
# A path no route matches under /api/ answers the API's 404 body (with its code), not the HTML page.
handler404 = "shequ.core.api.not_found"

if settings.DEBUG:
    pass
