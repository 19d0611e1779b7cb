"""The catalog importer: a folder loads whole or not at all, a wrong row is named by file, line and field,
and loading the same folder again changes nothing."""

import csv
import io
import shutil
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role
from accounts.tests.factories import UserFactory
from plans.catalog_files import SAMPLE_ROOT
from plans.models import Catalog, Issuer, Market, Plan, RatingArea
from plans.services import CatalogImportError, catalog_import
from plans.tests.factories import load_sample_catalog, make_catalog, plan_row, write_catalog

pytestmark = pytest.mark.django_db

PLAN_FIELDS = ("id", "plan_id", "rating_area__number", "name", "metal_level", "base_rate", "tobacco_factor")


@pytest.fixture
def sample_copy(tmp_path):
    """A copy of the 2026 sample folder to spoil."""
    folder = tmp_path / "2026"
    shutil.copytree(SAMPLE_ROOT / "2026", folder)
    return folder


def set_field(folder, line, field, value, file="plans.csv"):
    """Change one field of one line (numbered as an editor numbers them) of a catalog CSV file."""
    path = folder / file
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([next(text for text in lines if not text.startswith("#"))]))
    values = next(csv.reader([lines[line - 1]]))
    values[header.index(field)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values)
    lines[line - 1] = out.getvalue()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def snapshot():
    return (
        list(Plan.objects.order_by("id").values_list(*PLAN_FIELDS)),
        list(Catalog.objects.order_by("id").values_list("id", "year", "checksum", "loaded_at")),
        list(Issuer.objects.order_by("id").values_list("id", "hios_id", "name")),
        RatingArea.objects.count(),
    )


def refused(folder) -> list[str]:
    with pytest.raises(CatalogImportError) as caught:
        catalog_import(folder=folder)
    return caught.value.errors


# --- Loading ---------------------------------------------------------------------------------------


def test_the_sample_catalog_loads_with_its_issuers_plans_and_rating_areas():
    catalog = load_sample_catalog(2026)
    assert (catalog.year, catalog.market, catalog.is_sample) == (2026, Market.INDIVIDUAL, True)
    assert catalog.source.startswith("Sample catalog made up for the Assister Portal")
    assert len(catalog.checksum) == 64
    assert catalog.plans.count() == 185
    assert Issuer.objects.count() == 5
    assert RatingArea.objects.count() == 9
    plan = Plan.objects.select_related("issuer", "rating_area").get(plan_id="90404MN0010002")
    assert plan.issuer.name == "Quartz Health Plan"
    assert (plan.year, plan.market, plan.rating_area.number) == (2026, Market.INDIVIDUAL, 1)


def test_loading_the_same_folder_again_changes_nothing_but_the_time_it_was_loaded():
    load_sample_catalog(2026)
    before = snapshot()
    load_sample_catalog(2026)
    after = snapshot()
    assert after[0] == before[0]  # the same rows, with the same ids
    assert [row[:3] for row in after[1]] == [row[:3] for row in before[1]]
    assert after[2:] == before[2:]


def test_a_new_version_of_a_years_catalog_replaces_its_plans_and_keeps_the_ids_of_plans_still_offered(tmp_path):
    kept = plan_row(plan_id="90101MN0010001", base_rate="400.00")
    make_catalog(kept, plan_row(plan_id="90101MN0010002"))
    kept_id = Plan.objects.get(plan_id="90101MN0010001").pk
    make_catalog({**kept, "base_rate": "410.00"}, plan_row(plan_id="90303MN0020001", issuer_hios_id="90303"))
    assert sorted(Plan.objects.values_list("plan_id", flat=True)) == ["90101MN0010001", "90303MN0020001"]
    plan = Plan.objects.get(plan_id="90101MN0010001")
    assert (plan.pk, plan.base_rate) == (kept_id, Decimal("410.00"))
    assert Catalog.objects.count() == 1


def test_each_year_and_market_is_its_own_catalog():
    load_sample_catalog(2026)
    load_sample_catalog(2027)
    make_catalog(plan_row(), market=Market.SMALL_GROUP, is_sample=False, source="A small-group filing")
    assert sorted(Catalog.objects.values_list("year", "market")) == [
        (2026, "individual"),
        (2026, "small_group"),
        (2027, "individual"),
    ]
    assert Plan.objects.filter(year=2026, market=Market.INDIVIDUAL).count() == 185
    assert Plan.objects.filter(year=2027, market=Market.INDIVIDUAL).count() == 161
    assert Plan.objects.filter(market=Market.SMALL_GROUP).count() == 1


def test_a_file_in_the_format_with_comments_and_a_byte_order_mark_loads(tmp_path):
    folder = write_catalog(tmp_path / "real", [plan_row()], is_sample=False, source="Rate filing 2026")
    plans = folder / "plans.csv"
    plans.write_bytes(b"\xef\xbb\xbf# a comment\n\n" + plans.read_bytes())
    catalog = catalog_import(folder=folder)
    assert not catalog.is_sample
    assert catalog.plans.count() == 1


# --- Refusals: specific messages, nothing changes --------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("metal_level", "titanium", "plans.csv line 12: metal_level 'titanium' is not one of bronze, silver, gold"),
        ("tobacco_factor", "1.7", "plans.csv line 12: tobacco_factor 1.7 is above the federal cap of 1.5"),
        ("tobacco_factor", "0.9", "plans.csv line 12: tobacco_factor 0.9 is below 1"),
        ("base_rate", "0", "plans.csv line 12: base_rate 0 is not a monthly premium above $0"),
        ("base_rate", "-312.00", "plans.csv line 12: base_rate -312.00 is not a monthly premium above $0"),
        ("base_rate", "312.123", "plans.csv line 12: base_rate 312.123 has more than 2 decimal places"),
        ("base_rate", "abc", "plans.csv line 12: base_rate 'abc' is not an amount in dollars and cents"),
        ("base_rate", "NaN", "plans.csv line 12: base_rate 'NaN' is not an amount in dollars and cents"),
        ("rating_area", "10", "plans.csv line 12: rating_area '10' is not a Minnesota rating area (1 to 9)"),
        ("rating_area", "0", "plans.csv line 12: rating_area '0' is not a Minnesota rating area (1 to 9)"),
        ("issuer_hios_id", "99999", "plans.csv line 12: issuer_hios_id '99999' is not in issuers.csv"),
        ("plan_id", "90101MN001", "plans.csv line 12: plan_id '90101MN001' is not a HIOS plan id"),
        ("plan_id", "90101WI0010001", "plans.csv line 12: plan_id 90101WI0010001 is not a Minnesota plan"),
        ("plan_id", "90303MN0010001", "plans.csv line 12: plan_id 90303MN0010001 does not begin with its issuer's"),
        ("network_type", "HMX", "plans.csv line 12: network_type 'HMX' is not one of HMO, PPO, EPO, POS"),
        ("deductible", "4,500", "plans.csv line 12: deductible '4,500' is not whole dollars"),
        ("deductible", "20000", "plans.csv line 12: deductible 20000 is above oop_max"),
        ("name", "", "plans.csv line 12: name is empty"),
    ],
)
def test_a_wrong_value_is_refused_with_its_file_line_and_field_and_nothing_changes(sample_copy, field, value, message):
    load_sample_catalog(2026)
    before = snapshot()
    set_field(sample_copy, 20, "base_rate", "999.99")  # a good change that must not be applied either
    set_field(sample_copy, 12, field, value)
    errors = refused(sample_copy)
    assert any(error.startswith(message) for error in errors), errors
    assert snapshot() == before


def test_on_an_empty_database_a_refused_folder_creates_nothing(sample_copy):
    set_field(sample_copy, 12, "tobacco_factor", "1.7")
    assert refused(sample_copy) == ["plans.csv line 12: tobacco_factor 1.7 is above the federal cap of 1.5"]
    assert snapshot() == ([], [], [], 0)


def test_a_plan_listed_twice_for_one_area_is_refused(sample_copy):
    plans = sample_copy / "plans.csv"
    lines = plans.read_text(encoding="utf-8").splitlines()
    lines.append(lines[4])  # line 5 again, as line 188
    plans.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan_id, _, area = lines[4].split(",")[:3]
    assert refused(sample_copy) == [f"plans.csv line 188: plan {plan_id} in rating area {area} is already on line 5"]
    assert not Plan.objects.exists()


def test_a_plan_whose_design_differs_between_areas_is_refused(sample_copy):
    set_field(sample_copy, 4, "metal_level", "bronze")  # line 3 and 4 are the same plan in areas 1 and 2
    errors = refused(sample_copy)
    assert errors[0].startswith("plans.csv line 4: metal_level bronze of plan 90101MN0010001 differs from line 3")


@pytest.mark.parametrize("column", ["tobacco_factor", "plan_id", "rating_area"])
def test_a_missing_column_is_refused(sample_copy, column):
    plans = sample_copy / "plans.csv"
    lines = plans.read_text(encoding="utf-8").splitlines()
    header = lines[1].split(",")
    drop = header.index(column)
    lines[1:] = [",".join(v for i, v in enumerate(line.split(",")) if i != drop) for line in lines[1:]]
    plans.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert refused(sample_copy) == [f"plans.csv line 2: missing column(s) {column}"]


def test_an_unknown_column_is_refused(sample_copy):
    plans = sample_copy / "plans.csv"
    lines = plans.read_text(encoding="utf-8").splitlines()
    lines[1:] = [line + ",x" for line in lines[1:]]
    lines[1] = lines[1][:-2] + ",premium"
    plans.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert refused(sample_copy) == ["plans.csv line 2: unknown column(s) premium"]


def test_a_short_line_is_refused(sample_copy):
    plans = sample_copy / "plans.csv"
    lines = plans.read_text(encoding="utf-8").splitlines()
    lines[6] = lines[6].rsplit(",", 1)[0]
    plans.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # The 2026 sample has the optional crosswalk column.
    assert refused(sample_copy) == ["plans.csv line 7: 10 values for 11 columns"]


def test_an_unknown_issuer_line_is_refused_in_issuers_csv(sample_copy):
    set_field(sample_copy, 3, "hios_id", "9010", file="issuers.csv")
    errors = refused(sample_copy)
    assert errors[0] == "issuers.csv line 3: hios_id '9010' is not a 5-digit HIOS issuer id"
    assert any("issuer_hios_id '90101' is not in issuers.csv" in error for error in errors)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'year = 2026\nmarket = "group"\nis_sample = true\nsource = "x"\n',
            "catalog.toml: market 'group' is not one of",
        ),
        ('year = "2026"\nmarket = "individual"\nis_sample = true\nsource = "x"\n', "catalog.toml: year '2026' is not"),
        ('year = 2026\nmarket = "individual"\nsource = "x"\n', "catalog.toml: is_sample is missing"),
        ('year = 2026\nmarket = "individual"\nis_sample = "yes"\nsource = "x"\n', "catalog.toml: is_sample 'yes' must"),
        ('year = 2026\nmarket = "individual"\nis_sample = true\nsource = " "\n', "catalog.toml: source must say"),
        ("year = 2026\nmarket = individual\n", "catalog.toml: not valid TOML"),
    ],
)
def test_a_wrong_catalog_toml_is_refused(sample_copy, toml, message):
    (sample_copy / "catalog.toml").write_text(toml, encoding="utf-8")
    errors = refused(sample_copy)
    assert any(error.startswith(message) for error in errors), errors
    assert not Catalog.objects.exists()


def test_a_folder_without_its_files_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    assert refused(tmp_path / "empty") == [
        f"{name}: not found in {tmp_path / 'empty'}" for name in ("catalog.toml", "issuers.csv", "plans.csv")
    ]
    assert refused(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}: no such folder"]


def test_a_file_that_is_not_utf8_is_refused(sample_copy):
    (sample_copy / "plans.csv").write_bytes("plan_id,name\nx,Caf\u00e9\n".encode("latin-1"))
    assert refused(sample_copy) == ["plans.csv: not UTF-8 text"]


def test_every_problem_is_listed_not_only_the_first(sample_copy):
    set_field(sample_copy, 5, "base_rate", "0")
    set_field(sample_copy, 9, "tobacco_factor", "2")
    set_field(sample_copy, 30, "metal_level", "Silver")
    errors = refused(sample_copy)
    assert [error.split(":")[0] for error in errors] == ["plans.csv line 5", "plans.csv line 9", "plans.csv line 30"]


# --- The management command ------------------------------------------------------------------------


def test_the_command_loads_a_folder_and_says_what_it_loaded():
    out = io.StringIO()
    call_command("import_plans", str(SAMPLE_ROOT / "2026"), stdout=out)
    text = out.getvalue()
    assert "Rating areas: 9, counties: 87." in text
    assert "Loaded 2026 Individual (sample)" in text
    assert "5 issuers, 29 plans in 9 rating areas (185 plan rows:" in text
    assert "fewest silver plans in an area: 6." in text
    assert Plan.objects.count() == 185


def test_the_command_loads_every_sample_year_and_again_without_change():
    call_command("import_plans", "--all-samples", stdout=io.StringIO())
    before = snapshot()[0]
    out = io.StringIO()
    call_command("import_plans", "--all-samples", stdout=out)
    assert "Loaded 2026 Individual (sample)" in out.getvalue()
    assert "Loaded 2027 Individual (sample)" in out.getvalue()
    assert snapshot()[0] == before
    assert sorted(Catalog.objects.values_list("year", flat=True)) == [2026, 2027]


def test_the_command_refuses_a_bad_folder_prints_each_problem_and_changes_nothing(sample_copy):
    set_field(sample_copy, 12, "tobacco_factor", "1.7")
    err = io.StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("import_plans", str(sample_copy), stdout=io.StringIO(), stderr=err)
    assert "plans.csv line 12: tobacco_factor 1.7 is above the federal cap of 1.5" in err.getvalue()
    assert not Catalog.objects.exists()
    assert not RatingArea.objects.exists()


def test_the_command_wants_a_folder_or_all_samples():
    with pytest.raises(CommandError, match="folder or --all-samples"):
        call_command("import_plans", stdout=io.StringIO())
    with pytest.raises(CommandError, match="folder or --all-samples"):
        call_command("import_plans", str(SAMPLE_ROOT / "2026"), "--all-samples", stdout=io.StringIO())


def test_the_staff_member_who_loaded_a_catalog_is_recorded():
    staff = UserFactory(role=Role.STAFF, email="catalog-loader@example.org")
    catalog = catalog_import(folder=SAMPLE_ROOT / "2026", actor=staff)
    assert catalog.loaded_by == staff
    assert load_sample_catalog(2026).loaded_by is None  # a load without an actor (the command) records none


def test_the_shared_sample_catalog_fixture_is_the_2026_sample(sample_catalog):
    assert (sample_catalog.year, sample_catalog.is_sample) == (2026, True)
    assert sample_catalog.plans.count() == 185
