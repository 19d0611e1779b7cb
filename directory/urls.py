from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("map.svg", views.map_svg, name="map"),
    path("results.csv", views.results_csv, name="csv"),
    path("assisters/<str:assister_id>/", views.assister_detail, name="assister"),
    path("agencies/<uuid:public_id>/", views.agency_detail, name="agency"),
]
