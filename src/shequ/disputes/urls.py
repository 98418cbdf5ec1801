from django.urls import path

from . import views

app_name = "disputes"
urlpatterns = [
    path("", views.dispute_list, name="dispute_list"),
    path("<uuid:public_id>/", views.dispute_detail, name="dispute_detail"),
    path("<uuid:public_id>/agreement/v<int:version>.pdf", views.agreement_download, name="agreement_download"),
    path("<uuid:public_id>/<slug:action>/", views.dispute_action, name="dispute_action"),
]
