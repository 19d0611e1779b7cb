from django.urls import path

from . import views

app_name = "changes"
urlpatterns = [
    path("changes/", views.mine, name="mine"),
    path("changes/new/", views.report, name="report"),
    path("clients/<uuid:client_id>/changes/new/", views.report_for_client, name="report_for_client"),
    path("changes/<uuid:public_id>/", views.detail, name="detail"),
]
