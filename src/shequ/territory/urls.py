from django.urls import path

from . import views

app_name = "territory"
urlpatterns = [
    path("", views.browser, name="browser"),
    path("areas/<str:public_id>/", views.area_detail, name="area"),
    path("areas/<str:public_id>/children/", views.children, name="children"),
    path("areas/<str:public_id>/boundaries.geojson", views.area_boundaries, name="boundaries"),
    path("compounds/<str:public_id>/", views.compound_detail, name="compound"),
    path("buildings/<str:public_id>/", views.building_detail, name="building"),
]
