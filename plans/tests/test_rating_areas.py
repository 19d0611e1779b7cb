"""Minnesota's nine rating areas: every county in exactly one, as the reference lists them."""

import pytest
from django.db import IntegrityError, transaction

from core.models import County
from plans.catalog_files import read_rating_areas
from plans.models import RatingArea, RatingAreaCounty
from plans.selectors import rating_area_for_county
from plans.services import rating_areas_load

# The reference, "Plan rating in Minnesota" (from CMS's county-to-rating-area data).
REFERENCE = {
    1: "Dodge, Fillmore, Freeborn, Goodhue, Houston, Mower, Olmsted, Steele, Wabasha, Winona",
    2: "Carlton, Cook, Itasca, Koochiching, Lake, Lake of the Woods, St. Louis",
    3: "Blue Earth, Faribault, Le Sueur, Martin, Nicollet, Rice, Waseca, Watonwan",
    4: "Brown, Cottonwood, Jackson, Lincoln, Murray, Nobles, Pipestone, Redwood, Rock",
    5: "Big Stone, Chippewa, Kandiyohi, Lac qui Parle, Lyon, McLeod, Meeker, Renville, Sibley, Swift, Yellow Medicine",
    6: "Becker, Clay, Douglas, Grant, Otter Tail, Pope, Stevens, Traverse, Wilkin",
    7: "Aitkin, Beltrami, Cass, Chisago, Crow Wing, Hubbard, Isanti, Kanabec, Mille Lacs, Morrison, Pine, Roseau, "
    "Todd, Wadena",
    8: "Anoka, Benton, Carver, Dakota, Hennepin, Ramsey, Scott, Sherburne, Stearns, Washington, Wright",
    9: "Clearwater, Kittson, Mahnomen, Marshall, Norman, Pennington, Polk, Red Lake",
}


@pytest.fixture
def loaded(db):
    return rating_areas_load()


def counties_by_area() -> dict[int, set[str]]:
    by_area: dict[int, set[str]] = {}
    for link in RatingAreaCounty.objects.select_related("county", "rating_area"):
        by_area.setdefault(link.rating_area.number, set()).add(link.county.name)
    return by_area


def test_every_minnesota_county_is_in_exactly_one_rating_area(loaded):
    assert County.objects.count() == 87
    assert RatingAreaCounty.objects.count() == 87
    assert not County.objects.filter(rating_area_county__isnull=True).exists()
    assert sorted(RatingArea.objects.values_list("number", flat=True)) == list(range(1, 10))


def test_each_area_has_the_references_counties(loaded):
    assert counties_by_area() == {number: set(names.split(", ")) for number, names in REFERENCE.items()}


def test_the_nine_areas_have_10_7_8_9_11_9_14_11_and_8_counties(loaded):
    assert [len(counties_by_area()[n]) for n in range(1, 10)] == [10, 7, 8, 9, 11, 9, 14, 11, 8]


def test_the_file_names_each_county_by_its_census_fips_code():
    rows = read_rating_areas()
    assert len({row.county_fips for row in rows}) == 87
    assert {row.county_fips: row.rating_area for row in rows}["27053"] == 8  # Hennepin
    assert {row.county_name: row.rating_area for row in rows}["Olmsted"] == 1


def test_loading_the_rating_areas_again_changes_nothing(loaded):
    before = list(RatingAreaCounty.objects.order_by("county_id").values_list("id", "county_id", "rating_area_id"))
    assert rating_areas_load() == loaded
    after = list(RatingAreaCounty.objects.order_by("county_id").values_list("id", "county_id", "rating_area_id"))
    assert after == before
    assert RatingArea.objects.count() == 9


def test_a_countys_rating_area_is_one_query(loaded, django_assert_num_queries):
    hennepin = County.objects.get(name="Hennepin")
    with django_assert_num_queries(1):
        area = rating_area_for_county(hennepin.pk)
    assert area.number == 8
    assert str(area) == "Rating area 8"


def test_a_county_that_does_not_exist_has_no_rating_area(loaded):
    assert rating_area_for_county(10**9) is None


def test_a_rating_area_outside_1_to_9_is_refused_by_the_database(loaded):
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingArea.objects.create(number=10)
