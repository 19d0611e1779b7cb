"""The benchmark plan: the second-lowest-cost silver plan of the year and rating area (26 CFR 1.36B-3(f)),
found in one query whatever the catalog's size."""

from decimal import Decimal

import pytest

from plans.models import Market, MetalLevel, RatingArea
from plans.pricing import Enrollee, household_premium
from plans.selectors import benchmark, catalog, plans_in_area
from plans.tests.factories import load_sample_catalog, make_catalog, make_plan, plan_row

pytestmark = pytest.mark.django_db

AREA = 8


def area_id(number=AREA):
    return RatingArea.objects.get(number=number).pk


def test_the_benchmark_is_the_second_lowest_silver_plan():
    make_catalog(
        plan_row(plan_id="90101MN0010001", base_rate="410.00"),
        plan_row(plan_id="90303MN0020001", issuer_hios_id="90303", base_rate="380.00"),
        plan_row(plan_id="90505MN0010001", issuer_hios_id="90505", base_rate="395.50"),
        plan_row(plan_id="90202MN0010001", issuer_hios_id="90202", base_rate="450.00"),
        plan_row(plan_id="90202MN0010002", issuer_hios_id="90202", base_rate="300.00", metal_level="bronze"),
    )
    found = benchmark(year=2026, rating_area_id=area_id(), ages=[40])
    assert found.plan.plan_id == "90505MN0010001"
    assert found.premium == Decimal("505.45")  # 395.50 × 1.278 = 505.449


def test_the_benchmark_premium_is_the_households_premium_for_the_ages_given_without_tobacco():
    make_catalog(
        plan_row(base_rate="350.00", tobacco_factor="1.500"),
        plan_row(base_rate="312.99", tobacco_factor="1.500"),
    )
    found = benchmark(year=2026, rating_area_id=area_id(), ages=[40, 38, 12, 10, 8, 3])
    expected = household_premium(
        base_rate=Decimal("350.00"),
        tobacco_factor=Decimal("1.000"),
        enrollees=[Enrollee(age) for age in (40, 38, 12, 10, 8, 3)],
    )
    assert found.premium == expected.total
    assert found.premium == Decimal("447.30") + Decimal("436.10") + 3 * Decimal("311.50")


def test_with_one_silver_plan_that_plan_is_the_benchmark():
    make_catalog(plan_row(plan_id="90101MN0010001"), plan_row(metal_level="gold", base_rate="300.00"))
    assert benchmark(year=2026, rating_area_id=area_id(), ages=[30]).plan.plan_id == "90101MN0010001"


def test_with_no_silver_plan_there_is_no_benchmark():
    make_catalog(plan_row(metal_level="bronze"), plan_row(metal_level="gold"))
    assert benchmark(year=2026, rating_area_id=area_id(), ages=[30]) is None


def test_with_no_catalog_for_the_year_there_is_no_benchmark():
    make_catalog(plan_row(), plan_row())
    assert benchmark(year=2027, rating_area_id=area_id(), ages=[30]) is None
    assert benchmark(year=2026, rating_area_id=area_id(), ages=[30], market=Market.SMALL_GROUP) is None


def test_plans_of_another_area_do_not_count():
    make_catalog(
        plan_row(plan_id="90101MN0010001", base_rate="400.00"),
        plan_row(plan_id="90101MN0010002", base_rate="420.00"),
        plan_row(plan_id="90101MN0010003", base_rate="100.00", rating_area=1),
    )
    assert benchmark(year=2026, rating_area_id=area_id(), ages=[30]).plan.plan_id == "90101MN0010002"


def test_equal_rates_are_ordered_by_plan_id():
    make_catalog(
        plan_row(plan_id="90505MN0010001", issuer_hios_id="90505", base_rate="400.00"),
        plan_row(plan_id="90101MN0010009", base_rate="400.00"),
        plan_row(plan_id="90303MN0020001", issuer_hios_id="90303", base_rate="400.00"),
    )
    found = benchmark(year=2026, rating_area_id=area_id(), ages=[30])
    assert found.plan.plan_id == "90303MN0020001"


def test_the_benchmark_is_one_query_for_a_one_plan_catalog(django_assert_num_queries):
    make_plan(base_rate="400.00")
    rating_area = area_id()
    with django_assert_num_queries(1):
        found = benchmark(year=2026, rating_area_id=rating_area, ages=[40, 38])
        found.plan.issuer.name  # noqa: B018 - what a page shows, without another query
        found.plan.catalog.is_sample  # noqa: B018
    assert found.premium == Decimal("1009.60")  # 400 × 1.278 + 400 × 1.246 = 511.20 + 498.40


@pytest.mark.parametrize("year", [2026, 2027])
def test_the_benchmark_is_one_query_for_the_whole_sample_catalog(django_assert_num_queries, year):
    load_sample_catalog(year)
    for number in range(1, 10):
        rating_area = area_id(number)
        with django_assert_num_queries(1):
            found = benchmark(year=year, rating_area_id=rating_area, ages=[40, 38, 10])
            found.plan.issuer.name  # noqa: B018
        silver = [plan for plan in plans_in_area(year=year, rating_area_id=rating_area) if plan.metal_level == "silver"]
        rates = sorted((plan.base_rate, plan.plan_id) for plan in silver)
        assert (found.plan.base_rate, found.plan.plan_id) == rates[1]
        assert found.plan.metal_level == MetalLevel.SILVER


def test_the_sample_catalog_says_it_is_sample_data():
    load_sample_catalog(2026)
    found = catalog(year=2026)
    assert found.is_sample
    assert "made up" in found.source
    assert catalog(year=2025) is None
