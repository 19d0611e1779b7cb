"""The county map (inline and as an image) and the CSV download."""

import csv
import io
import re

import pytest
from django.urls import reverse

from certification.models import AssisterKind
from core import geo

from .factories import list_assister, office

pytestmark = pytest.mark.django_db


def markers(body: str) -> list[tuple[str, str]]:
    """(href, label) of every marker link on the page."""
    return re.findall(r'<a class="directory-map__marker" href="([^"]+)" aria-label="([^"]+)"', body)


def test_results_are_markers_linking_to_their_listings_and_overlaps_are_clustered(client):
    duluth = list_assister(**office("55802", "Duluth"))
    rochester = [list_assister(**office("55901", "Rochester")) for _ in range(3)]
    body = client.get(reverse("directory:search"), {"place": "55401", "radius": "100"}).content.decode()
    found = markers(body)
    assert len(found) == 1  # Duluth is 136 miles away; the three in Rochester share one marker
    href, label = found[0]
    assert label.startswith("3 listings near ZIP code 55901")
    assert "place=55901" in href and "radius=5" in href

    body = client.get(reverse("directory:search"), {"kind": "broker"}).content.decode()  # statewide
    links = dict(markers(body))
    assert reverse("directory:assister", args=[duluth.assister_id]) in links
    assert links[reverse("directory:assister", args=[duluth.assister_id])] == f"{duluth.full_name}: open the listing"
    assert len(rochester) == 3


def test_the_map_draws_87_counties_and_a_county_filters_by_county_served(client):
    served = list_assister(**office("55802"), counties=("Carlton",))
    other = list_assister(**office("55802"))
    body = client.get(reverse("directory:search"), {"place": "55802", "language": "en"}).content.decode()
    county_links = re.findall(r'<a class="directory-map__county" href="([^"]+)" aria-label="([^"]+)"', body)
    assert len(county_links) == 87
    carlton = next(href for href, label in county_links if label.startswith("Carlton County"))
    assert "county=27017" in carlton and "place=55802" in carlton and "language=en" in carlton

    filtered = client.get(carlton.replace("&amp;", "&"))
    names = [listing.name for listing in filtered.context["page"].object_list]
    assert names == [served.full_name]
    assert other.full_name not in names
    assert 'aria-current="true"' in filtered.content.decode()


def test_the_map_shows_the_searched_point_and_radius(client):
    list_assister(**office("55401"))
    body = client.get(reverse("directory:search"), {"place": "55401", "radius": "10"}).content.decode()
    x, y = geo.project(44.9835, -93.2683)
    assert f'cx="{x:.1f}" cy="{y:.1f}" r="{geo.miles_to_px(10):.1f}"' in body


def test_the_map_as_an_image(client, django_assert_max_num_queries):
    list_assister(**office("55401"))
    url = reverse("directory:map")
    client.get(url)
    with django_assert_max_num_queries(2):
        response = client.get(url, {"place": "55401", "radius": "25"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert body.count("<path ") == 87
    assert "with 1 listing. They are shown as 1 marker." in body


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_download_the_results_as_csv(client):
    near = list_assister(AssisterKind.NAVIGATOR, **office("55401"), languages=("es", "en"), hours="Sat 10–2")
    list_assister(**office("55901"))
    response = client.get(reverse("directory:csv"), {"place": "55401", "radius": "25"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mnsure-assisters.csv"'
    (row,) = read_csv(response)
    assert row["Name"] == near.full_name
    assert row["Kind"] == "Navigator"
    assert row["Assister ID"] == near.assister_id
    assert row["Distance (miles)"] == "0.0"
    assert row["ZIP code"] == "55401"
    assert row["Languages"] == "English; Español"
    assert row["Hours"] == "Sat 10–2"


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client):
    list_assister(**office("55401"), hours='=HYPERLINK("http://evil.example")')
    (row,) = read_csv(client.get(reverse("directory:csv"), {"place": "55401"}))
    assert row["Hours"].startswith("'=")


def test_a_csv_for_a_bad_search_says_what_is_wrong(client):
    response = client.get(reverse("directory:csv"), {"place": "55a01"})
    assert response.status_code == 400
    assert "Enter a 5-digit ZIP code" in response.content.decode()


def test_the_csv_is_one_query_however_many_rows(client, django_assert_num_queries):
    for _ in range(6):
        list_assister(**office("55401"))
    client.get(reverse("directory:csv"), {"place": "55401"})  # loads the reference data once per process
    with django_assert_num_queries(1):
        response = client.get(reverse("directory:csv"), {"place": "55401"})
    assert len(read_csv(response)) == 6
