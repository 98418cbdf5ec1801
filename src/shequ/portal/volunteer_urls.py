"""Included by portal/urls.py under volunteer/ (names in the "portal" namespace)."""

from django.urls import path

from . import volunteer_views as views

urlpatterns = [
    path("", views.volunteer_home, name="volunteer"),
    path("join/", views.volunteer_join, name="volunteer_join"),
    path("activities/", views.activity_list, name="volunteer_activities"),
    path("activities/<uuid:public_id>/", views.activity_detail, name="volunteer_activity"),
    path("activities/<uuid:public_id>/sign-up/", views.activity_signup, name="volunteer_signup"),
    path("sign-ups/<uuid:public_id>/withdraw/", views.signup_withdraw, name="volunteer_withdraw"),
    path("records/<uuid:public_id>/correction/", views.correction_new, name="volunteer_correction"),
    path("proofs/", views.proof_request, name="volunteer_proof_request"),
    path("proofs/<uuid:public_id>.pdf", views.proof_download, name="volunteer_proof"),
]
