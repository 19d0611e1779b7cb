"""Reads for the public directory: who is listed, the distance search, and the map's clusters.

Only listings that may be shown *now* appear: who is listed is decided in every query,
so a suspension, expiry or decertification takes a listing off at once. A search is one
query whatever the number of listings: one statement (`directory.sql`) gives the map's
clusters, the total and one page of listings with their full public rows (and, only for
a page number past the end, one more for the last page). Reference data (languages, counties) comes from the cache.
"""

import time
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from certification.models import Agency, Assister, AssisterKind, Certification
from certification.periods import today
from certification.selectors import current_q, listed_agencies, listed_assisters
from core import geo
from core.geo import Place
from core.models import County, Language

from . import sql

AGENCY = "agency"
KIND_LABELS = {
    AssisterKind.BROKER: _("Agent or broker"),
    AssisterKind.NAVIGATOR: _("Navigator"),
    AssisterKind.CAC: _("Certified application counselor"),
    AGENCY: _("Agency or organization"),
}
# What a listing says it helps with, and its accessibility, in the order shown.
SERVICE_LABELS = [
    ("serves_individual_market", _("individual and family plans")),
    ("serves_shop", _("small employers (SHOP)")),
    ("serves_public_programs", _("Medical Assistance and MinnesotaCare")),
]
ACCESS_LABELS = [
    ("wheelchair_accessible", _("wheelchair accessible")),
    ("interpreters_available", _("interpreters available")),
    ("asl_available", _("American Sign Language")),
]
RADII = [5, 10, 25, 50, 100]
DEFAULT_RADIUS = 25
PAGE_SIZE = 10
# Map markers closer than this (in map pixels) are drawn as one cluster.
CLUSTER_PX = 14


@dataclass(frozen=True)
class Criteria:
    """A cleaned search. Every filter is optional; without a place there is no distance."""

    place: Place | None = None
    radius: int = DEFAULT_RADIUS
    kind: str = ""
    language: str = ""
    county: str = ""
    services: tuple[str, ...] = ()
    access: tuple[str, ...] = ()
    hours: tuple[str, ...] = ()
    accepting: bool = False
    name: str = ""

    @property
    def language_id(self) -> int | None:
        """The chosen language's row id (0, which matches nothing, for a code we do not list)."""
        if not self.language:
            return None
        return next((language.pk for language in languages() if language.code == self.language), 0)

    @property
    def county_id(self) -> int | None:
        if not self.county:
            return None
        return next((county.pk for county in counties() if county.fips == self.county), 0)


# --- Reference data ---------------------------------------------------------------------

# Languages and counties change only with a migration. Each process keeps them for ten
# minutes: a search reads them dozens of times, and even a local cache would unpickle
# them each time.
REFERENCE_SECONDS = 600
_reference: dict[str, tuple[float, list]] = {}


def _reference_rows(key: str, load) -> list:
    now = time.monotonic()
    kept = _reference.get(key)
    if kept is None or kept[0] < now:
        kept = (now + REFERENCE_SECONDS, load())
        _reference[key] = kept
    return kept[1]


def reference_clear() -> None:
    _reference.clear()


def languages() -> list[Language]:
    return _reference_rows("languages", lambda: list(Language.objects.all()))


def counties() -> list[County]:
    return _reference_rows("counties", lambda: list(County.objects.all()))


def languages_by_id() -> dict[int, Language]:
    return _reference_rows("languages_by_id", lambda: {language.pk: language for language in languages()})


# --- Who is listed ------------------------------------------------------------------------


# --- The search -----------------------------------------------------------------------------


@dataclass
class Cluster:
    count: int
    latitude: float
    longitude: float
    ref: str
    kind: str
    zip_code: str
    name: str
    x: float = 0.0
    y: float = 0.0


def _cells() -> tuple[float, float]:
    """The size of a map cluster cell in degrees of latitude and longitude."""
    projection = geo.county_map()["projection"]
    cell_lat = CLUSTER_PX / projection["k"]
    return cell_lat, cell_lat / projection["cos_lat"]


def _run(query: sql.Query) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query.text, query.params)
        return cursor.fetchall()


class Results:
    """What Django's Paginator needs: the total, and slices of the matches.

    The slice that `search()` already fetched (with the clusters, in the same query) costs
    nothing more; any other slice (an out-of-range page number falls back to the last page)
    costs one query.
    """

    def __init__(self, criteria: Criteria, total: int, offset: int, per_page: int, rows: list["Listing"]):
        self.criteria, self.total, self.offset, self.per_page, self.rows = criteria, total, offset, per_page, rows

    def count(self) -> int:
        return self.total

    def __getitem__(self, page: slice) -> list["Listing"]:
        if page.start == self.offset and page.stop - page.start <= self.per_page:
            return self.rows[: page.stop - page.start]
        query = sql.page_only(self.criteria, today(), limit=page.stop - page.start, offset=page.start)
        return listings_from(_run(query)[0][0])


@dataclass
class SearchResult:
    criteria: Criteria
    clusters: list[Cluster]
    total: int
    results: Results


def search(criteria: Criteria, *, page: int = 1, per_page: int | None = None) -> SearchResult:
    """The map's clusters (whose counts add up to the total) and one page of results, in one query."""
    per_page = PAGE_SIZE if per_page is None else per_page
    offset = (max(page, 1) - 1) * per_page
    cell_lat, cell_lon = _cells()
    query = sql.clusters_and_page(
        criteria, today(), cell_lat=cell_lat, cell_lon=cell_lon, limit=per_page, offset=offset
    )
    ((cells, page_rows),) = _run(query)
    found = [Cluster(*cell) for cell in cells]
    for cluster in found:
        cluster.x, cluster.y = geo.project(cluster.latitude, cluster.longitude)
    total = sum(c.count for c in found)
    results = Results(criteria, total, offset, per_page, listings_from(page_rows))
    return SearchResult(criteria=criteria, clusters=found, total=total, results=results)


def all_matches(criteria: Criteria, limit: int) -> list["Listing"]:
    """Up to `limit` matches in search order, with their full rows, in one query (the CSV download)."""
    return listings_from(_run(sql.page_only(criteria, today(), limit=limit, offset=0))[0][0])


@dataclass
class Listing:
    """One search result: an assister or an agency, with its distance from the searched place."""

    kind: str
    ref: str
    distance: float | None
    assister: Assister | None = None
    agency: Agency | None = None
    languages: list[Language] = field(default_factory=list)

    @property
    def profile(self) -> Assister | Agency:
        return self.assister or self.agency

    @property
    def name(self) -> str:
        return self.assister.full_name if self.assister else self.agency.public_name

    @property
    def phone(self) -> str:
        """The listing's public phone, else its agency's."""
        agency = self.assister.agency if self.assister else self.agency
        return self.profile.public_phone or agency.public_phone or agency.phone

    @property
    def address(self) -> tuple[str, str, str, str]:
        if self.assister:
            return self.assister.address
        return (self.agency.street, self.agency.city, self.agency.state, self.agency.zip_code)

    @cached_property
    def address_line(self) -> str:
        street, city, state, zip_code = self.address
        return f"{street + ', ' if street else ''}{city}, {state} {zip_code}"

    @cached_property
    def url(self) -> str:
        return reverse("directory:agency" if self.is_agency else "directory:assister", args=[self.ref])

    @property
    def services(self) -> list[str]:
        profile = self.profile
        return [str(label) for name, label in SERVICE_LABELS if getattr(profile, name)]

    @property
    def accessibility(self) -> list[str]:
        profile = self.profile
        return [str(label) for name, label in ACCESS_LABELS if getattr(profile, name)]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def is_agency(self) -> bool:
        return self.kind == AGENCY


# Never read for a public page (and the FEIN would be decrypted for nothing).
PRIVATE_AGENCY_FIELDS = ["fein", "fein_hash", "legal_name", "agency_npn", "contract_number"]
PRIVATE_ASSISTER_FIELDS = ["date_of_birth", "npn", *(f"agency__{name}" for name in PRIVATE_AGENCY_FIELDS)]


def _with_language_ids(qs: QuerySet, through) -> QuerySet:
    owner = "assister" if qs.model is Assister else "agency"
    ids = through.objects.filter(**{owner: OuterRef("pk")}).values("language_id")
    return qs.annotate(language_ids=ArraySubquery(ids))


def _languages_of(profile) -> list[Language]:
    by_id = languages_by_id()
    found = [by_id[pk] for pk in profile.language_ids if pk in by_id]
    return sorted(found, key=lambda language: language.english_name)


def _counties_by_id() -> dict[int, County]:
    return _reference_rows("counties_by_id", lambda: {county.pk: county for county in counties()})


def _instance(model, row: dict):
    """An unsaved-looking model instance from a JSON row of public columns (directory.sql)."""
    language_ids = row.pop("language_ids")
    instance = model(**row)
    instance.language_ids = language_ids
    instance.location_county = _counties_by_id().get(row["location_county_id"])
    instance._state.adding, instance._state.db = False, "default"
    return instance


def listings_from(rows: list) -> list[Listing]:
    """Listings from the page rows of `directory.sql` (ref, kind, distance, assister row, agency row)."""
    listings = []
    for ref, kind, distance, assister_row, agency_row in rows:
        if agency_row is None or (kind != AGENCY and assister_row is None):
            continue  # delisted while the statement ran
        agency = _instance(Agency, agency_row)
        assister = _instance(Assister, assister_row) if kind != AGENCY else None
        if assister is not None:
            assister.agency = agency
        profile = assister or agency
        listings.append(
            Listing(
                kind=kind,
                ref=ref,
                distance=distance,
                assister=assister,
                agency=None if assister else agency,
                languages=_languages_of(profile),
            )
        )
    return listings


# --- One listing ----------------------------------------------------------------------------


def listed_assister(assister_id: str) -> Listing | None:
    qs = (
        listed_assisters()
        .filter(assister_id=assister_id)
        .select_related("agency", "location_county")
        .defer(*PRIVATE_ASSISTER_FIELDS)
    )
    assister = _with_language_ids(qs, Assister.languages.through).first()
    if assister is None:
        return None
    return Listing(
        kind=assister.kind,
        ref=assister.assister_id,
        distance=None,
        assister=assister,
        languages=_languages_of(assister),
    )


def listed_agency(public_id) -> Listing | None:
    qs = listed_agencies().filter(public_id=public_id).select_related("location_county").defer(*PRIVATE_AGENCY_FIELDS)
    agency = _with_language_ids(qs, Agency.languages.through).first()
    if agency is None:
        return None
    return Listing(
        kind=AGENCY, ref=str(agency.public_id), distance=None, agency=agency, languages=_languages_of(agency)
    )


def agency_members_listed(agency: Agency) -> list[Assister]:
    return list(listed_assisters().filter(agency=agency).order_by("legal_last_name", "legal_first_name"))


def current_disclosures(assister: Assister) -> Certification | None:
    """The conflict-of-interest answers of the navigator's or counselor's current certification."""
    if assister.kind == AssisterKind.BROKER:
        return None
    return Certification.objects.filter(current_q(), assister=assister).order_by("-valid_until").first()
