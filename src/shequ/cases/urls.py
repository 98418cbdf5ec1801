from django.urls import path

from . import export_views, grid_views, metrics_views, photo_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_queue, name="case_queue"),
    path("new/", views.case_create, name="case_create"),
    path("triage/bulk/", views.triage_bulk, name="triage_bulk"),
    path("grid/", grid_views.grid_home, name="grid_home"),
    path("grid/report/", grid_views.grid_report, name="grid_report"),
    path("grid/reviews/", grid_views.answer_reviews, name="answer_reviews"),
    path("grid/reviews/settings/", grid_views.review_settings, name="review_settings"),
    path("grid/reviews/<uuid:public_id>/", grid_views.answer_review_decide, name="answer_review_decide"),
    path("grid/<uuid:public_id>/<slug:action>/", grid_views.grid_action, name="grid_action"),
    path("metrics/", metrics_views.case_metrics, name="case_metrics"),
    path("metrics/cases/", metrics_views.figure_cases, name="figure_cases"),
    path("routing-accuracy/", views.routing_accuracy, name="routing_accuracy"),
    path("hotline/", views.hotline_import, name="hotline_import"),
    path("<uuid:public_id>/", views.case_detail, name="case_detail"),
    path("<uuid:public_id>/reporter-mobile/", views.case_reporter_mobile, name="case_reporter_mobile"),
    path("<uuid:public_id>/reporter-contact/", views.case_reporter_contact, name="case_reporter_contact"),
    path("export.xlsx", export_views.queue_export, name="queue_export"),
    path("photos/", photo_views.photo_review, name="photo_review"),
    path("photos/<uuid:photo_id>/", photo_views.photo_file, name="photo_file"),
    path("photos/<uuid:photo_id>/review/", photo_views.photo_decide, name="photo_decide"),
    path("<uuid:public_id>/photos/", photo_views.photo_upload, name="photo_upload"),
    path("<uuid:public_id>/<slug:action>/", views.case_action, name="case_action"),
]
