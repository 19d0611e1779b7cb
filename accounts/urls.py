from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("session/keepalive/", views.keepalive, name="keepalive"),
    path("preferences/", views.preferences, name="preferences"),
]
