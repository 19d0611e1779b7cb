"""core.geo: ZIP codes and cities to places, distances, bounding boxes and the county map.

Pure functions over the files in core/data/geo: no database needed.
"""

import csv
import math
from pathlib import Path

import pytest
from django.utils import translation

from core import geo

COUNTIES_CSV = Path(__file__).resolve().parents[2] / "core" / "data" / "mn_counties.csv"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def law_of_cosines_miles(lat1, lon1, lat2, lon2):
    """Great-circle distance by the spherical law of cosines: an independent check on haversine_miles."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    cos_angle = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(math.radians(lon2 - lon1))
    return 3958.8 * math.acos(max(-1.0, min(1.0, cos_angle)))


def destination(lat, lon, bearing_degrees, miles):
    """The point `miles` from (lat, lon) along the initial bearing (direct geodesic problem on a sphere)."""
    angle = miles / geo.EARTH_RADIUS_MILES
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing_degrees)
    phi2 = math.asin(math.sin(phi) * math.cos(angle) + math.cos(phi) * math.sin(angle) * math.cos(theta))
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(angle) * math.cos(phi), math.cos(angle) - math.sin(phi) * math.sin(phi2)
    )
    return math.degrees(phi2), math.degrees(lam2)


# --- distances ---------------------------------------------------------------


def test_earth_radius():
    assert geo.EARTH_RADIUS_MILES == 3958.8


def test_haversine_matches_a_published_figure():
    # Rosetta Code, "Haversine formula": Nashville BNA (36.12, -86.67) to Los Angeles LAX (33.94, -118.40)
    # is 2887.2599506071106 km with an Earth radius of 6372.8 km. Scale our miles back to that radius.
    miles = geo.haversine_miles(36.12, -86.67, 33.94, -118.40)
    assert miles * 6372.8 / geo.EARTH_RADIUS_MILES == pytest.approx(2887.2599506071106, abs=1e-6)


# ZIP code centres as mn_zip_codes.csv gives them, and the distance between them computed
# separately with the spherical law of cosines (R = 3958.8 mi). A rough flat-earth check of the
# first: 0.0323° of latitude × 69.09 mi = 2.23 mi north–south, 0.1781° of longitude × 69.09 ×
# cos 45° = 8.70 mi east–west, √(2.23² + 8.70²) = 8.98 mi.
ZIP_PAIRS = [
    ("55401", (44.9835, -93.2683), "55101", (44.9512, -93.0902), 8.99),  # Minneapolis – Saint Paul
    ("55401", (44.9835, -93.2683), "55802", (46.7685, -92.0865), 135.80),  # Minneapolis – Duluth
    ("55401", (44.9835, -93.2683), "55901", (44.0496, -92.4896), 75.07),  # Minneapolis – Rochester
    ("56560", (46.8677, -96.7572), "55802", (46.7685, -92.0865), 220.91),  # Moorhead – Duluth
]


@pytest.mark.parametrize(("zip_a", "coords_a", "zip_b", "coords_b", "expected"), ZIP_PAIRS)
def test_distance_between_zip_codes(zip_a, coords_a, zip_b, coords_b, expected):
    a, b = geo.locate_zip(zip_a), geo.locate_zip(zip_b)
    assert (a.latitude, a.longitude) == coords_a
    assert (b.latitude, b.longitude) == coords_b
    assert law_of_cosines_miles(*coords_a, *coords_b) == pytest.approx(expected, abs=0.01)
    assert geo.haversine_miles(a.latitude, a.longitude, b.latitude, b.longitude) == pytest.approx(expected, abs=0.5)
    assert geo.haversine_miles(b.latitude, b.longitude, a.latitude, a.longitude) == pytest.approx(expected, abs=0.5)


def test_distance_to_the_same_point_is_zero():
    assert geo.haversine_miles(44.9835, -93.2683, 44.9835, -93.2683) == 0


# --- find_place: ZIP codes -----------------------------------------------------


@pytest.mark.parametrize("text", ["55401", "55401-1234", "  55401 "])
def test_find_place_by_zip_code(text):
    place = geo.find_place(text)
    assert place == geo.Place(
        label="55401 (Minneapolis)",
        zip_code="55401",
        city="Minneapolis",
        county_fips="27053",
        latitude=44.9835,
        longitude=-93.2683,
    )


def test_moorhead_on_the_border_is_minnesota():
    place = geo.find_place("56560")
    assert place.city == "Moorhead"
    assert place.county_fips == "27027"  # Clay


def test_fargo_across_the_river_is_north_dakota():
    with pytest.raises(geo.PlaceError) as caught:
        geo.find_place("58102")
    assert caught.value.message == (
        "58102 is a North Dakota ZIP code. This directory lists assisters in Minnesota: "
        "enter a Minnesota ZIP code or city."
    )
    assert str(caught.value) == caught.value.message
    assert caught.value.suggestions == []


def test_other_state_before_a_vowel_reads_an():
    with pytest.raises(geo.PlaceError) as caught:
        geo.find_place("52101")  # Decorah
    assert caught.value.message.startswith("52101 is an Iowa ZIP code. ")


@pytest.mark.parametrize("text", ["55a01", "5540", "554011", "55401-12", "55401 1234", "Duluth 55802", "", "   "])
def test_badly_shaped_zip_code(text):
    with pytest.raises(geo.PlaceError) as caught:
        geo.find_place(text)
    assert caught.value.message == "Enter a 5-digit ZIP code, like 55401, or a Minnesota city."


@pytest.mark.parametrize("text", ["55999", "56599-0001"])
def test_unknown_minnesota_zip_code(text):
    with pytest.raises(geo.PlaceError) as caught:
        geo.find_place(text)
    zip_code = text[:5]
    assert caught.value.message == f"We don't know the ZIP code {zip_code}. Check it, or enter your city."


def test_place_error_is_a_value_error():
    assert issubclass(geo.PlaceError, ValueError)


# --- find_place: cities --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("st paul", "Saint Paul"),
        ("Saint Paul", "Saint Paul"),
        ("ST. PAUL, MN", "Saint Paul"),
        ("  saint   PAUL ", "Saint Paul"),
        ("ST. CLOUD, MN", "Saint Cloud"),
        ("St Cloud Minnesota", "Saint Cloud"),
        ("duluth", "Duluth"),
        ("Duluth, Minn.", "Duluth"),
        ("st louis park", "Saint Louis Park"),
    ],
)
def test_find_place_by_city(text, label):
    place = geo.find_place(text)
    assert place.label == place.city == label
    assert place.zip_code == ""


def test_city_is_the_average_of_its_zip_codes_and_their_most_common_county():
    with (geo.DATA_DIR / "mn_zip_codes.csv").open(newline="", encoding="utf-8") as f:
        rows = [row for row in csv.DictReader(f) if row["city"] == "Duluth" and row["type"] == "STANDARD"]
    assert len(rows) > 5
    place = geo.find_place("Duluth")
    assert place.latitude == pytest.approx(sum(float(r["latitude"]) for r in rows) / len(rows), abs=1e-4)
    assert place.longitude == pytest.approx(sum(float(r["longitude"]) for r in rows) / len(rows), abs=1e-4)
    assert place.county_fips == "27137"  # St. Louis


def test_city_known_to_usps_only_as_an_alternative_name():
    # Eagan's ZIP codes are "Saint Paul" to USPS, with Eagan an accepted alternative.
    place = geo.find_place("Eagan")
    assert place.label == "Eagan"
    assert place.county_fips == "27037"  # Dakota
    assert geo.haversine_miles(place.latitude, place.longitude, 44.83, -93.17) < 5


def test_usps_abbreviation_finds_the_full_name():
    assert geo.find_place("Intl Falls").label == "International Falls"


def test_unknown_city():
    with pytest.raises(geo.PlaceError) as caught:
        geo.find_place("Gotham  City")
    assert caught.value.message == "We couldn't find a Minnesota city called “Gotham City”."


def test_misspelt_city_gets_suggestions():
    with pytest.raises(geo.PlaceError) as caught:
        geo.find_place("Dulth")
    assert caught.value.message == "We couldn't find a Minnesota city called “Dulth”."
    assert caught.value.suggestions[0] == "Duluth"
    assert 1 <= len(caught.value.suggestions) <= 3


def test_suggestions_are_full_names():
    with pytest.raises(geo.PlaceError) as caught:
        geo.find_place("Brooklyn Cntr")
    assert "Brooklyn Center" in caught.value.suggestions
    assert "Brooklyn Ctr" not in caught.value.suggestions


# --- locate_zip ----------------------------------------------------------------


def test_locate_zip():
    assert geo.locate_zip("55802").city == "Duluth"
    assert geo.locate_zip(" 55802-1234 ").zip_code == "55802"
    assert geo.locate_zip("58102") is None  # North Dakota
    assert geo.locate_zip("55999") is None
    assert geo.locate_zip("Duluth") is None
    assert geo.locate_zip("") is None


# --- bounding_box --------------------------------------------------------------


@pytest.mark.parametrize("center", [(44.9835, -93.2683), (49.3453, -95.0627), (43.5, -96.4), (70.0, 20.0)])
@pytest.mark.parametrize("miles", [0.5, 10, 25, 100, 400])
def test_bounding_box_holds_the_whole_circle(center, miles):
    lat_min, lat_max, lon_min, lon_max = geo.bounding_box(*center, miles)
    for bearing in range(0, 360, 45):
        lat, lon = destination(*center, bearing, miles)
        assert geo.haversine_miles(*center, lat, lon) == pytest.approx(miles, rel=1e-9)
        assert lat_min <= lat <= lat_max, bearing
        assert lon_min <= lon <= lon_max, bearing
    # The widest point in longitude is not due east but slightly poleward; check the whole rim finely.
    for tenth in range(3600):
        lat, lon = destination(*center, tenth / 10, miles)
        assert lat_min <= lat <= lat_max
        assert lon_min <= lon <= lon_max


def test_bounding_box_is_not_much_bigger_than_needed():
    lat_min, lat_max, lon_min, lon_max = geo.bounding_box(44.9835, -93.2683, 25)
    one_degree_of_latitude = math.pi * geo.EARTH_RADIUS_MILES / 180  # ≈ 69.09 mi
    assert (lat_max - lat_min) * one_degree_of_latitude == pytest.approx(50, abs=0.01)
    east_west = (lon_max - lon_min) * one_degree_of_latitude * math.cos(math.radians(44.9835))
    assert 50 <= east_west < 50.5


# --- county map ----------------------------------------------------------------


def read_counties():
    with COUNTIES_CSV.open(newline="", encoding="utf-8") as f:
        return {row["fips"]: row["name"] for row in csv.DictReader(f)}


def test_map_has_the_87_counties():
    counties = geo.county_map()["counties"]
    fips = [county["fips"] for county in counties]
    assert len(fips) == 87
    assert len(set(fips)) == 87
    assert {county["fips"]: county["name"] for county in counties} == read_counties()
    for county in counties:
        assert county["d"].startswith("M")
        assert county["d"].endswith("Z")


def test_project_puts_duluth_north_east_of_minneapolis_inside_the_map():
    _, _, width, height = geo.county_map()["view_box"]
    minneapolis = geo.project(44.9835, -93.2683)
    duluth = geo.project(46.7685, -92.0865)
    assert duluth[0] > minneapolis[0]  # east: x grows to the right
    assert duluth[1] < minneapolis[1]  # north: y grows downwards
    for x, y in (minneapolis, duluth):
        assert 0 < x < width
        assert 0 < y < height


def test_every_zip_code_is_on_the_map_in_a_known_county():
    _, _, width, height = geo.county_map()["view_box"]
    counties = read_counties()
    with (geo.DATA_DIR / "mn_zip_codes.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) > 1000
    for row in rows:
        assert row["county_fips"] in counties
        x, y = geo.project(float(row["latitude"]), float(row["longitude"]))
        assert 0 <= x <= width and 0 <= y <= height, row["zip"]


def test_miles_to_px_matches_the_north_south_scale():
    one_degree_of_latitude = math.pi * geo.EARTH_RADIUS_MILES / 180
    assert geo.miles_to_px(one_degree_of_latitude) == pytest.approx(geo.county_map()["projection"]["k"])
    x1, y1 = geo.project(45.0, -93.0)
    x2, y2 = geo.project(45.0 + 10 / one_degree_of_latitude, -93.0)
    assert x1 == x2
    assert y1 - y2 == pytest.approx(geo.miles_to_px(10))
