"""Included by portal/urls.py under proposals/ (names in the "portal" namespace)."""

from django.urls import path

from . import proposal_views as views

urlpatterns = [
    path("", views.proposal_list, name="proposals"),
    path("new/", views.proposal_new, name="proposal_new"),
    path("<uuid:public_id>/", views.proposal_detail, name="proposal"),
    path("<uuid:public_id>/support/", views.proposal_support, name="proposal_support"),
    path("<uuid:public_id>/comment/", views.proposal_comment, name="proposal_comment"),
    path("<uuid:public_id>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("<uuid:public_id>/photos/<uuid:photo_id>/", views.progress_photo, name="proposal_photo"),
]
