from django.urls import path

from . import views

app_name = "coordination"
urlpatterns = [
    path("", views.index, name="index"),
    path("overdue/", views.overdue, name="overdue"),
    path("communities/<uuid:public_id>/", views.community, name="community"),
    path("communities/<uuid:public_id>/actors.xlsx", views.community_export, name="community_export"),
    path("communities/<uuid:public_id>/units/<uuid:unit_id>/", views.role_edit, name="role_edit"),
    path("communities/<uuid:public_id>/meetings/", views.meeting_list, name="meeting_list"),
    path("communities/<uuid:public_id>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("roles/<uuid:role_id>/reveal/", views.role_reveal, name="role_reveal"),
    path("meetings/<uuid:public_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<uuid:public_id>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path("follow-ups/<uuid:public_id>/<slug:action>/", views.follow_up_action, name="follow_up_action"),
]
