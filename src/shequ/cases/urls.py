from django.urls import path

from . import grid_views, views, warning_views

app_name = "cases"
urlpatterns = [
    path("", views.case_queue, name="case_queue"),
    path("new/", views.case_create, name="case_create"),
    path("grid/", grid_views.grid_home, name="grid_home"),
    path("grid/report/", grid_views.grid_report, name="grid_report"),
    path("grid/<uuid:public_id>/<slug:action>/", grid_views.grid_action, name="grid_action"),
    path("metrics/", views.case_metrics, name="case_metrics"),
    path("warnings/", warning_views.warning_list, name="warnings"),
    path("hotline/", views.hotline_import, name="hotline_import"),
    path("<uuid:public_id>/", views.case_detail, name="case_detail"),
    path("<uuid:public_id>/reporter-mobile/", views.case_reporter_mobile, name="case_reporter_mobile"),
    path("<uuid:public_id>/<slug:action>/", views.case_action, name="case_action"),
]
