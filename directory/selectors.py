"""Reads for the public directory: who is listed, the distance search, and the map's clusters.

Only listings that may be shown *now* appear: who is listed is decided in every query,
so a suspension, expiry or decertification takes a listing off at once. A search costs
at most four queries whatever the number of listings: one statement (`directory.sql`)
gives the map's clusters, the total and one page of references; then the full rows of
that page's assisters and of its agencies (and, only for a page number past the end,
one more for the last page). Reference data (languages, counties) comes from the cache.
"""

import time
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from certification.models import Agency, AgencyKind, Assister, AssisterKind, Certification
from certification.periods import today
from certification.selectors import assisters_who_may_act, current_q
from core.models import County, Language

from . import geo, sql
from .geo import Place

AGENCY = "agency"
KINDS = [AssisterKind.BROKER, AssisterKind.NAVIGATOR, AssisterKind.CAC, AGENCY]
KIND_LABELS = {
    AssisterKind.BROKER: _("Agent or broker"),
    AssisterKind.NAVIGATOR: _("Navigator"),
    AssisterKind.CAC: _("Certified application counselor"),
    AGENCY: _("Agency or organization"),
}
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


def listed_assisters() -> QuerySet[Assister]:
    """Assisters who may act today, opted in, with an office in Minnesota."""
    return assisters_who_may_act().filter(directory_opt_in=True, latitude__isnull=False)


def listed_agencies() -> QuerySet[Agency]:
    """Certified, opted-in agencies in Minnesota; a navigator organization only with a listed navigator."""
    listed_navigator = listed_assisters().filter(agency=OuterRef("pk"), kind=AssisterKind.NAVIGATOR)
    return Agency.objects.filter(
        Exists(Certification.objects.filter(current_q(), agency=OuterRef("pk"))),
        ~Q(kind=AgencyKind.NAVIGATOR_ORG) | Exists(listed_navigator),
        directory_opt_in=True,
        latitude__isnull=False,
    )


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


def _page_rows(rows) -> list[dict]:
    return [{"ref": ref, "listing_kind": kind, "distance": distance} for ref, kind, distance in rows]


class Results:
    """What Django's Paginator needs: the total, and slices of the matches.

    The slice that `search()` already fetched (with the clusters, in the same query) costs
    nothing more; any other slice (an out-of-range page number falls back to the last page)
    costs one query.
    """

    def __init__(self, criteria: Criteria, total: int, offset: int, per_page: int, rows: list[dict]):
        self.criteria, self.total, self.offset, self.per_page, self.rows = criteria, total, offset, per_page, rows

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, page: slice) -> list["Listing"]:
        if page.start == self.offset and page.stop - page.start <= self.per_page:
            rows = self.rows[: page.stop - page.start]
        else:
            query = sql.page_only(self.criteria, today(), limit=page.stop - page.start, offset=page.start)
            rows = _page_rows(_run(query))
        return hydrate(rows)


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
    results = Results(criteria, total, offset, per_page, _page_rows(page_rows))
    return SearchResult(criteria=criteria, clusters=found, total=total, results=results)


def all_matches(criteria: Criteria, limit: int) -> list["Listing"]:
    """Up to `limit` matches in search order, for the CSV download (three queries)."""
    return hydrate(_page_rows(_run(sql.page_only(criteria, today(), limit=limit, offset=0))))


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
    from django.contrib.postgres.expressions import ArraySubquery

    owner = "assister" if qs.model is Assister else "agency"
    ids = through.objects.filter(**{owner: OuterRef("pk")}).values("language_id")
    return qs.annotate(language_ids=ArraySubquery(ids))


def _languages_of(profile) -> list[Language]:
    by_id = languages_by_id()
    found = [by_id[pk] for pk in profile.language_ids if pk in by_id]
    return sorted(found, key=lambda language: language.english_name)


def hydrate(rows: list[dict]) -> list[Listing]:
    """Full rows for one page of matches: one query for its assisters, one for its agencies."""
    assister_refs = [r["ref"] for r in rows if r["listing_kind"] != AGENCY]
    agency_refs = [r["ref"] for r in rows if r["listing_kind"] == AGENCY]
    assisters, agencies = {}, {}
    if assister_refs:
        qs = (
            Assister.objects.filter(assister_id__in=assister_refs)
            .select_related("agency", "location_county")
            .defer(*PRIVATE_ASSISTER_FIELDS)
        )
        assisters = {a.assister_id: a for a in _with_language_ids(qs, Assister.languages.through)}
    if agency_refs:
        qs = (
            Agency.objects.filter(public_id__in=agency_refs)
            .select_related("location_county")
            .defer(*PRIVATE_AGENCY_FIELDS)
        )
        agencies = {str(a.public_id): a for a in _with_language_ids(qs, Agency.languages.through)}
    listings = []
    for row in rows:
        assister, agency = assisters.get(row["ref"]), agencies.get(row["ref"])
        profile = assister or agency
        if profile is None:  # delisted between the two queries
            continue
        listings.append(
            Listing(
                kind=row["listing_kind"],
                ref=row["ref"],
                distance=row["distance"],
                assister=assister,
                agency=agency,
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
