"""Plan catalogs for tests, built the way the portal builds them.

- `load_sample_catalog(year)`: the shipped sample catalog, through the importer (`catalog_import`).
- `make_catalog(*rows, ...)`: a small catalog written as files and loaded through the importer; `plan_row`
  gives a plans.csv row with defaults.
- `make_plan(...)`: one more plan in a year's catalog, on the minimal path: the real models, checked by
  `full_clean` and the database's constraints, without rewriting the catalog's files.
"""

import csv
import itertools
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from plans.catalog_files import ISSUER_COLUMNS, PLAN_COLUMNS, SAMPLE_ROOT
from plans.models import Catalog, Issuer, Market, MetalLevel, Plan
from plans.services import catalog_import, rating_areas_load

ISSUERS = {
    "90101": "Blue Cross and Blue Shield of Minnesota (Blue Plus)",
    "90202": "HealthPartners",
    "90303": "Medica",
    "90404": "Quartz Health Plan",
    "90505": "UCare",
}
HENNEPIN_AREA = 8
_plan_numbers = itertools.count(9001)


def load_sample_catalog(year: int = 2026) -> Catalog:
    """The sample catalog shipped for `year` (2026 or 2027, individual market), loaded by the importer."""
    return catalog_import(folder=SAMPLE_ROOT / str(year))


def plan_row(**fields) -> dict[str, object]:
    """A plans.csv row: a Blue Plus silver HMO in rating area 8 at $400.00, unless told otherwise."""
    issuer = str(fields.get("issuer_hios_id", "90101"))
    row = {
        "plan_id": f"{issuer}MN001{next(_plan_numbers):04d}",
        "issuer_hios_id": issuer,
        "rating_area": HENNEPIN_AREA,
        "name": "Test Silver 3000",
        "metal_level": MetalLevel.SILVER.value,
        "network_type": "HMO",
        "deductible": 3000,
        "oop_max": 9000,
        "base_rate": "400.00",
        "tobacco_factor": "1.000",
    }
    row.update(fields)
    return row


def write_catalog(
    folder: Path,
    rows: Sequence[dict[str, object]],
    *,
    year: int = 2026,
    market: str = Market.INDIVIDUAL,
    is_sample: bool = True,
    source: str = "Test catalog: made-up plans",
    issuers: dict[str, str] = ISSUERS,
) -> Path:
    """A catalog folder (catalog.toml, issuers.csv, plans.csv) with these plan rows."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "catalog.toml").write_text(
        f'year = {year}\nmarket = "{market}"\nis_sample = {"true" if is_sample else "false"}\nsource = "{source}"\n',
        encoding="utf-8",
    )
    with open(folder / "issuers.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(ISSUER_COLUMNS)
        writer.writerows(issuers.items())
    with open(folder / "plans.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=PLAN_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def make_catalog(*rows: dict[str, object], year: int = 2026, market: str = Market.INDIVIDUAL, **header) -> Catalog:
    """The year's catalog replaced by exactly these plan rows (default: one silver plan), through the importer."""
    with tempfile.TemporaryDirectory(prefix="ap-plans-") as tmp:
        folder = write_catalog(Path(tmp), rows or [plan_row()], year=year, market=market, **header)
        return catalog_import(folder=folder)


def make_plan(
    *,
    year: int = 2026,
    market: str = Market.INDIVIDUAL,
    rating_area: int = HENNEPIN_AREA,
    issuer_hios_id: str = "90101",
    plan_id: str | None = None,
    name: str = "Test plan",
    metal_level: str = MetalLevel.SILVER,
    network_type: str = "HMO",
    deductible: int = 3000,
    oop_max: int = 9000,
    base_rate: Decimal | str = "400.00",
    tobacco_factor: Decimal | str = "1.000",
) -> Plan:
    """One more plan in the year's catalog (a sample-labelled catalog is created when there is none)."""
    with transaction.atomic():
        areas = rating_areas_load()
        issuer, _ = Issuer.objects.get_or_create(hios_id=issuer_hios_id, defaults={"name": ISSUERS[issuer_hios_id]})
        catalog, _ = Catalog.objects.get_or_create(
            year=year,
            market=market,
            defaults={"is_sample": True, "source": "Test catalog: made-up plans", "checksum": "0" * 64},
        )
        plan = Plan(
            catalog=catalog,
            year=year,
            market=market,
            plan_id=plan_id or f"{issuer_hios_id}MN001{next(_plan_numbers):04d}",
            issuer=issuer,
            rating_area=areas[rating_area],
            name=name,
            metal_level=metal_level,
            network_type=network_type,
            deductible=deductible,
            oop_max=oop_max,
            base_rate=Decimal(base_rate),
            tobacco_factor=Decimal(tobacco_factor),
        )
        plan.full_clean()
        plan.save(force_insert=True)
    return plan
