"""Included by portal/urls.py (names in the "portal" namespace)."""

from django.urls import path

from . import notice_views

urlpatterns = [
    path("", notice_views.notice_list, name="notices"),
    path("objections/", notice_views.my_objections, name="my_objections"),
    path("<uuid:public_id>/", notice_views.notice_detail, name="notice"),
    path("<uuid:public_id>/notice.pdf", notice_views.notice_pdf, name="notice_pdf"),
]
