from django.urls import path

from . import hub_views, service_views, views

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
    # 在职党员双报到
    path("service/", service_views.registrations, name="service"),
    path("service/registrations.xlsx", service_views.registrations_export, name="service_export"),
    path("service/registrations/<uuid:public_id>/", service_views.registration_detail, name="service_registration"),
    path(
        "service/registrations/<uuid:public_id>/record/<int:year>/<int:quarter>/",
        service_views.registration_record,
        name="service_record",
    ),
    path(
        "service/registrations/<uuid:public_id>/<slug:action>/",
        service_views.registration_action,
        name="service_registration_action",
    ),
    path("service/needs/", service_views.needs, name="service_needs"),
    path("service/needs/new/", service_views.need_new, name="service_need_new"),
    path("service/needs/<uuid:public_id>/", service_views.need_detail, name="service_need"),
    path("service/needs/<uuid:public_id>/close/", service_views.need_close, name="service_need_close"),
    path("service/needs/<uuid:public_id>/claim/", service_views.need_claim, name="service_need_claim"),
    path("service/entries/", service_views.entries, name="service_entries"),
    path("service/entries/<uuid:public_id>/confirm/", service_views.entry_confirm, name="service_entry_confirm"),
    # 党员中心户
    path("hubs/", hub_views.hubs, name="hubs"),
    path("hubs/new/", hub_views.hub_new, name="hub_new"),
    path("hubs/<uuid:public_id>/", hub_views.hub_detail, name="hub"),
    path("hubs/<uuid:public_id>/links/<uuid:link_id>/unlink/", hub_views.hub_unlink, name="hub_unlink"),
    path(
        "hubs/<uuid:public_id>/households/<int:row_id>/remove/",
        hub_views.hub_household_remove,
        name="hub_household_remove",
    ),
    path("hubs/<uuid:public_id>/<slug:action>/", hub_views.hub_action, name="hub_action"),
]
