from django.urls import include, path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/verify/", views.verify, name="verify"),
    path("login/resend/", views.resend, name="resend"),
    path("logout/", views.logout, name="logout"),
    path("text-size/", views.text_size, name="text_size"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/new/topics/", views.case_topics, name="case_topics"),
    path("cases/new/photos/<str:photo_id>/", views.held_photo, name="held_photo"),
    path("cases/<str:tracking_number>/", views.case_detail, name="case"),
    path("cases/<str:tracking_number>/rate/", views.case_rate, name="case_rate"),
    path("cases/<str:tracking_number>/photos/<uuid:photo_id>/", views.case_photo, name="case_photo"),
    path("cases/<str:tracking_number>/withdraw/", views.case_withdraw, name="case_withdraw"),
    path("compound/", views.compound_cases, name="compound_cases"),
    path("compound/map/", views.compound_map, name="compound_map"),
    path("compound/map.json", views.compound_map_data, name="compound_map_data"),
    path("compound/<str:tracking_number>/photos/<uuid:photo_id>/", views.compound_photo, name="compound_photo"),
    path("compound/<str:tracking_number>/support/", views.case_support, name="case_support"),
    path("votes/", include("shequ.portal.vote_urls")),
    path("notices/", include("shequ.portal.notice_urls")),
    path("proposals/", include("shequ.portal.proposal_urls")),
    path("service/", include("shequ.portal.service_urls")),
    path("volunteer/", include("shequ.portal.volunteer_urls")),
]
