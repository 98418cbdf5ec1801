"""Included by portal/urls.py (names in the "portal" namespace)."""

from django.urls import path

from . import vote_views

urlpatterns: list = [
    path("", vote_views.vote_list, name="vote_list"),
    path("<uuid:public_id>/ballot/<uuid:owner_id>/", vote_views.ballot, name="vote_ballot"),
    path("<uuid:public_id>/receipt/<uuid:owner_id>/", vote_views.receipt, name="vote_receipt"),
    path("<uuid:public_id>/published/", vote_views.published, name="vote_published"),
]
