from django.urls import path

from . import views

app_name = "party"
urlpatterns = [
    path("", views.home, name="home"),
    path("due/", views.due, name="due"),
    path("orgs/new/", views.org_new, name="org_new"),
    path("orgs/<uuid:public_id>/", views.org_detail, name="org_detail"),
    path("orgs/<uuid:public_id>/members.xlsx", views.org_export, name="org_export"),
    path("orgs/<uuid:public_id>/members/new/", views.member_new, name="member_new"),
    path("orgs/<uuid:public_id>/posts/new/", views.post_new, name="post_new"),
    path("orgs/<uuid:public_id>/posts/<uuid:post_id>/end/", views.post_end, name="post_end"),
    path("orgs/<uuid:public_id>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("members/<uuid:public_id>/", views.member_detail, name="member_detail"),
    path("members/<uuid:public_id>/<slug:action>/", views.member_action, name="member_action"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<uuid:public_id>/", views.meeting_detail, name="meeting_detail"),
]
