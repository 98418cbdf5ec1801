from django.urls import include, path

from . import disclosure_views, ownership_views, views

app_name = "registry"
urlpatterns = [
    path("imports/", include("shequ.registry.import_urls")),
    path("", views.resident_list, name="resident_list"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("export-full/", disclosure_views.export_unmasked, name="export_unmasked"),
    path("export-requests/", disclosure_views.export_requests, name="export_requests"),
    path("export-requests/<uuid:public_id>/decide/", disclosure_views.export_decide, name="export_decide"),
    path("export-requests/<uuid:public_id>/download/", disclosure_views.export_download, name="export_download"),
    path("birthdays/", views.birthday_list, name="birthday_list"),
    path("birthdays/export.xlsx", views.birthday_export, name="birthday_export"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/<uuid:public_id>/", views.resident_detail, name="resident_detail"),
    path("residents/<uuid:public_id>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("residents/<uuid:public_id>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<uuid:public_id>/<slug:action>/", views.resident_action, name="resident_action"),
    path("households/<uuid:public_id>/", views.household_detail, name="household_detail"),
    path("buildings/<uuid:public_id>/", views.building_occupants, name="building"),
    path("dwellings/<uuid:public_id>/", ownership_views.dwelling_detail, name="dwelling"),
    path("dwelling-options/", views.dwelling_options, name="dwelling_options"),
]
