from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/data/", views.data_note, name="data_note"),
]
