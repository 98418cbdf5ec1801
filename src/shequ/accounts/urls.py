from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.login_otp, name="login_otp"),
    path("logout/", views.logout_view, name="logout"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("password/change/", views.password_change, name="password_change"),
    path("security/", views.security, name="security"),
    path("security/totp/", views.enrol, name="enrol"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<str:public_id>/", views.user_detail, name="user_detail"),
    path("users/<str:public_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<str:public_id>/handover/", views.user_handover, name="user_handover"),
]
