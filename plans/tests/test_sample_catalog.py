"""The shipped sample catalog: made up and saying so everywhere, plausible, and enough silver plans in every
rating area for a benchmark in both plan years."""

import importlib.util
from decimal import Decimal

import pytest
from django.db.models import Count, Max, Min

from plans.catalog_files import SAMPLE_ROOT, sample_folders
from plans.models import Issuer, MetalLevel, Plan
from plans.tests.factories import load_sample_catalog

YEARS = (2026, 2027)


def load_build_script():
    spec = importlib.util.spec_from_file_location("sample_build", SAMPLE_ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_files_are_what_build_py_writes(tmp_path):
    load_build_script().build(tmp_path)
    for year in YEARS:
        for name in ("catalog.toml", "issuers.csv", "plans.csv"):
            assert (tmp_path / str(year) / name).read_bytes() == (SAMPLE_ROOT / str(year) / name).read_bytes(), (
                f"{year}/{name} differs from build.py's output: run .venv/bin/python plans/data/sample/build.py"
            )


def test_there_is_a_sample_catalog_for_2026_and_2027():
    assert [folder.name for folder in sample_folders()] == ["2026", "2027"]


@pytest.mark.parametrize("year", YEARS)
def test_every_file_of_the_sample_says_its_plans_and_rates_are_made_up(year):
    for name in ("catalog.toml", "issuers.csv", "plans.csv"):
        first_line = (SAMPLE_ROOT / str(year) / name).read_text(encoding="utf-8").splitlines()[0]
        assert first_line.startswith("# SAMPLE DATA"), name
    text = (SAMPLE_ROOT / str(year) / "catalog.toml").read_text(encoding="utf-8")
    assert "made up" in text
    assert "is_sample = true" in text
    readme = (SAMPLE_ROOT / "README.md").read_text(encoding="utf-8")
    assert "made-up plans and rates" in readme.lower() or "made up" in readme


@pytest.mark.django_db
@pytest.mark.parametrize("year", YEARS)
def test_every_rating_area_has_at_least_four_silver_plans(year):
    load_sample_catalog(year)
    silver = dict(
        Plan.objects.filter(year=year, metal_level=MetalLevel.SILVER)
        .values_list("rating_area__number")
        .annotate(n=Count("id"))
    )
    assert sorted(silver) == list(range(1, 10))
    assert min(silver.values()) >= 4


@pytest.mark.django_db
@pytest.mark.parametrize("year", YEARS)
def test_every_metal_level_is_offered_and_the_catalog_is_modest(year):
    catalog = load_sample_catalog(year)
    assert set(catalog.plans.values_list("metal_level", flat=True)) == set(MetalLevel.values)
    assert 150 <= catalog.plans.count() <= 300
    assert set(Issuer.objects.values_list("name", flat=True)) == {
        "Blue Cross and Blue Shield of Minnesota (Blue Plus)",
        "HealthPartners",
        "Medica",
        "Quartz Health Plan",
        "UCare",
    }


@pytest.mark.django_db
def test_quartz_is_only_in_the_southeast_and_healthpartners_in_the_metro():
    load_sample_catalog(2026)
    areas = {
        name: set(Plan.objects.filter(issuer__name=name).values_list("rating_area__number", flat=True))
        for name in Issuer.objects.values_list("name", flat=True)
    }
    assert areas["Quartz Health Plan"] == {1}
    assert 8 in areas["HealthPartners"] and len(areas["HealthPartners"]) > 1
    for broad in ("Blue Cross and Blue Shield of Minnesota (Blue Plus)", "Medica", "UCare"):
        assert areas[broad] == set(range(1, 10))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("metal_level", "low", "high"),
    [("bronze", "280", "380"), ("silver", "350", "480"), ("gold", "420", "560"), ("catastrophic", "150", "300")],
)
def test_2026_age_21_rates_are_plausible(metal_level, low, high):
    load_sample_catalog(2026)
    rates = Plan.objects.filter(metal_level=metal_level).aggregate(low=Min("base_rate"), high=Max("base_rate"))
    assert Decimal(low) <= rates["low"] and rates["high"] <= Decimal(high)


@pytest.mark.django_db
def test_2027_rates_are_a_few_percent_higher_and_some_plans_are_not_offered_again():
    load_sample_catalog(2026)
    load_sample_catalog(2027)
    rates = {
        (year, plan_id, area): rate
        for year, plan_id, area, rate in Plan.objects.values_list("year", "plan_id", "rating_area__number", "base_rate")
    }
    increases = [
        rate / rates[(2026, plan_id, area)] - 1
        for (year, plan_id, area), rate in rates.items()
        if year == 2027 and (2026, plan_id, area) in rates
    ]
    assert increases and all(Decimal("0.02") <= increase <= Decimal("0.06") for increase in increases)
    plans_2026 = set(Plan.objects.filter(year=2026).values_list("plan_id", flat=True))
    plans_2027 = set(Plan.objects.filter(year=2027).values_list("plan_id", flat=True))
    assert 3 <= len(plans_2026 - plans_2027) <= 8


@pytest.mark.django_db
def test_every_sample_plan_name_says_sample():
    load_sample_catalog(2026)
    assert not Plan.objects.exclude(name__contains=" Sample ").exists()
