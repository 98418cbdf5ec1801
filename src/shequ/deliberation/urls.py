from django.urls import path

from . import views

app_name = "deliberation"
urlpatterns = [
    path("", views.proposal_list, name="proposal_list"),
    path("proposals/<uuid:public_id>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<uuid:public_id>/photos/<uuid:photo_id>/", views.progress_photo, name="progress_photo"),
    path("proposals/<uuid:public_id>/<slug:action>/", views.proposal_action, name="proposal_action"),
    path("from-case/<uuid:case_id>/", views.case_to_proposal, name="case_to_proposal"),
    path("bodies/", views.body_list, name="body_list"),
    path("bodies/<uuid:public_id>/", views.body_detail, name="body_detail"),
    path("bodies/<uuid:public_id>/<slug:action>/", views.body_action, name="body_action"),
    path("meetings/<uuid:public_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<uuid:public_id>/<slug:action>/", views.meeting_action, name="meeting_action"),
    path("groups/", views.group_list, name="group_list"),
    path("residents-meetings/", views.request_list, name="request_list"),
    path("residents-meetings/<uuid:public_id>/", views.request_detail, name="request_detail"),
    path("residents-meetings/<uuid:public_id>/<slug:action>/", views.request_action, name="request_action"),
]
