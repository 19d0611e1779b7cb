"""The public directory's listings: certified, opted-in assisters and agencies all over Minnesota.

`build_listings` runs inside `build.build()`'s transaction, after the clients and associations,
with a random generator of its own, so the rows the other benchmarks read are the same as
before it existed. It lists the data set's 200 agencies and 2,000 assisters (who hold the
clients: located at their agency's ZIP code, as the service does for an assister with no office
of their own) and adds directory-only agencies, each with an admin, and their assisters until
there are `scale.directory_listings` listings, `scale.directory_agencies` of them agencies.

Where: each county gets listings in proportion to its population (2020 census), counting the
existing agencies' first, and at least two new ones; within a county every street (STANDARD)
ZIP code is as likely as another, except that a regional centre takes a fixed share of its
county's (Rochester, Duluth, St. Cloud…). Every listing is located exactly as
`certification.services.agencies._locate` locates one: at its office ZIP code's centroid
(`core.geo.locate_zip`), in that ZIP code's county.
"""

import csv
import heapq
import random
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connections
from psycopg import sql

from accounts.models import Role, User
from assister_portal.lib.crypto import lookup_hash
from certification.models import (
    Agency,
    AgencyKind,
    AgencyMembership,
    Assister,
    AssisterKind,
    Certification,
    CertificationEvent,
    IssuedAssisterId,
    MembershipRole,
)
from certification.services.agencies import LOCATION_FIELDS
from core import geo
from core.models import County, Language
from directory.selectors import listed_agencies, listed_assisters
from directory.services import listings_refresh

from .build import (
    ASSISTER_KIND,
    EMAIL_DOMAIN,
    FIRST_NAMES,
    LAST_NAMES,
    PASSWORD,
    SEED,
    Period,
    _assister_ids,
    _copy,
    _reserve_ids,
    _zipf_weights,
    approval_events,
    approved_certification,
)
from .scale import Scale

# Directory-only accounts; not under EMAIL_DOMAIN itself, so the clients' people stay countable by it.
DIRECTORY_EMAIL_DOMAIN = f"directory.{EMAIL_DOMAIN}"

# 2020 census population by county (U.S. Census Bureau, public domain), rounded to hundreds.
COUNTY_POPULATION = {
    "Aitkin": 15_700,
    "Anoka": 363_900,
    "Becker": 35_200,
    "Beltrami": 46_200,
    "Benton": 41_400,
    "Big Stone": 5_200,
    "Blue Earth": 69_100,
    "Brown": 25_900,
    "Carlton": 36_200,
    "Carver": 106_900,
    "Cass": 30_100,
    "Chippewa": 12_600,
    "Chisago": 56_600,
    "Clay": 65_300,
    "Clearwater": 8_500,
    "Cook": 5_600,
    "Cottonwood": 11_500,
    "Crow Wing": 66_100,
    "Dakota": 439_900,
    "Dodge": 20_900,
    "Douglas": 39_000,
    "Faribault": 13_900,
    "Fillmore": 21_200,
    "Freeborn": 30_900,
    "Goodhue": 47_600,
    "Grant": 6_100,
    "Hennepin": 1_281_600,
    "Houston": 18_800,
    "Hubbard": 21_300,
    "Isanti": 41_100,
    "Itasca": 45_000,
    "Jackson": 10_000,
    "Kanabec": 16_000,
    "Kandiyohi": 43_700,
    "Kittson": 4_200,
    "Koochiching": 12_100,
    "Lac qui Parle": 6_700,
    "Lake": 10_900,
    "Lake of the Woods": 3_800,
    "Le Sueur": 28_700,
    "Lincoln": 5_600,
    "Lyon": 25_300,
    "McLeod": 36_800,
    "Mahnomen": 5_400,
    "Marshall": 9_000,
    "Martin": 20_000,
    "Meeker": 23_400,
    "Mille Lacs": 26_500,
    "Morrison": 34_000,
    "Mower": 40_000,
    "Murray": 8_200,
    "Nicollet": 34_500,
    "Nobles": 22_300,
    "Norman": 6_400,
    "Olmsted": 162_800,
    "Otter Tail": 60_100,
    "Pennington": 14_000,
    "Pine": 28_900,
    "Pipestone": 9_400,
    "Polk": 31_200,
    "Pope": 11_300,
    "Ramsey": 552_400,
    "Red Lake": 3_900,
    "Redwood": 15_400,
    "Renville": 14_700,
    "Rice": 67_100,
    "Rock": 9_700,
    "Roseau": 15_300,
    "St. Louis": 200_200,
    "Scott": 150_900,
    "Sherburne": 97_200,
    "Sibley": 14_800,
    "Stearns": 158_300,
    "Steele": 37_400,
    "Stevens": 9_700,
    "Swift": 9_800,
    "Todd": 25_300,
    "Traverse": 3_400,
    "Wabasha": 21_400,
    "Wadena": 14_100,
    "Waseca": 19_000,
    "Washington": 267_600,
    "Watonwan": 11_300,
    "Wilkin": 6_500,
    "Winona": 49_700,
    "Wright": 141_300,
    "Yellow Medicine": 9_500,
}
METRO_COUNTIES = {"Anoka", "Carver", "Dakota", "Hennepin", "Ramsey", "Scott", "Washington"}
# The share of its county's listings a regional centre's street ZIP codes take (roughly its share
# of the county's people); elsewhere a county's street ZIP codes are equally likely.
CENTRE_SHARES = {
    "Rochester": 0.7,
    "Duluth": 0.5,
    "Saint Cloud": 0.45,
    "Mankato": 0.6,
    "Moorhead": 0.65,
    "Bemidji": 0.5,
}
# Regions reported after the build (the cities the issue names), by county.
REGIONS = {
    "Twin Cities metro": METRO_COUNTIES,
    "Rochester (Olmsted)": {"Olmsted"},
    "Duluth (St. Louis)": {"St. Louis"},
    "St. Cloud (Stearns, Benton, Sherburne)": {"Stearns", "Benton", "Sherburne"},
    "Mankato (Blue Earth, Nicollet)": {"Blue Earth", "Nicollet"},
    "Moorhead (Clay)": {"Clay"},
    "Bemidji (Beltrami)": {"Beltrami"},
}

NEW_AGENCY_KINDS = {AgencyKind.BROKER_AGENCY: 55, AgencyKind.CAC_ORG: 30, AgencyKind.NAVIGATOR_ORG: 15}
AGENCY_SUFFIXES = {
    AgencyKind.BROKER_AGENCY: ["Insurance Agency", "Insurance Services", "Benefits Group", "Health Insurance"],
    AgencyKind.NAVIGATOR_ORG: ["Health Access Navigators", "Community Navigators", "Family Health Navigators"],
    AgencyKind.CAC_ORG: ["Community Clinic", "Family Health Center", "Community Action", "Hospital Enrollment"],
}
OWN_OFFICE_SHARE = 0.35  # assisters with an office of their own (in their agency's county); others sit at the agency
AGENCY_SIZE_SHAPE = 1.3  # Pareto: most agencies small, a few with dozens of assisters
AGENCY_SIZE_CAP = 40.0

# Each language independently, so a listing can speak several; English almost always (a listing
# that drew none speaks English). Outside the metro the immigrant languages are rarer.
LANGUAGE_SHARES = {
    "en": 0.97,
    "es": 0.15,
    "hmn": 0.05,
    "so": 0.04,
    "vi": 0.02,
    "om": 0.015,
    "kar": 0.01,
    "am": 0.01,
    "ru": 0.01,
    "ar": 0.01,
    "zh": 0.01,
    "fr": 0.01,
    "lo": 0.005,
    "km": 0.005,
    "ti": 0.005,
    "ne": 0.005,
    "my": 0.005,
    "sw": 0.005,
    "oj": 0.003,
    "dak": 0.001,
}
NOT_REGIONAL = {"en", "es", "oj", "dak"}
METRO_FACTOR, OUTSTATE_FACTOR = 1.6, 0.4
NEIGHBOUR_SHARE = 0.5  # each neighbouring county is also served
STATEWIDE_BROKER_SHARE = 0.03  # brokers who serve every county (by phone)

AREA_CODES = {
    "Hennepin": "612",
    "Ramsey": "651",
    "Washington": "651",
    "Dakota": "651",
    "Anoka": "763",
    "Wright": "763",
    "Sherburne": "763",
    "Scott": "952",
    "Carver": "952",
}
STREETS = ["Main Street", "Broadway", "Lake Street", "Central Avenue", "First Avenue", "Oak Street", "Summit Avenue"]


@dataclass(frozen=True)
class ZipCode:
    code: str
    city: str
    county: str  # FIPS
    latitude: float
    longitude: float


@dataclass
class Geography:
    counties: list[str]  # FIPS, in order
    names: dict[str, str]  # FIPS -> name
    county_pk: dict[str, int]
    population: dict[str, int]
    zips: dict[str, list[ZipCode]]  # street ZIP codes by county
    zip_weights: dict[str, list[float]]
    neighbours: dict[str, list[str]]

    @classmethod
    def load(cls, using: str = "default") -> "Geography":
        names = dict(County.objects.using(using).values_list("fips", "name"))
        county_pk = dict(County.objects.using(using).values_list("fips", "pk"))
        unknown = set(COUNTY_POPULATION) ^ set(names.values())
        if unknown:
            raise ValueError(f"COUNTY_POPULATION and the County table disagree on {sorted(unknown)}")
        by_name = {name: fips for fips, name in names.items()}
        zips = street_zip_codes()
        missing = set(names) - set(zips)
        if missing:
            raise ValueError(f"Counties with no street ZIP code: {sorted(missing)}")
        return cls(
            counties=sorted(names),
            names=names,
            county_pk=county_pk,
            population={by_name[name]: n for name, n in COUNTY_POPULATION.items()},
            zips=zips,
            zip_weights=_zip_weights(zips),
            neighbours=county_neighbours(),
        )

    def pick_zip(self, rng: random.Random, fips: str) -> ZipCode:
        return rng.choices(self.zips[fips], self.zip_weights[fips])[0]

    def centre(self, fips: str) -> tuple[float, float]:
        zips = self.zips[fips]
        return sum(z.latitude for z in zips) / len(zips), sum(z.longitude for z in zips) / len(zips)


def street_zip_codes() -> dict[str, list[ZipCode]]:
    """Minnesota's street (STANDARD) ZIP codes by county: where an office can be. PO boxes and single organisations are not."""
    zips: dict[str, list[ZipCode]] = {}
    with (geo.DATA_DIR / "mn_zip_codes.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["type"] == "STANDARD":
                zips.setdefault(row["county_fips"], []).append(
                    ZipCode(
                        row["zip"], row["city"], row["county_fips"], float(row["latitude"]), float(row["longitude"])
                    )
                )
    return zips


def _zip_weights(zips: dict[str, list[ZipCode]]) -> dict[str, list[float]]:
    # A centre's county is the one holding most of its street ZIP codes.
    centre_county = {}
    for city in CENTRE_SHARES:
        counts = Counter(z.county for county_zips in zips.values() for z in county_zips if z.city == city)
        if counts:
            centre_county[city] = counts.most_common(1)[0][0]
    weights = {}
    for fips, county_zips in zips.items():
        centres = {city for city, county in centre_county.items() if county == fips}
        in_centre = [z for z in county_zips if z.city in centres]
        share = sum(CENTRE_SHARES[c] for c in centres)
        if not in_centre or len(in_centre) == len(county_zips):
            weights[fips] = [1.0] * len(county_zips)
            continue
        inside, outside = share / len(in_centre), (1 - share) / (len(county_zips) - len(in_centre))
        weights[fips] = [inside if z.city in centres else outside for z in county_zips]
    return weights


def county_neighbours() -> dict[str, list[str]]:
    """Counties that share a border: the county map draws each shared border once, so neighbours share its vertices."""
    pair = re.compile(r"-?\d+(?:\.\d+)?,-?\d+(?:\.\d+)?")
    points = {c["fips"]: set(pair.findall(c["d"])) for c in geo.county_map()["counties"]}
    return {
        fips: sorted(other for other in points if other != fips and len(points[fips] & points[other]) >= 2)
        for fips in points
    }


def apportion(total: int, weights: list[float], *, floor: int = 0, caps: list[int] | None = None) -> list[int]:
    """Split `total` whole units in proportion to `weights` (Sainte-Laguë), each at least `floor` and at most its cap."""
    caps = caps if caps is not None else [total] * len(weights)
    counts = [min(floor, cap) for cap in caps]
    remaining = total - sum(counts)
    if remaining < 0:
        raise ValueError(f"Cannot give {len(weights)} shares at least {floor} each out of {total}.")
    heap = [
        (-w / (2 * c + 1), i) for i, (w, c) in enumerate(zip(weights, counts, strict=True)) if w > 0 and c < caps[i]
    ]
    heapq.heapify(heap)
    while remaining:
        if not heap:
            raise ValueError(f"Cannot split {total} within the caps.")
        _priority, i = heapq.heappop(heap)
        counts[i] += 1
        remaining -= 1
        if counts[i] < caps[i]:
            heapq.heappush(heap, (-weights[i] / (2 * counts[i] + 1), i))
    return counts


# --- Plan --------------------------------------------------------------------------------


@dataclass
class PlannedAgency:
    county: str
    kind: str
    zip: ZipCode
    size_weight: float
    # One entry per assister: their own office's ZIP code, or None (listed at the agency's address).
    offices: list[ZipCode | None] = field(default_factory=list)


def plan(
    scale: Scale, existing: list[tuple[str, int]], geography: Geography, rng: random.Random
) -> list[PlannedAgency]:
    """The new agencies and their assisters' offices; `existing` is (ZIP code, assisters) of the listed agencies so far."""
    counties = geography.counties
    existing_by_county = Counter()
    for zip_code, n_assisters in existing:
        existing_by_county[geo.locate_zip(zip_code).county_fips] += 1 + n_assisters
    new_listings = scale.directory_listings - sum(existing_by_county.values())
    new_agencies = scale.directory_agencies - len(existing)
    if new_agencies < 0 or new_listings < 2 * new_agencies or (new_listings > 0 and new_agencies < 1):
        raise ValueError(
            f"{scale.directory_listings} listings with {scale.directory_agencies} agencies do not fit around the "
            f"{len(existing)} agencies and {sum(existing_by_county.values())} listings already built "
            "(each new agency needs one assister at least)."
        )
    if new_listings == 0:
        return []

    total_people = sum(geography.population.values())
    need = [
        max(0.0, scale.directory_listings * geography.population[c] / total_people - existing_by_county[c])
        for c in counties
    ]
    if not any(need):
        need = [float(geography.population[c]) for c in counties]
    listing_floor = 2 if new_listings >= 4 * len(counties) else 0
    listings = apportion(new_listings, need, floor=listing_floor)
    caps = [n // 2 for n in listings]
    if sum(caps) < new_agencies:
        raise ValueError(f"{new_agencies} new agencies need {2 * new_agencies} listings spread wider than these.")
    agency_floor = 1 if listing_floor and new_agencies >= len(counties) else 0
    agency_counts = apportion(new_agencies, [float(n) for n in listings], floor=agency_floor, caps=caps)

    kinds, kind_weights = list(NEW_AGENCY_KINDS), list(NEW_AGENCY_KINDS.values())
    agencies_in: dict[str, list[PlannedAgency]] = {}
    for c, n in zip(counties, agency_counts, strict=True):
        agencies_in[c] = [
            PlannedAgency(
                county=c,
                kind=rng.choices(kinds, kind_weights)[0],
                zip=geography.pick_zip(rng, c),
                size_weight=min(rng.paretovariate(AGENCY_SIZE_SHAPE), AGENCY_SIZE_CAP),
            )
            for _ in range(n)
        ]
    hosting = [c for c in counties if agencies_in[c]]

    def nearest_host(fips: str) -> str:
        lat, lon = geography.centre(fips)
        return min(hosting, key=lambda h: geo.haversine_miles(lat, lon, *geography.centre(h)))

    for c, n_listings, n_agencies in zip(counties, listings, agency_counts, strict=True):
        n_assisters = n_listings - n_agencies
        if not n_assisters:
            continue
        if n_agencies:
            hosts = agencies_in[c]
            for agency in hosts:  # every agency one at least: a navigator organization is listed only with a navigator
                agency.offices.append(_office(rng, geography, c, own=False))
            rest = n_assisters - len(hosts)
            own = False
        else:  # no new agency here: the nearest county's agencies have offices here
            hosts = agencies_in[nearest_host(c)]
            rest = n_assisters
            own = True
        for agency in rng.choices(hosts, [a.size_weight for a in hosts], k=rest):
            agency.offices.append(_office(rng, geography, c, own=own))
    return [agency for c in counties for agency in agencies_in[c]]


def _office(rng: random.Random, geography: Geography, fips: str, *, own: bool) -> ZipCode | None:
    if own or rng.random() < OWN_OFFICE_SHARE:
        return geography.pick_zip(rng, fips)
    return None


# --- Rows ----------------------------------------------------------------------------------


def locate(listing: Agency | Assister, zip_code: str, county_pk: dict[str, int]) -> None:
    """What certification.services.agencies._locate sets (the county's row looked up in memory, not by a query)."""
    place = geo.locate_zip(zip_code)
    listing.location_zip = place.zip_code if place else ""
    listing.latitude = place.latitude if place else None
    listing.longitude = place.longitude if place else None
    listing.location_county_id = county_pk[place.county_fips] if place else None


def locate_at_agency(assister: Assister, agency: Agency) -> None:
    """An assister with no office of their own is listed at the agency's address (_locate_assisters_at_agency_address)."""
    assister.location_zip = agency.location_zip
    assister.latitude = agency.latitude
    assister.longitude = agency.longitude
    assister.location_county_id = agency.location_county_id


PROFILE_FIELDS = [
    "public_phone",
    "hours",
    "serves_individual_market",
    "serves_shop",
    "serves_public_programs",
    "open_evenings",
    "open_weekends",
    "appointment_required",
    "wheelchair_accessible",
    "interpreters_available",
    "asl_available",
    "accepting_new_clients",
    "directory_opt_in",
]


class Profiles:
    """Random directory profiles: flags, hours, languages and counties served."""

    def __init__(self, rng: random.Random, geography: Geography, using: str):
        self.rng = rng
        self.geography = geography
        self.language_pk = dict(Language.objects.using(using).values_list("code", "pk"))
        self.fips_of_pk = {pk: fips for fips, pk in geography.county_pk.items()}

    def fill(self, listing: Agency | Assister, kind: str) -> tuple[list[int], list[int]]:
        """Set the listing's flags; returns (language ids, county ids) for its many-to-many rows. `kind` is an assister kind."""
        rng = self.rng
        broker = kind == AssisterKind.BROKER
        listing.directory_opt_in = True
        listing.accepting_new_clients = rng.random() < 0.8
        listing.open_evenings = rng.random() < 0.3
        listing.open_weekends = rng.random() < 0.15
        listing.appointment_required = rng.random() < 0.4
        listing.wheelchair_accessible = rng.random() < 0.7
        listing.interpreters_available = rng.random() < (0.2 if broker else 0.5)
        listing.asl_available = rng.random() < 0.03
        listing.serves_individual_market = rng.random() < 0.95
        listing.serves_shop = rng.random() < (0.5 if broker else 0.05)
        listing.serves_public_programs = rng.random() < (0.3 if broker else 0.95)
        hours = "Mon–Fri 9–5"
        if listing.open_evenings:
            hours += ", Tue and Thu until 8"
        if listing.open_weekends:
            hours += ", Sat 10–2"
        listing.hours = hours
        fips = self.fips_of_pk[listing.location_county_id]
        name = self.geography.names[fips]
        if rng.random() < 0.4:
            listing.public_phone = f"{AREA_CODES.get(name, self._area(fips))}-555-{rng.randrange(10_000):04d}"

        factor = METRO_FACTOR if name in METRO_COUNTIES else OUTSTATE_FACTOR
        codes = [
            code
            for code, share in LANGUAGE_SHARES.items()
            if rng.random() < (share if code in NOT_REGIONAL else share * factor)
        ]
        if listing.asl_available:
            codes.append("ase")
        if not codes or codes == ["ase"]:
            codes.insert(0, "en")
        languages = [self.language_pk[c] for c in codes if c in self.language_pk]

        if broker and rng.random() < STATEWIDE_BROKER_SHARE:
            served = list(self.geography.counties)
        else:
            served = [fips] + [n for n in self.geography.neighbours[fips] if rng.random() < NEIGHBOUR_SHARE]
        return languages, [self.geography.county_pk[c] for c in served]

    def _area(self, fips: str) -> str:
        lat, _lon = self.geography.centre(fips)
        return "218" if lat > 46.3 else "507" if lat < 44.6 else "320"


def build_listings(scale: Scale, people: dict, now, using: str = "default") -> dict:
    """List the existing agencies and assisters and add the directory-only ones; returns counts for the marker."""
    connection = connections[using]
    batch = scale.batch_size
    rng = random.Random(SEED + 1)  # noqa: S311 - its own generator: the clients' rows stay as they were
    geography = Geography.load(using)
    profiles = Profiles(rng, geography, using)
    county_pk = geography.county_pk
    period = Period.around(now)
    many = []  # (listing, language ids, county ids): rows for the many-to-many tables once the listing has its id

    def profile(listing, kind: str) -> None:
        many.append((listing, *profiles.fill(listing, kind)))

    # The agencies and assisters that hold the clients: located and profiled, nothing else changes.
    old_agencies, old_assisters = people["agencies"], people["assisters"]
    for agency in old_agencies:
        locate(agency, agency.zip_code, county_pk)
        profile(agency, ASSISTER_KIND[agency.kind])
    agency_by_pk = {a.pk: a for a in old_agencies}
    for assister in old_assisters:
        locate_at_agency(assister, agency_by_pk[assister.agency_id])
        profile(assister, assister.kind)
    _copy_update(connection, Agency, old_agencies, PROFILE_FIELDS + LOCATION_FIELDS)
    _copy_update(connection, Assister, old_assisters, PROFILE_FIELDS + LOCATION_FIELDS)

    existing = Counter(a.agency_id for a in old_assisters)
    planned = plan(scale, [(a.zip_code, existing[a.pk]) for a in old_agencies], geography, rng)
    password = people.get("password") or make_password(PASSWORD)
    last_weights = _zipf_weights(len(LAST_NAMES))
    first_weights = _zipf_weights(len(FIRST_NAMES), 0.5)

    agencies = []
    for n, p in enumerate(planned):
        suffix = rng.choice(AGENCY_SUFFIXES[p.kind])
        owner = p.zip.city if rng.random() < 0.5 else rng.choices(LAST_NAMES, last_weights)[0]
        public_name = f"{owner} {suffix}"
        fein = f"41-{5_000_000 + n:07d}"
        broker = p.kind == AgencyKind.BROKER_AGENCY
        agency = Agency(
            kind=p.kind,
            legal_name=f"{public_name} {'LLC' if broker else 'Inc.'}",
            public_name=public_name,
            fein=fein,
            fein_hash=lookup_hash(fein),
            agency_npn=f"{8_000_000 + n}" if broker else "",
            contract_number="" if broker else f"MNS-2026-D{n:04d}",
            street=f"{rng.randrange(1, 9_000)} {rng.choice(STREETS)}",
            city=p.zip.city,
            zip_code=p.zip.code,
            phone=f"{AREA_CODES.get(geography.names[p.county], '320')}-555-{n % 10_000:04d}",
        )
        locate(agency, agency.zip_code, county_pk)
        profile(agency, ASSISTER_KIND[agency.kind])
        agencies.append(agency)
    _copy_new(connection, Agency, agencies)

    admins = [
        User(
            email=f"admin-{n:04d}@{DIRECTORY_EMAIL_DOMAIN}",
            role=Role.AGENCY_ADMIN,
            first_name=rng.choices(FIRST_NAMES, first_weights)[0],
            last_name=rng.choices(LAST_NAMES, last_weights)[0],
            password=password,
        )
        for n in range(len(agencies))
    ]
    people_rows = []  # (agency, planned office or None, user)
    for agency, p in zip(agencies, planned, strict=True):
        for office in p.offices:
            user = User(
                email=f"listing-{len(people_rows):05d}@{DIRECTORY_EMAIL_DOMAIN}",
                role=Role.ASSISTER,
                first_name=rng.choices(FIRST_NAMES, first_weights)[0],
                last_name=rng.choices(LAST_NAMES, last_weights)[0],
                password=password,
            )
            people_rows.append((agency, office, user))
    _copy_new(connection, User, admins + [u for _a, _o, u in people_rows])

    ids = iter(_assister_ids(rng, len(people_rows)))
    assisters = []
    for n, (agency, office, user) in enumerate(people_rows):
        kind = ASSISTER_KIND[agency.kind]
        assister = Assister(
            user=user,
            agency=agency,
            kind=kind,
            assister_id=next(ids),
            legal_first_name=user.first_name,
            legal_last_name=user.last_name,
            npn=f"{20_000_000 + n}" if kind == AssisterKind.BROKER else "",
        )
        if office is None:
            locate_at_agency(assister, agency)
        else:
            assister.office_street = f"{rng.randrange(1, 9_000)} {rng.choice(STREETS)}"
            assister.office_city = office.city
            assister.office_zip = office.code
            locate(assister, office.code, county_pk)
        profile(assister, assister.kind)
        assisters.append(assister)
    _copy_new(connection, Assister, assisters)
    _copy(connection, IssuedAssisterId, ["value", "issued_at"], ((a.assister_id, now) for a in assisters))

    memberships = [
        (admin.pk, agency.pk, MembershipRole.ADMIN, 400) for admin, agency in zip(admins, agencies, strict=True)
    ]
    memberships += [(a.user_id, a.agency_id, MembershipRole.ASSISTER, 30) for a in assisters]
    _copy(
        connection,
        AgencyMembership,
        ["public_id", "user", "agency", "role", "started_at"],
        (
            (uuid.UUID(int=rng.getrandbits(128), version=4), user, agency, role, now - _days(rng, least, 2_000))
            for user, agency, role, least in memberships
        ),
    )
    # The admin group certification.groups.agency_groups_sync_user makes for an agency's first admin.
    groups = [Group(name=f"agency:{agency.pk}:{MembershipRole.ADMIN}") for agency in agencies]
    Group.objects.using(using).bulk_create(groups, batch_size=batch)
    User.groups.through.objects.using(using).bulk_create(
        [User.groups.through(user_id=u.pk, group_id=g.pk) for u, g in zip(admins, groups, strict=True)],
        batch_size=batch,
    )

    certifications = [approved_certification(period, agency=a) for a in agencies]
    certifications += [approved_certification(period, assister=a) for a in assisters]
    _copy_new(connection, Certification, certifications)
    _copy(
        connection,
        CertificationEvent,
        ["certification", "from_status", "to_status", "at", "reason"],
        (
            (c.pk, e.from_status, e.to_status, e.at, e.reason)
            for c, e in zip(certifications, approval_events(certifications, period), strict=True)
        ),
    )

    m2m = 0
    for model in (Agency, Assister):
        owner = model.__name__.lower()
        mine = [(listing.pk, languages, counties) for listing, languages, counties in many if type(listing) is model]
        m2m += _copy(
            connection, model.languages.through, [owner, "language"], ((i, pk) for i, ids, _c in mine for pk in ids)
        )
        m2m += _copy(
            connection, model.counties.through, [owner, "county"], ((i, pk) for i, _l, ids in mine for pk in ids)
        )

    # Who is listed today, as the certification services would have left it (directory.services).
    listings_refresh()
    all_agencies, all_assisters = old_agencies + agencies, old_assisters + assisters
    by_county = Counter(x.location_county_id for x in all_agencies + all_assisters)
    name_of_pk = {pk: geography.names[fips] for fips, pk in county_pk.items()}
    by_name = Counter({name_of_pk[pk]: n for pk, n in by_county.items()})
    return {
        "listings": len(all_agencies) + len(all_assisters),
        "agencies": len(all_agencies),
        "assisters": len(all_assisters),
        "new_agencies": len(agencies),
        "new_assisters": len(assisters),
        "own_offices": sum(1 for a in assisters if a.office_zip),
        "many_to_many_rows": m2m,
        "counties_with_listings": len(by_county),
        "fewest_in_a_county": min(by_name.values()),
        "regions": {region: sum(by_name[c] for c in names) for region, names in REGIONS.items()},
    }


def _copy_new(connection, model, objs: list) -> None:
    """INSERT unsaved instances by COPY, each column as bulk_create would write it; sets their ids (from the table's sequence)."""
    for obj, pk in zip(objs, _reserve_ids(connection, model, len(objs)), strict=True):
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # foreign-key ids from saved objects
        obj.pk = pk
        obj._state.adding = False
    fields = model._meta.concrete_fields
    rows = ([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs)
    _copy(connection, model, [f.name for f in fields], rows)


def _copy_update(connection, model, objs: list, names: list[str]) -> None:
    """UPDATE these fields of saved instances: COPY into a temporary table, one UPDATE … FROM (bulk_update is slow here)."""
    opts = model._meta
    fields = [opts.get_field(name) for name in names]
    columns = [sql.Identifier(f.column) for f in fields]
    table, temp, pk = sql.Identifier(opts.db_table), sql.Identifier(f"bench_update_{opts.db_table}"), opts.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("CREATE TEMPORARY TABLE {} AS SELECT {}, {} FROM {} LIMIT 0").format(
                temp, sql.Identifier(pk), sql.SQL(", ").join(columns), table
            )
        )
        with cursor.cursor.copy(sql.SQL("COPY {} FROM STDIN").format(temp)) as copy:
            for obj in objs:
                copy.write_row([obj.pk, *[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]])
        cursor.execute(
            sql.SQL("UPDATE {} AS t SET {} FROM {} AS u WHERE t.{} = u.{}").format(
                table,
                sql.SQL(", ").join(sql.SQL("{} = u.{}").format(c, c) for c in columns),
                temp,
                sql.Identifier(pk),
                sql.Identifier(pk),
            )
        )
        cursor.execute(sql.SQL("DROP TABLE {}").format(temp))


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randrange(low, high), seconds=rng.randrange(86_400))


def listed_counts() -> tuple[int, int]:
    """(assisters, agencies) the directory's selectors list now."""
    return listed_assisters().count(), listed_agencies().count()
