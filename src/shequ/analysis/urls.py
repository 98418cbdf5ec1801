"""Included under /cases/ (config/urls.py): the analysis pages keep the paths they had inside cases."""

from django.urls import path

from . import duplicate_views, warning_views

app_name = "analysis"
urlpatterns = [
    path("warnings/", warning_views.warning_list, name="warnings"),
    path("warnings/recompute/", warning_views.warning_recompute, name="warnings_recompute"),
    path("warnings/threshold/", warning_views.threshold_edit, name="threshold"),
    path("warnings/<uuid:public_id>/<str:action>/", warning_views.warning_act, name="warning_act"),
    path("<uuid:public_id>/merge-into/<uuid:other_id>/", duplicate_views.merge_into, name="merge_into"),
]
