"""The issuers' crosswalk (45 CFR 155.335(j); issue 17): the optional `crosswalk` column of plans.csv names the next
plan year's plan each plan's enrollees are renewed into; the importer checks and keeps it, and `next_year_plan`
picks the same plan id next year, else the crosswalk plan, in the same rating area."""

import csv
import shutil

import pytest

from plans.catalog_files import PLAN_COLUMNS, SAMPLE_ROOT
from plans.models import Plan
from plans.selectors import next_year_plan
from plans.services import CatalogImportError, catalog_import
from plans.tests.factories import load_sample_catalog, make_catalog, plan_row, write_catalog

pytestmark = pytest.mark.django_db
METRO, SOUTHEAST = 8, 1


def write_with_crosswalk(folder, rows, *, year=2026):
    """A catalog folder whose plans.csv has the crosswalk column (rows: plan_row() dicts with a "crosswalk" key)."""
    write_catalog(folder, [{k: v for k, v in row.items() if k != "crosswalk"} for row in rows], year=year)
    with open(folder / "plans.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=[*PLAN_COLUMNS, "crosswalk"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def test_the_2026_sample_maps_most_plans_to_a_2027_plan_and_one_to_nothing():
    load_sample_catalog(2026)
    load_sample_catalog(2027)
    plans_2026 = Plan.objects.filter(year=2026)
    crosswalk = dict(plans_2026.values_list("plan_id", "crosswalk_plan_id").distinct())
    offered_2027 = set(Plan.objects.filter(year=2027).values_list("plan_id", flat=True))
    assert crosswalk["90101MN0010004"] == "90101MN0010004"  # offered again: itself
    assert crosswalk["90101MN0010003"] == "90101MN0010002"  # not offered again: the issuer's bronze
    assert crosswalk["90202MN0040006"] == "90202MN0010007"  # to the new HealthPartners silver plan
    assert crosswalk["90505MN0010001"] == ""  # UCare's catastrophic plan: nothing
    mapped = [plan_id for plan_id, target in crosswalk.items() if target in offered_2027]
    assert len(mapped) == len(crosswalk) - 1
    # Every row's target is offered in that row's own rating area next year.
    for plan in plans_2026.exclude(crosswalk_plan_id="").select_related("rating_area"):
        assert Plan.objects.filter(year=2027, plan_id=plan.crosswalk_plan_id, rating_area=plan.rating_area).exists()
    assert not Plan.objects.filter(year=2027).exclude(crosswalk_plan_id="").exists()  # no 2028 sample to map to


def test_a_catalog_without_the_column_loads_with_no_crosswalk():
    make_catalog(plan_row(plan_id="90101MN0019990"))
    assert Plan.objects.get(plan_id="90101MN0019990").crosswalk_plan_id == ""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("90101MN001", "plans.csv line 2: crosswalk '90101MN001' is not a HIOS plan id (or empty: no plan named)"),
        (
            "90101WI0010002",
            "plans.csv line 2: crosswalk 90101WI0010002 is not a Minnesota plan (its state letters are WI)",
        ),
    ],
)
def test_a_wrong_crosswalk_is_refused_with_its_line(tmp_path, value, message):
    folder = write_with_crosswalk(tmp_path / "c", [{**plan_row(), "crosswalk": value}])
    with pytest.raises(CatalogImportError) as caught:
        catalog_import(folder=folder)
    assert caught.value.errors == [message]
    assert not Plan.objects.exists()


def test_loading_a_new_version_updates_the_crosswalk_in_place(tmp_path):
    row = plan_row(plan_id="90101MN0019991")
    catalog_import(folder=write_with_crosswalk(tmp_path / "v1", [{**row, "crosswalk": ""}]))
    plan = Plan.objects.get(plan_id="90101MN0019991")
    catalog_import(folder=write_with_crosswalk(tmp_path / "v2", [{**row, "crosswalk": "90101MN0019992"}]))
    assert Plan.objects.get(pk=plan.pk).crosswalk_plan_id == "90101MN0019992"


def test_next_year_plan_is_the_same_plan_else_the_crosswalk_plan_in_the_same_area_else_none(tmp_path):
    kept, dropped, target, orphan = "90101MN0019993", "90101MN0019994", "90101MN0019995", "90101MN0019996"
    catalog_import(
        folder=write_with_crosswalk(
            tmp_path / "2026",
            [
                {**plan_row(plan_id=kept, rating_area=METRO), "crosswalk": target},  # offered again: itself first
                {**plan_row(plan_id=dropped, rating_area=METRO), "crosswalk": target},
                {**plan_row(plan_id=dropped, rating_area=SOUTHEAST), "crosswalk": target},
                {**plan_row(plan_id=orphan, rating_area=METRO), "crosswalk": ""},
            ],
        )
    )
    make_catalog(
        plan_row(plan_id=kept, rating_area=METRO),
        plan_row(plan_id=target, rating_area=METRO),  # not in the southeast
        year=2027,
    )
    plan = {(p.plan_id, p.rating_area.number): p for p in Plan.objects.filter(year=2026).select_related("rating_area")}
    metro = plan[(kept, METRO)].rating_area_id
    southeast = plan[(dropped, SOUTHEAST)].rating_area_id
    assert next_year_plan(plan[(kept, METRO)], rating_area_id=metro).plan_id == kept
    found = next_year_plan(plan[(dropped, METRO)], rating_area_id=metro)
    assert (found.plan_id, found.year, found.rating_area_id) == (target, 2027, metro)
    assert next_year_plan(plan[(dropped, SOUTHEAST)], rating_area_id=southeast) is None
    assert next_year_plan(plan[(orphan, METRO)], rating_area_id=metro) is None
    assert next_year_plan(plan[(kept, METRO)], rating_area_id=None) is None


def test_the_sample_folder_copy_still_loads_without_the_column(tmp_path):
    folder = tmp_path / "2026"
    shutil.copytree(SAMPLE_ROOT / "2026", folder)
    lines = (folder / "plans.csv").read_text(encoding="utf-8").splitlines()
    (folder / "plans.csv").write_text(
        "\n".join([lines[0], *(line.rsplit(",", 1)[0] for line in lines[1:])]) + "\n", encoding="utf-8"
    )
    catalog = catalog_import(folder=folder)
    assert catalog.plans.count() == 185
    assert not catalog.plans.exclude(crosswalk_plan_id="").exists()
