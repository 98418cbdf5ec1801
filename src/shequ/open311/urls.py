from django.urls import path, re_path

from . import views

urlpatterns = [
    re_path(r"^services\.(?P<fmt>[a-z]+)$", views.service_list, name="open311-services"),
    path("services/<str:code>.<str:fmt>", views.service_definition, name="open311-service"),
    re_path(r"^requests\.(?P<fmt>[a-z]+)$", views.requests_endpoint, name="open311-requests"),
    re_path(r"^requests/(?P<request_id>[^/.]+)\.(?P<fmt>[a-z]+)$", views.request_detail, name="open311-request"),
    re_path(r"", views.not_found, name="open311-not-found"),
]
