from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_queue, name="case_queue"),
    path("new/", views.case_create, name="case_create"),
    path("metrics/", views.case_metrics, name="case_metrics"),
    path("<uuid:public_id>/", views.case_detail, name="case_detail"),
    path("<uuid:public_id>/reporter-mobile/", views.case_reporter_mobile, name="case_reporter_mobile"),
    path("<uuid:public_id>/<slug:action>/", views.case_action, name="case_action"),
]
