from django.urls import path

from . import import_views

urlpatterns = [
    path("", import_views.import_list, name="import_list"),
    path("upload/", import_views.import_upload, name="import_upload"),
    path("template.xlsx", import_views.import_template, name="import_template"),
    path("<uuid:public_id>/", import_views.import_detail, name="import_detail"),
    path("<uuid:public_id>/progress/", import_views.import_progress, name="import_progress"),
    path("<uuid:public_id>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("<uuid:public_id>/dwellings/", import_views.import_dwellings, name="import_dwellings"),
    path("<uuid:public_id>/cancel/", import_views.import_cancel, name="import_cancel"),
    path("<uuid:public_id>/errors.xlsx", import_views.import_errors_xlsx, name="import_errors_xlsx"),
]
