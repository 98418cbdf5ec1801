from django.urls import path, re_path

from . import open311

urlpatterns = [
    re_path(r"^services\.(?P<fmt>[a-z]+)$", open311.service_list, name="open311-services"),
    path("services/<str:code>.<str:fmt>", open311.service_definition, name="open311-service"),
]
