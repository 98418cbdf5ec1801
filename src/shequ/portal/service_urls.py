"""Included by portal/urls.py under service/ (names in the "portal" namespace): 在职党员双报到."""

from django.urls import path

from . import service_views as views

urlpatterns = [
    path("", views.service_home, name="service"),
    path("needs/", views.need_list, name="service_needs"),
    path("needs/<uuid:public_id>/", views.need_detail, name="service_need"),
    path("needs/<uuid:public_id>/claim/", views.need_claim, name="service_need_claim"),
    path("claims/<uuid:public_id>/withdraw/", views.claim_withdraw, name="service_claim_withdraw"),
    path("services/", views.entry_list, name="service_entries"),
    path("services/new/", views.entry_new, name="service_entry_new"),
    path("services/<int:year>/<int:quarter>/record.pdf", views.record_pdf, name="service_record"),
]
