from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("settings/", views.preferences, name="preferences"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/retry-failed/", views.deliveries_retry_failed, name="deliveries_retry_failed"),
    path("deliveries/<int:delivery_id>/retry/", views.delivery_retry, name="delivery_retry"),
    path("<uuid:public_id>/open/", views.open_notification, name="open"),
    path("<uuid:public_id>/read/", views.mark_one_read, name="read"),
]
