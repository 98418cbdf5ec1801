from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="notice_list"),
    path("new/", views.notice_new, name="notice_new"),
    path("objections/", views.objection_list, name="objection_list"),
    path("objections/<uuid:public_id>/answer/", views.objection_answer, name="objection_answer"),
    path("<uuid:public_id>/", views.notice_detail, name="notice_detail"),
    path("<uuid:public_id>/edit/", views.notice_edit, name="notice_edit"),
    path("<uuid:public_id>/publish/", views.notice_publish, name="notice_publish"),
    path("<uuid:public_id>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("<uuid:public_id>/objections/record/", views.objection_record, name="objection_record"),
    path("<uuid:public_id>/notice.pdf", views.notice_pdf, name="notice_pdf"),
]
