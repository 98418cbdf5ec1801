from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("", views.home, name="home"),
    path("export.xlsx", views.export, name="export"),
    path("new/", views.volunteer_new, name="volunteer_new"),
    path("v/<uuid:public_id>/", views.volunteer_detail, name="volunteer_detail"),
    path("v/<uuid:public_id>/<slug:action>/", views.volunteer_action, name="volunteer_action"),
    path("proofs/<uuid:public_id>.pdf", views.proof_download, name="proof_download"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<uuid:public_id>/", views.activity_detail, name="activity_detail"),
    path("activities/<uuid:public_id>/<slug:event>/", views.activity_event, name="activity_event"),
    path("signups/<uuid:public_id>/<slug:action>/", views.signup_action, name="signup_action"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/<uuid:public_id>/answer/", views.correction_answer, name="correction_answer"),
]
