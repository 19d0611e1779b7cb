"""Every write to the plan catalog: Minnesota's rating areas, and a catalog folder (sample or a real filing).

`catalog_import` reads and checks the whole folder first (plans.catalog_files) and refuses it, with one
message per problem, before anything is written; then it writes everything in one transaction. Loading
the same folder again changes nothing; loading a new version of a year's catalog replaces its plans:
rows for the same plan and area are updated in place (their ids stay, so whatever refers to them keeps
working), new ones are added and plans no longer in the file are removed.
"""

from pathlib import Path

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from core.models import County

from .catalog_files import CatalogImportError, read_catalog_folder, read_rating_areas
from .models import Catalog, Issuer, Plan, RatingArea, RatingAreaCounty

__all__ = ["CatalogImportError", "catalog_import", "rating_areas_load"]

PLAN_FIELDS_UPDATED = (
    "catalog",
    "issuer",
    "name",
    "metal_level",
    "network_type",
    "deductible",
    "oop_max",
    "base_rate",
    "tobacco_factor",
    "crosswalk_plan_id",
)


def rating_areas_load() -> dict[int, RatingArea]:
    """Minnesota's nine rating areas and every county's (plans/data/rating_areas.csv); safe to run again.

    Returns the areas by number. Refuses the file unless it names each of core's counties, by FIPS code and
    name, exactly once.
    """
    rows = read_rating_areas()
    with transaction.atomic():
        counties = {county.fips: county for county in County.objects.all()}
        errors = [
            f"rating_areas.csv: county {row.county_fips} ({row.county_name}) is not a Minnesota county"
            for row in rows
            if row.county_fips not in counties
        ]
        errors += [
            f"rating_areas.csv: county {row.county_fips} is {counties[row.county_fips].name}, not {row.county_name}"
            for row in rows
            if row.county_fips in counties and counties[row.county_fips].name != row.county_name
        ]
        listed = {row.county_fips for row in rows}
        errors += [
            f"rating_areas.csv: {county.name} County ({fips}) has no rating area"
            for fips, county in sorted(counties.items())
            if fips not in listed
        ]
        if errors:
            raise CatalogImportError(errors)
        numbers = sorted({row.rating_area for row in rows})
        RatingArea.objects.bulk_create([RatingArea(number=number) for number in numbers], ignore_conflicts=True)
        areas = {area.number: area for area in RatingArea.objects.filter(number__in=numbers)}
        RatingAreaCounty.objects.bulk_create(
            [RatingAreaCounty(county=counties[row.county_fips], rating_area=areas[row.rating_area]) for row in rows],
            update_conflicts=True,
            unique_fields=["county"],
            update_fields=["rating_area"],
        )
    return areas


def catalog_import(*, folder: Path, actor=None) -> Catalog:
    """Load a catalog folder (catalog.toml, issuers.csv, plans.csv) as its year's and market's catalog.

    Raises CatalogImportError, naming file, line and field, when any row is wrong; nothing is written then.
    """
    files = read_catalog_folder(Path(folder))
    header = files.header
    with transaction.atomic():
        areas = rating_areas_load()
        Issuer.objects.bulk_create(
            [Issuer(hios_id=row.hios_id, name=row.name) for row in files.issuers],
            update_conflicts=True,
            unique_fields=["hios_id"],
            update_fields=["name"],
        )
        issuers = {
            issuer.hios_id: issuer for issuer in Issuer.objects.filter(hios_id__in=[r.hios_id for r in files.issuers])
        }
        catalog, _ = Catalog.objects.select_for_update().update_or_create(
            year=header.year,
            market=header.market,
            defaults={
                "is_sample": header.is_sample,
                "source": header.source,
                "loaded_at": timezone.now(),
                "loaded_by": actor if getattr(actor, "is_authenticated", False) else None,
                "checksum": files.checksum,
            },
        )
        plans = [
            Plan(
                catalog=catalog,
                year=catalog.year,
                market=catalog.market,
                plan_id=row.plan_id,
                issuer=issuers[row.issuer_hios_id],
                rating_area=areas[row.rating_area],
                name=row.name,
                metal_level=row.metal_level,
                network_type=row.network_type,
                deductible=row.deductible,
                oop_max=row.oop_max,
                base_rate=row.base_rate,
                tobacco_factor=row.tobacco_factor,
                crosswalk_plan_id=row.crosswalk_plan_id,
            )
            for row in files.plans
        ]
        for plan in plans:  # the field checks only: the files were checked, the constraints hold the rest
            plan.full_clean(
                exclude=["catalog", "issuer", "rating_area"], validate_unique=False, validate_constraints=False
            )
        Plan.objects.bulk_create(
            plans,
            update_conflicts=True,
            unique_fields=["year", "market", "plan_id", "rating_area"],
            update_fields=PLAN_FIELDS_UPDATED,
        )
        gone = Plan.objects.filter(catalog=catalog).exclude(pk__in=[plan.pk for plan in plans])
        try:
            gone.delete()
        except (ProtectedError, RestrictedError) as exc:
            kept = sorted({f"{plan.plan_id} in {plan.rating_area}" for plan in gone.select_related("rating_area")})
            raise CatalogImportError(
                [f"plans.csv: plan {plan} is not in the file but is still in use ({exc.args[0]})" for plan in kept]
            ) from exc
    return catalog
