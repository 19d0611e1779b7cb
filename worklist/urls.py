from django.urls import path

from . import export, views

app_name = "worklist"
urlpatterns = [
    path("worklist/", views.worklist, name="list"),
    path("worklist/remind/", views.remind, name="remind"),
    path("worklist/export.csv", export.export, name="export"),
]
