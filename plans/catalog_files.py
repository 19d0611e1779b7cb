"""Reading a catalog folder and Minnesota's rating-area file, checking every row before anything is written.

A catalog folder holds three files (the shipped sample under plans/data/sample/<year>/, and a real rate
filing put in the same shape):

- `catalog.toml`: `year`, `market` ("individual" or "small_group"), `is_sample` (true or false) and `source`
  (where the plans and rates come from, shown to staff and users);
- `issuers.csv`: `hios_id`, `name`;
- `plans.csv`: one row per plan per rating area it is offered in: `plan_id`, `issuer_hios_id`, `rating_area`,
  `name`, `metal_level`, `network_type`, `deductible`, `oop_max`, `base_rate`, `tobacco_factor`, and optionally
  `crosswalk`: the issuer's crosswalk, the next plan year's plan id its enrollees are renewed into when this plan id
  is not offered again (empty: none named; 45 CFR 155.335(j)).

In the CSV files a line starting with "#" is a comment and blank lines are skipped; a value cannot span
lines. Line numbers in messages are the file's own, comments included, so an editor finds the line.
Nothing here touches the database: `plans.services` writes what this module has accepted.
"""

import csv
import hashlib
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .models import RATING_AREAS, TOBACCO_FACTOR_CAP, Market, MetalLevel, NetworkType

DATA = Path(__file__).resolve().parent / "data"
RATING_AREAS_CSV = DATA / "rating_areas.csv"
SAMPLE_ROOT = DATA / "sample"

CATALOG_FILE = "catalog.toml"
ISSUERS_FILE = "issuers.csv"
PLANS_FILE = "plans.csv"
ISSUER_COLUMNS = ("hios_id", "name")
PLAN_COLUMNS = (
    "plan_id",
    "issuer_hios_id",
    "rating_area",
    "name",
    "metal_level",
    "network_type",
    "deductible",
    "oop_max",
    "base_rate",
    "tobacco_factor",
)
PLAN_OPTIONAL_COLUMNS = ("crosswalk",)
# A plan's design is the same in every area it is offered in; only its rate (and tobacco factor) may differ.
PLAN_DESIGN = ("issuer_hios_id", "name", "metal_level", "network_type", "deductible", "oop_max")

HIOS_ISSUER = re.compile(r"[0-9]{5}")
HIOS_PLAN = re.compile(r"[0-9]{5}[A-Z]{2}[0-9]{7}")
WHOLE_DOLLARS = re.compile(r"[0-9]+")
DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # no exponent, no NaN, no digit separators
MAX_WHOLE_DOLLARS = 2_147_483_647  # the column's limit
MAX_BASE_RATE = Decimal("99999999.99")  # Decimal(10, 2)
ISSUER_NAME_LENGTH = 120
PLAN_NAME_LENGTH = 150
YEARS = range(2014, 2100)


class CatalogImportError(Exception):
    """The files were refused; `errors` says, one message each, which file, line and field and why."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class CatalogHeader:
    year: int
    market: str
    is_sample: bool
    source: str


@dataclass(frozen=True)
class IssuerRow:
    line: int
    hios_id: str
    name: str


@dataclass(frozen=True)
class PlanRow:
    line: int
    plan_id: str
    issuer_hios_id: str
    rating_area: int
    name: str
    metal_level: str
    network_type: str
    deductible: int
    oop_max: int
    base_rate: Decimal
    tobacco_factor: Decimal
    crosswalk_plan_id: str = ""  # the optional `crosswalk` column


@dataclass(frozen=True)
class CatalogFiles:
    header: CatalogHeader
    issuers: tuple[IssuerRow, ...]
    plans: tuple[PlanRow, ...]
    checksum: str  # SHA-256 of the three files, each preceded by its name, in the order above


@dataclass(frozen=True)
class CountyRatingArea:
    county_fips: str
    county_name: str
    rating_area: int


def sample_folders() -> list[Path]:
    """The shipped sample catalogs, oldest year first."""
    return sorted(path.parent for path in SAMPLE_ROOT.glob(f"*/{CATALOG_FILE}"))


def read_catalog_folder(folder: Path) -> CatalogFiles:
    """The folder's catalog, every row checked; CatalogImportError lists every problem found."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CatalogImportError([f"{folder}: no such folder"])
    missing = [name for name in (CATALOG_FILE, ISSUERS_FILE, PLANS_FILE) if not (folder / name).is_file()]
    if missing:
        raise CatalogImportError([f"{name}: not found in {folder}" for name in missing])
    contents = {name: (folder / name).read_bytes() for name in (CATALOG_FILE, ISSUERS_FILE, PLANS_FILE)}
    errors: list[str] = []
    header = _read_header(contents[CATALOG_FILE], errors)
    issuers = _read_issuers(contents[ISSUERS_FILE], errors)
    plans = _read_plans(contents[PLANS_FILE], {issuer.hios_id for issuer in issuers}, errors)
    if errors:
        raise CatalogImportError(errors)
    digest = hashlib.sha256()
    for name, content in contents.items():
        digest.update(name.encode() + b"\0" + content)
    return CatalogFiles(header=header, issuers=tuple(issuers), plans=tuple(plans), checksum=digest.hexdigest())


def read_rating_areas(path: Path = RATING_AREAS_CSV) -> list[CountyRatingArea]:
    """Each Minnesota county's rating area (plans/data/rating_areas.csv), checked."""
    errors: list[str] = []
    rows = []
    seen: dict[str, int] = {}
    for line, row in _csv_rows(path.name, path.read_bytes(), ("county_fips", "county_name", "rating_area"), errors):
        fips, name, area = row["county_fips"], row["county_name"], row["rating_area"]
        if not re.fullmatch(r"27[0-9]{3}", fips):
            errors.append(f"{path.name} line {line}: county_fips {fips!r} is not a Minnesota county FIPS code")
        elif fips in seen:
            errors.append(f"{path.name} line {line}: county {fips} is already on line {seen[fips]}")
        seen.setdefault(fips, line)
        number = _rating_area(path.name, line, area, errors)
        if number is not None:
            rows.append(CountyRatingArea(county_fips=fips, county_name=name, rating_area=number))
    if errors:
        raise CatalogImportError(errors)
    return rows


# --- catalog.toml --------------------------------------------------------------------------------


def _read_header(content: bytes, errors: list[str]) -> CatalogHeader | None:
    where = CATALOG_FILE
    try:
        data = tomllib.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        errors.append(f"{where}: not UTF-8 text")
        return None
    except tomllib.TOMLDecodeError as exc:
        errors.append(f"{where}: not valid TOML ({exc})")
        return None
    before = len(errors)
    expected = ("year", "market", "is_sample", "source")
    for key in expected:
        if key not in data:
            errors.append(f"{where}: {key} is missing")
    for key in data:
        if key not in expected:
            errors.append(f"{where}: unknown key {key!r} (expected {', '.join(expected)})")
    year, market, is_sample, source = (data.get(key) for key in expected)
    if "year" in data and (type(year) is not int or year not in YEARS):
        errors.append(f"{where}: year {year!r} is not a plan year from {YEARS.start} to {YEARS.stop - 1}")
    if "market" in data and market not in Market.values:
        errors.append(f"{where}: market {market!r} is not one of {', '.join(Market.values)}")
    if "is_sample" in data and type(is_sample) is not bool:
        errors.append(f"{where}: is_sample {is_sample!r} must be true or false")
    if "source" in data and (not isinstance(source, str) or not source.strip()):
        errors.append(f"{where}: source must say where the plans and rates come from")
    if len(errors) > before:
        return None
    return CatalogHeader(year=year, market=market, is_sample=is_sample, source=source.strip())


# --- issuers.csv ---------------------------------------------------------------------------------


def _read_issuers(content: bytes, errors: list[str]) -> list[IssuerRow]:
    where = ISSUERS_FILE
    issuers = []
    seen: dict[str, int] = {}
    for line, row in _csv_rows(where, content, ISSUER_COLUMNS, errors):
        hios_id, name = row["hios_id"], row["name"]
        at = f"{where} line {line}"
        ok = True
        if not HIOS_ISSUER.fullmatch(hios_id):
            errors.append(f"{at}: hios_id {hios_id!r} is not a 5-digit HIOS issuer id")
            ok = False
        elif hios_id in seen:
            errors.append(f"{at}: issuer {hios_id} is already on line {seen[hios_id]}")
            ok = False
        if not name:
            errors.append(f"{at}: name is empty")
            ok = False
        elif len(name) > ISSUER_NAME_LENGTH:
            errors.append(f"{at}: name is longer than {ISSUER_NAME_LENGTH} characters")
            ok = False
        seen.setdefault(hios_id, line)
        if ok:
            issuers.append(IssuerRow(line=line, hios_id=hios_id, name=name))
    if not issuers and not any(error.startswith(where) for error in errors):
        errors.append(f"{where}: no issuers")
    return issuers


# --- plans.csv -----------------------------------------------------------------------------------


def _read_plans(content: bytes, issuer_ids: set[str], errors: list[str]) -> list[PlanRow]:
    where = PLANS_FILE
    plans: list[PlanRow] = []
    first_line: dict[tuple[str, int], int] = {}
    designs: dict[str, tuple[int, dict[str, object]]] = {}
    for line, row in _csv_rows(where, content, PLAN_COLUMNS, errors, optional=PLAN_OPTIONAL_COLUMNS):
        plan = _plan_row(line, row, issuer_ids, errors)
        if plan is None:
            continue
        at = f"{where} line {line}"
        key = (plan.plan_id, plan.rating_area)
        if key in first_line:
            errors.append(
                f"{at}: plan {plan.plan_id} in rating area {plan.rating_area} is already on line {first_line[key]}"
            )
            continue
        first_line[key] = line
        design = {field: getattr(plan, field) for field in PLAN_DESIGN}
        if plan.plan_id in designs:
            other_line, other = designs[plan.plan_id]
            differences = [field for field in PLAN_DESIGN if design[field] != other[field]]
            if differences:
                for field in differences:
                    errors.append(
                        f"{at}: {field} {design[field]} of plan {plan.plan_id} differs from line {other_line} "
                        f"({other[field]}): a plan has one design in every rating area"
                    )
                continue
        else:
            designs[plan.plan_id] = (line, design)
        plans.append(plan)
    if not plans and not any(error.startswith(where) for error in errors):
        errors.append(f"{where}: no plans")
    return plans


def _plan_row(line: int, row: dict[str, str], issuer_ids: set[str], errors: list[str]) -> PlanRow | None:
    at = f"{PLANS_FILE} line {line}"
    before = len(errors)
    plan_id, issuer = row["plan_id"], row["issuer_hios_id"]
    if not HIOS_PLAN.fullmatch(plan_id):
        errors.append(
            f"{at}: plan_id {plan_id!r} is not a HIOS plan id (5-digit issuer id, state, 3-digit product, "
            "4-digit plan, e.g. 31616MN0010001)"
        )
    elif plan_id[5:7] != "MN":
        errors.append(f"{at}: plan_id {plan_id} is not a Minnesota plan (its state letters are {plan_id[5:7]})")
    if issuer not in issuer_ids:
        errors.append(f"{at}: issuer_hios_id {issuer!r} is not in {ISSUERS_FILE}")
    elif HIOS_PLAN.fullmatch(plan_id) and not plan_id.startswith(issuer):
        errors.append(f"{at}: plan_id {plan_id} does not begin with its issuer's HIOS id {issuer}")
    rating_area = _rating_area(PLANS_FILE, line, row["rating_area"], errors)
    name = row["name"]
    if not name:
        errors.append(f"{at}: name is empty")
    elif len(name) > PLAN_NAME_LENGTH:
        errors.append(f"{at}: name is longer than {PLAN_NAME_LENGTH} characters")
    metal_level, network_type = row["metal_level"], row["network_type"]
    if metal_level not in MetalLevel.values:
        errors.append(f"{at}: metal_level {metal_level!r} is not one of {', '.join(MetalLevel.values)}")
    if network_type not in NetworkType.values:
        errors.append(f"{at}: network_type {network_type!r} is not one of {', '.join(NetworkType.values)}")
    deductible = _whole_dollars(at, "deductible", row["deductible"], errors)
    oop_max = _whole_dollars(at, "oop_max", row["oop_max"], errors)
    if deductible is not None and oop_max is not None and deductible > oop_max:
        errors.append(f"{at}: deductible {deductible} is above oop_max {oop_max}")
    base_rate = _base_rate(at, row["base_rate"], errors)
    tobacco_factor = _tobacco_factor(at, row["tobacco_factor"], errors)
    crosswalk = row.get("crosswalk", "")
    if crosswalk and not HIOS_PLAN.fullmatch(crosswalk):
        errors.append(f"{at}: crosswalk {crosswalk!r} is not a HIOS plan id (or empty: no plan named)")
    elif crosswalk and crosswalk[5:7] != "MN":
        errors.append(f"{at}: crosswalk {crosswalk} is not a Minnesota plan (its state letters are {crosswalk[5:7]})")
    if len(errors) > before:
        return None
    return PlanRow(
        line=line,
        plan_id=plan_id,
        issuer_hios_id=issuer,
        rating_area=rating_area,
        name=name,
        metal_level=metal_level,
        network_type=network_type,
        deductible=deductible,
        oop_max=oop_max,
        base_rate=base_rate,
        tobacco_factor=tobacco_factor,
        crosswalk_plan_id=crosswalk,
    )


def _rating_area(where: str, line: int, value: str, errors: list[str]) -> int | None:
    if value.isascii() and value.isdigit() and int(value) in RATING_AREAS:
        return int(value)
    errors.append(
        f"{where} line {line}: rating_area {value!r} is not a Minnesota rating area "
        f"({RATING_AREAS.start} to {RATING_AREAS.stop - 1})"
    )
    return None


def _whole_dollars(at: str, field: str, value: str, errors: list[str]) -> int | None:
    if not (value.isascii() and WHOLE_DOLLARS.fullmatch(value)):
        errors.append(f"{at}: {field} {value!r} is not whole dollars (digits only, e.g. 4500)")
        return None
    if int(value) > MAX_WHOLE_DOLLARS:
        errors.append(f"{at}: {field} {value} is too large")
        return None
    return int(value)


def _decimal(value: str) -> Decimal | None:
    if not (value.isascii() and DECIMAL.fullmatch(value)):
        return None
    return Decimal(value)


def _base_rate(at: str, value: str, errors: list[str]) -> Decimal | None:
    number = _decimal(value)
    if number is None:
        errors.append(f"{at}: base_rate {value!r} is not an amount in dollars and cents (e.g. 412.37)")
    elif number <= 0:
        errors.append(f"{at}: base_rate {value} is not a monthly premium above $0")
    elif number.as_tuple().exponent < -2:
        errors.append(f"{at}: base_rate {value} has more than 2 decimal places")
    elif number > MAX_BASE_RATE:
        errors.append(f"{at}: base_rate {value} is too large")
    else:
        return number.quantize(Decimal("0.01"))
    return None


def _tobacco_factor(at: str, value: str, errors: list[str]) -> Decimal | None:
    number = _decimal(value)
    if number is None:
        errors.append(f"{at}: tobacco_factor {value!r} is not a number (1.000 means no tobacco surcharge)")
    elif number > TOBACCO_FACTOR_CAP:
        errors.append(f"{at}: tobacco_factor {value} is above the federal cap of {TOBACCO_FACTOR_CAP.normalize()}")
    elif number < 1:
        errors.append(f"{at}: tobacco_factor {value} is below 1 (1.000 means no tobacco surcharge)")
    elif number.as_tuple().exponent < -3:
        errors.append(f"{at}: tobacco_factor {value} has more than 3 decimal places")
    else:
        return number.quantize(Decimal("0.001"))
    return None


# --- CSV -----------------------------------------------------------------------------------------


def _csv_rows(
    where: str, content: bytes, columns: tuple[str, ...], errors: list[str], *, optional: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data line, values stripped; the header must name exactly `columns`, and may name
    any of `optional` (a row has "" for an optional column the file does not have)."""
    try:
        text = content.decode("utf-8-sig")  # a byte-order mark, as spreadsheets write, is not part of the header
    except UnicodeDecodeError:
        errors.append(f"{where}: not UTF-8 text")
        return
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        errors.append(f"{where}: no header line (expected {','.join(columns)})")
        return
    header_line, header_text = lines[0]
    header = [name.strip() for name in next(csv.reader([header_text]))]
    missing = [name for name in columns if name not in header]
    unknown = [name for name in header if name not in columns and name not in optional]
    doubled = sorted({name for name in header if header.count(name) > 1})
    if missing:
        errors.append(f"{where} line {header_line}: missing column(s) {', '.join(missing)}")
    if unknown:
        errors.append(f"{where} line {header_line}: unknown column(s) {', '.join(unknown)}")
    if doubled:
        errors.append(f"{where} line {header_line}: column(s) {', '.join(doubled)} appear more than once")
    if missing or unknown or doubled:
        return
    for number, line in lines[1:]:
        values = next(csv.reader([line]))
        if len(values) != len(header):
            errors.append(f"{where} line {number}: {len(values)} values for {len(header)} columns")
            continue
        row = dict.fromkeys(optional, "")
        row.update({name: value.strip() for name, value in zip(header, values, strict=True)})
        yield number, row
