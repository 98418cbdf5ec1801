"""Included under /cases/ (config/urls.py): the analysis pages keep the paths they had inside cases."""

from django.urls import path

from . import duplicate_views, warning_views

app_name = "analysis"
urlpatterns = [
    path("warnings/", warning_views.warning_list, name="warnings"),
    path("<uuid:public_id>/merge-into/<uuid:other_id>/", duplicate_views.merge_into, name="merge_into"),
]
