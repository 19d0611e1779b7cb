from django.urls import path, register_converter

from . import views


class AssisterIdConverter:
    """Nine letters and digits (any case); anything else is a 404 before it reaches the database."""

    regex = "[0-9A-Za-z]{9}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AssisterIdConverter, "assister_id")

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("map.svg", views.map_svg, name="map"),
    path("results.csv", views.results_csv, name="csv"),
    path("assisters/<assister_id:assister_id>/", views.assister_detail, name="assister"),
    path("agencies/<uuid:public_id>/", views.agency_detail, name="agency"),
]
