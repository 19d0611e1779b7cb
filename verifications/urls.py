from django.urls import path

from . import views

app_name = "verifications"
urlpatterns = [
    path("documents/", views.mine, name="mine"),
    path("documents/requests/<uuid:public_id>/", views.detail, name="detail"),
    path("documents/files/<uuid:public_id>/", views.download, name="download"),
]
