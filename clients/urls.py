from django.urls import path

from . import views

app_name = "clients"
urlpatterns = [
    path("clients/", views.dashboard, name="dashboard"),
    path("clients/requests/", views.request_list, name="requests"),
    path("clients/requests/<uuid:public_id>/consent/", views.record_consent, name="record_consent"),
    path("clients/find/", views.find, name="find"),
    path("clients/new/", views.create_on_behalf, name="create_on_behalf"),
    path("clients/associations/<uuid:public_id>/release/", views.release, name="release"),
    path("clients/<uuid:public_id>/", views.detail, name="detail"),
    path("claim/<str:token>/", views.claim, name="claim"),
]
