from django.urls import path

from . import views

app_name = "votes"
urlpatterns = [
    path("", views.vote_list, name="vote_list"),
    path("new/", views.vote_new, name="vote_new"),
    path("paper/", views.paper_queue, name="paper_queue"),
    path("<uuid:public_id>/", views.vote_detail, name="vote_detail"),
    path("<uuid:public_id>/open/", views.vote_open, name="vote_open"),
    path("<uuid:public_id>/close/", views.vote_close, name="vote_close"),
    path("<uuid:public_id>/paper/", views.paper_new, name="paper_new"),
    path(
        "<uuid:public_id>/paper/<uuid:ballot_id>/<str:decision>/",
        views.paper_decide,
        name="paper_decide",
    ),
    path("<uuid:public_id>/ballots/<uuid:ballot_id>/scan/", views.scan_view, name="scan"),
    path("<uuid:public_id>/proxies/new/", views.proxy_new, name="proxy_new"),
    path("<uuid:public_id>/published/", views.vote_published, name="vote_published"),
    path("<uuid:public_id>/published.json", views.vote_published_json, name="vote_published_json"),
]
