"""Write the sample plan catalog: plans/data/sample/<year>/catalog.toml, issuers.csv and plans.csv.

SAMPLE DATA. The issuers are the five that sell individual plans on MNsure for 2026; their HIOS ids here,
and every plan, plan name, benefit figure and rate, are made up for the Assister Portal.

Run from the repository root:  .venv/bin/python plans/data/sample/build.py  (or --out DIR to write elsewhere).
The output is deterministic (no randomness but a generator seeded by each row's own key), so running it
again writes the same bytes; the files it writes are committed, and a test checks they match this script.
"""

import argparse
import csv
import io
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
YEARS = (2026, 2027)
ALL_AREAS = tuple(range(1, 10))
SOURCE = "Sample catalog made up for the Assister Portal: real issuer names, invented plans and rates"

# The age-21 rate of a typical plan of each metal level in an average area (made up).
METAL_BASE = {
    "catastrophic": Decimal("240"),
    "bronze": Decimal("322"),
    "silver": Decimal("405"),
    "gold": Decimal("478"),
    "platinum": Decimal("575"),
}
# How each rating area's costs compare (made up): the metro (8) cheapest, the north and northwest dearest.
AREA_FACTOR = {
    1: Decimal("1.00"),
    2: Decimal("1.08"),
    3: Decimal("0.98"),
    4: Decimal("1.04"),
    5: Decimal("1.02"),
    6: Decimal("1.03"),
    7: Decimal("1.06"),
    8: Decimal("0.94"),
    9: Decimal("1.10"),
}
# 2026 plausibility bands at age 21 (the brief's): every generated 2026 rate is checked against them.
BANDS_2026 = {
    "catastrophic": (Decimal("180"), Decimal("300")),
    "bronze": (Decimal("280"), Decimal("380")),
    "silver": (Decimal("350"), Decimal("480")),
    "gold": (Decimal("420"), Decimal("560")),
    "platinum": (Decimal("500"), Decimal("680")),
}
PRODUCT = {"HMO": 1, "EPO": 2, "PPO": 3, "POS": 4}  # the 3-digit product part of a plan id, by network type


@dataclass(frozen=True)
class IssuerSpec:
    hios_id: str  # made up
    name: str  # real
    short: str
    series: str  # the made-up plan family name
    areas: tuple[int, ...]
    factor: Decimal  # cost level against the average (made up)
    tobacco_factor: Decimal
    increase_2027: Decimal


@dataclass(frozen=True)
class PlanSpec:
    issuer: str
    seq: int
    metal_level: str
    network_type: str
    deductible: int
    oop_max: int
    variant: Decimal = Decimal("1.00")
    areas: tuple[int, ...] | None = None  # None: every area the issuer serves
    years: tuple[int, ...] = YEARS
    series: str | None = None  # None: the issuer's


ISSUERS = (
    IssuerSpec(
        "90101",
        "Blue Cross and Blue Shield of Minnesota (Blue Plus)",
        "Blue Plus",
        "Northwoods",
        ALL_AREAS,
        Decimal("1.02"),
        Decimal("1.100"),
        Decimal("0.045"),
    ),
    IssuerSpec(
        "90202",
        "HealthPartners",
        "HealthPartners",
        "Lakeside",
        (1, 3, 5, 7, 8),
        Decimal("0.99"),
        Decimal("1.000"),
        Decimal("0.038"),
    ),
    IssuerSpec("90303", "Medica", "Medica", "Prairie", ALL_AREAS, Decimal("1.00"), Decimal("1.150"), Decimal("0.052")),
    IssuerSpec(
        "90404", "Quartz Health Plan", "Quartz", "Driftless", (1,), Decimal("0.97"), Decimal("1.200"), Decimal("0.031")
    ),
    IssuerSpec("90505", "UCare", "UCare", "Loon", ALL_AREAS, Decimal("0.98"), Decimal("1.050"), Decimal("0.041")),
)

PLANS = (
    # Blue Plus: broadly, HMO.
    PlanSpec("90101", 1, "catastrophic", "HMO", 10600, 10600),
    PlanSpec("90101", 2, "bronze", "HMO", 7500, 10000, Decimal("0.98")),
    PlanSpec("90101", 3, "bronze", "HMO", 5500, 9800, Decimal("1.02"), years=(2026,)),
    PlanSpec("90101", 4, "silver", "HMO", 4500, 9500, Decimal("0.98")),
    PlanSpec("90101", 5, "silver", "HMO", 3000, 8900, Decimal("1.02")),
    PlanSpec("90101", 6, "gold", "HMO", 1500, 7000),
    PlanSpec("90101", 7, "platinum", "HMO", 500, 3500, areas=(1, 2, 8)),
    # HealthPartners: the metro and several other areas; a POS network in the metro only.
    PlanSpec("90202", 1, "bronze", "HMO", 7250, 10000),
    PlanSpec("90202", 2, "silver", "HMO", 4750, 9500, Decimal("0.98")),
    PlanSpec("90202", 3, "silver", "HMO", 2750, 8800, Decimal("1.02")),
    PlanSpec("90202", 4, "gold", "HMO", 1250, 6500),
    PlanSpec("90202", 5, "platinum", "POS", 250, 3000, Decimal("1.02"), areas=(8,), series="Cityline"),
    PlanSpec("90202", 6, "silver", "POS", 3500, 9100, Decimal("1.02"), areas=(8,), years=(2026,), series="Cityline"),
    PlanSpec("90202", 7, "silver", "HMO", 3250, 9000, years=(2027,)),
    # Medica: broadly, EPO; a PPO silver in three areas.
    PlanSpec("90303", 1, "bronze", "EPO", 8000, 10000, Decimal("0.98")),
    PlanSpec("90303", 2, "bronze", "EPO", 6000, 9700, Decimal("1.01")),
    PlanSpec("90303", 3, "silver", "EPO", 5000, 9600, Decimal("0.98")),
    PlanSpec("90303", 4, "silver", "EPO", 2500, 8700, Decimal("1.02")),
    PlanSpec("90303", 5, "gold", "EPO", 2000, 7500, Decimal("0.99")),
    PlanSpec("90303", 6, "gold", "EPO", 1000, 6000, Decimal("1.02"), years=(2026,)),
    PlanSpec("90303", 7, "silver", "PPO", 3500, 9000, Decimal("1.02"), areas=(1, 3, 8), series="Bluestem"),
    # Quartz: the southeast only (rating area 1).
    PlanSpec("90404", 1, "bronze", "HMO", 7600, 10000),
    PlanSpec("90404", 2, "silver", "HMO", 4200, 9300, Decimal("0.99")),
    PlanSpec("90404", 3, "silver", "HMO", 2200, 8600, Decimal("1.02"), years=(2026,)),
    PlanSpec("90404", 4, "gold", "HMO", 1600, 7100),
    # UCare: broadly, HMO.
    PlanSpec("90505", 1, "catastrophic", "HMO", 10600, 10600, years=(2026,)),
    PlanSpec("90505", 2, "bronze", "HMO", 7000, 10000),
    PlanSpec("90505", 3, "silver", "HMO", 4000, 9400, Decimal("0.98")),
    PlanSpec("90505", 4, "silver", "HMO", 2000, 8500, Decimal("1.02")),
    PlanSpec("90505", 5, "gold", "HMO", 1750, 7200),
)

# The issuers' crosswalk to the next plan year (made up; 45 CFR 155.335(j)), written in the optional `crosswalk` column of
# every year whose next year is in the sample: a plan offered again maps to itself; a plan not offered again maps to a
# plan of the same issuer and metal level offered in the same areas, except UCare's catastrophic plan, which maps to
# nothing (not offered next year: its enrollees must choose another plan).
CROSSWALK = {
    "90101MN0010003": "90101MN0010002",  # Blue Plus bronze 5500 → bronze 7500
    "90202MN0040006": "90202MN0010007",  # HealthPartners Cityline silver POS → the new Lakeside silver 3250
    "90303MN0020006": "90303MN0020005",  # Medica gold 1000 → gold 2000
    "90404MN0010003": "90404MN0010002",  # Quartz silver 2200 → silver 4200
    "90505MN0010001": "",  # UCare catastrophic: none
}

CATALOG_TOML = """\
# SAMPLE DATA: the plan catalog the Assister Portal ships for plan year {year}, individual market.
# The issuers are real; every plan, plan name, benefit figure and rate in this folder is made up.
# Written by plans/data/sample/build.py: change that script and run it again rather than editing by hand.
year = {year}
market = "individual"
is_sample = true
source = "{source}"
"""
CSV_NOTE = (
    "# SAMPLE DATA for the Assister Portal: real issuer names; the HIOS ids, plans, plan names and rates "
    "are made up. Written by plans/data/sample/build.py."
)
CENT = Decimal("0.01")


def plan_id(spec: PlanSpec) -> str:
    return f"{spec.issuer}MN{PRODUCT[spec.network_type]:03d}{spec.seq:04d}"


def plan_name(issuer: IssuerSpec, spec: PlanSpec) -> str:
    series = spec.series or issuer.series
    network = f" {spec.network_type}" if spec.network_type not in ("HMO",) else ""
    return f"{issuer.short} Sample {series} {spec.metal_level.title()} {spec.deductible}{network}"


def rate_2026(issuer: IssuerSpec, spec: PlanSpec, area: int) -> Decimal:
    # ±1% between areas, from a generator seeded by the row's own key: the same every run.
    jitter = Decimal(random.Random(f"{plan_id(spec)}-{area}").randint(-100, 100)) / Decimal(10000)  # noqa: S311
    rate = METAL_BASE[spec.metal_level] * issuer.factor * AREA_FACTOR[area] * spec.variant * (1 + jitter)
    rate = rate.quantize(CENT, rounding=ROUND_HALF_UP)
    low, high = BANDS_2026[spec.metal_level]
    if not low <= rate <= high:
        raise SystemExit(f"{plan_id(spec)} area {area}: 2026 rate {rate} is outside {low}–{high}")
    return rate


def offered(year: int) -> set[tuple[str, int]]:
    """(plan id, rating area) of every plan offered in `year`."""
    issuers = {issuer.hios_id: issuer for issuer in ISSUERS}
    return {
        (plan_id(spec), area)
        for spec in PLANS
        if year in spec.years
        for area in spec.areas or issuers[spec.issuer].areas
    }


def crosswalk(spec: PlanSpec, year: int, area: int, next_year: set[tuple[str, int]]) -> str:
    """The next year's plan this plan's enrollees in `area` are renewed into ("" for none), checked to be offered there."""
    target = plan_id(spec) if year + 1 in spec.years else CROSSWALK[plan_id(spec)]
    if target and (target, area) not in next_year:
        raise SystemExit(f"{plan_id(spec)} area {area}: crosswalk {target} is not offered there in {year + 1}")
    return target


def rows(year: int) -> list[dict[str, object]]:
    issuers = {issuer.hios_id: issuer for issuer in ISSUERS}
    next_year = offered(year + 1) if year + 1 in YEARS else None
    out = []
    for spec in PLANS:
        if year not in spec.years:
            continue
        issuer = issuers[spec.issuer]
        for area in spec.areas or issuer.areas:
            assert area in issuer.areas, (plan_id(spec), area)
            rate = rate_2026(issuer, spec, area)
            if year == 2027:
                rate = (rate * (1 + issuer.increase_2027)).quantize(CENT, rounding=ROUND_HALF_UP)
            out.append(
                {
                    "plan_id": plan_id(spec),
                    "issuer_hios_id": issuer.hios_id,
                    "rating_area": area,
                    "name": plan_name(issuer, spec),
                    "metal_level": spec.metal_level,
                    "network_type": spec.network_type,
                    "deductible": spec.deductible,
                    "oop_max": spec.oop_max,
                    "base_rate": rate,
                    "tobacco_factor": issuer.tobacco_factor,
                }
            )
            if next_year is not None:
                out[-1]["crosswalk"] = crosswalk(spec, year, area, next_year)
    out.sort(key=lambda row: (row["plan_id"], row["rating_area"]))
    return out


def csv_text(columns: tuple[str, ...], records: list[dict[str, object]]) -> str:
    buffer = io.StringIO()
    buffer.write(CSV_NOTE + "\n")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


def build(out: Path) -> dict[int, int]:
    """Write every year's folder under `out`; returns the number of plan rows per year."""
    counts = {}
    for year in YEARS:
        folder = out / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "catalog.toml").write_text(CATALOG_TOML.format(year=year, source=SOURCE), encoding="utf-8")
        issuers = [{"hios_id": issuer.hios_id, "name": issuer.name} for issuer in ISSUERS]
        (folder / "issuers.csv").write_text(csv_text(("hios_id", "name"), issuers), encoding="utf-8")
        plans = rows(year)
        columns = tuple(plans[0])
        (folder / "plans.csv").write_text(csv_text(columns, plans), encoding="utf-8")
        counts[year] = len(plans)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the sample plan catalog (made-up plans and rates).")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write the year folders in")
    args = parser.parse_args()
    for year, count in build(args.out).items():
        print(f"{args.out / str(year)}: {count} plan rows")


if __name__ == "__main__":
    main()
