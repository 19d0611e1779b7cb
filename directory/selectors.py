"""Reads for the public directory: who is listed, the distance search, and the map's clusters.

Only listings that may be shown *now* appear: the listed/certified tests below run on
every search, so a suspension, expiry or decertification takes a listing off at once.
A search costs at most four queries whatever the number of listings: the map's
clusters (which also give the total), one page of references, and the full rows of
that page's assisters and agencies. Reference data (languages, counties) comes from
the cache.
"""

import math
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, Exists, F, FloatField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import ASin, Cast, Concat, Cos, Least, Lower, Power, Radians, Sin, Sqrt
from django.utils.translation import gettext_lazy as _

from certification.models import Agency, AgencyKind, Assister, AssisterKind, Certification
from certification.selectors import assisters_who_may_act, current_q
from core.models import County, Language

from . import geo
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
PAGE_SIZE = 20
# The radius is inclusive: a listing exactly 25 miles away is within 25 miles, whatever
# the last bits of floating-point arithmetic say.
RADIUS_SLACK_MILES = 1e-6
# Map markers closer than this (in map pixels) are drawn as one cluster.
CLUSTER_PX = 14

SERVICE_FIELDS = {
    "individual": "serves_individual_market",
    "shop": "serves_shop",
    "public_programs": "serves_public_programs",
}
ACCESS_FIELDS = {
    "wheelchair": "wheelchair_accessible",
    "interpreters": "interpreters_available",
    "asl": "asl_available",
}
HOURS_FIELDS = {"evenings": "open_evenings", "weekends": "open_weekends"}


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


# --- Reference data ---------------------------------------------------------------------

REFERENCE_CACHE_SECONDS = 600


def languages() -> list[Language]:
    """Every language, from the cache (reference data changes only with a migration)."""
    return cache.get_or_set("directory:languages:v1", lambda: list(Language.objects.all()), REFERENCE_CACHE_SECONDS)


def counties() -> list[County]:
    return cache.get_or_set("directory:counties:v1", lambda: list(County.objects.all()), REFERENCE_CACHE_SECONDS)


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


def distance_miles(place: Place):
    """Great-circle distance (haversine) from the place to the row's coordinates, in miles."""
    lat0, lon0 = math.radians(place.latitude), math.radians(place.longitude)
    half_dlat = (Radians(F("latitude")) - Value(lat0)) / Value(2.0)
    half_dlon = (Radians(F("longitude")) - Value(lon0)) / Value(2.0)
    inner = Power(Sin(half_dlat), 2) + Value(math.cos(lat0)) * Cos(Radians(F("latitude"))) * Power(Sin(half_dlon), 2)
    return Value(2 * geo.EARTH_RADIUS_MILES) * ASin(Sqrt(Least(Value(1.0), inner)), output_field=FloatField())


def _common_filters(qs: QuerySet, criteria: Criteria, *, name_fields: list[str]) -> QuerySet:
    flags = {SERVICE_FIELDS[s]: True for s in criteria.services}
    flags |= {ACCESS_FIELDS[a]: True for a in criteria.access}
    flags |= {HOURS_FIELDS[h]: True for h in criteria.hours}
    if criteria.accepting:
        flags["accepting_new_clients"] = True
    qs = qs.filter(**flags)
    if criteria.language:
        qs = qs.filter(languages__code=criteria.language)
    if criteria.county:
        qs = qs.filter(counties__fips=criteria.county)
    if criteria.name:
        words = criteria.name.split()
        for word in words:
            qs = qs.filter(Q.create([(f"{f}__icontains", word) for f in name_fields], connector=Q.OR))
    if criteria.place is not None:
        lat_min, lat_max, lon_min, lon_max = geo.bounding_box(
            criteria.place.latitude, criteria.place.longitude, criteria.radius
        )
        qs = qs.filter(latitude__range=(lat_min, lat_max), longitude__range=(lon_min, lon_max))
        within = criteria.radius + RADIUS_SLACK_MILES
        qs = qs.annotate(distance=distance_miles(criteria.place)).filter(distance__lte=within)
    else:
        qs = qs.annotate(distance=Value(None, output_field=FloatField()))
    return qs


COLUMNS = ("ref", "listing_kind", "sort_name", "display_name", "distance", "latitude", "longitude", "location_zip")


def _assister_rows(criteria: Criteria) -> QuerySet:
    qs = listed_assisters()
    if criteria.kind:
        qs = qs.filter(kind=criteria.kind)
    qs = _common_filters(qs, criteria, name_fields=["legal_first_name", "legal_last_name", "agency__public_name"])
    return qs.annotate(
        ref=F("assister_id"),
        listing_kind=F("kind"),
        sort_name=Lower(Concat("legal_last_name", Value(" "), "legal_first_name")),
        display_name=Concat("legal_first_name", Value(" "), "legal_last_name"),
    ).values(*COLUMNS)


def _agency_rows(criteria: Criteria) -> QuerySet:
    qs = _common_filters(listed_agencies(), criteria, name_fields=["public_name"])
    return qs.annotate(
        ref=Cast("public_id", output_field=CharField()),
        listing_kind=Value(AGENCY, output_field=CharField()),
        sort_name=Lower("public_name"),
        display_name=F("public_name"),
    ).values(*COLUMNS)


def matching(criteria: Criteria) -> QuerySet:
    """One query's worth of (ref, kind, sort name, distance, position) rows for every match."""
    branches = []
    if criteria.kind != AGENCY:
        branches.append(_assister_rows(criteria))
    if criteria.kind in ("", AGENCY):
        branches.append(_agency_rows(criteria))
    combined = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
    if criteria.place is not None:
        return combined.order_by("distance", "sort_name", "ref")
    return combined.order_by("sort_name", "ref")


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


CLUSTER_SELECT = (
    "SELECT COUNT(*), AVG(m.latitude), AVG(m.longitude), MIN(m.ref), MIN(m.listing_kind), MIN(m.location_zip), "
    "MIN(m.display_name)"
)
CLUSTER_GROUP = "GROUP BY FLOOR(m.latitude / %s), FLOOR(m.longitude / %s)"


def clusters(criteria: Criteria) -> list[Cluster]:
    """The matches grouped into map cells, in one query. Their counts add up to the total."""
    projection = geo.county_map()["projection"]
    cell_lat = CLUSTER_PX / projection["k"]
    cell_lon = cell_lat / projection["cos_lat"]
    rows = matching(criteria).order_by()
    # The inner SQL is Django's own compilation, with every user value left in `params`.
    sql, params = rows.query.sql_with_params()
    wrapped = f"{CLUSTER_SELECT} FROM ({sql}) AS m {CLUSTER_GROUP}"
    with connection.cursor() as cursor:
        cursor.execute(wrapped, [*params, cell_lat, cell_lon])
        found = [Cluster(*row) for row in cursor.fetchall()]
    for cluster in found:
        cluster.x, cluster.y = geo.project(cluster.latitude, cluster.longitude)
    return found


class Results:
    """What Django's Paginator needs: the total (known from the clusters) and slices of matches."""

    def __init__(self, criteria: Criteria, total: int):
        self.criteria = criteria
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, page: slice) -> list["Listing"]:
        return hydrate(list(matching(self.criteria)[page]))


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


def _with_language_ids(qs: QuerySet, through) -> QuerySet:
    from django.contrib.postgres.expressions import ArraySubquery

    owner = "assister" if qs.model is Assister else "agency"
    ids = through.objects.filter(**{owner: OuterRef("pk")}).values("language_id")
    return qs.annotate(language_ids=ArraySubquery(ids))


def _languages_of(profile) -> list[Language]:
    by_id = {language.pk: language for language in languages()}
    found = [by_id[pk] for pk in profile.language_ids if pk in by_id]
    return sorted(found, key=lambda language: language.english_name)


def hydrate(rows: list[dict]) -> list[Listing]:
    """Full rows for one page of matches: one query for its assisters, one for its agencies."""
    assister_refs = [r["ref"] for r in rows if r["listing_kind"] != AGENCY]
    agency_refs = [r["ref"] for r in rows if r["listing_kind"] == AGENCY]
    assisters, agencies = {}, {}
    if assister_refs:
        qs = Assister.objects.filter(assister_id__in=assister_refs).select_related("agency", "location_county")
        assisters = {a.assister_id: a for a in _with_language_ids(qs, Assister.languages.through)}
    if agency_refs:
        qs = Agency.objects.filter(public_id__in=agency_refs).select_related("location_county")
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


@dataclass
class SearchResult:
    criteria: Criteria
    clusters: list[Cluster]
    total: int
    results: Results


def search(criteria: Criteria) -> SearchResult:
    found = clusters(criteria)
    total = sum(c.count for c in found)
    return SearchResult(criteria=criteria, clusters=found, total=total, results=Results(criteria, total))


# --- One listing ----------------------------------------------------------------------------


def listed_assister(assister_id: str) -> Listing | None:
    qs = listed_assisters().filter(assister_id=assister_id).select_related("agency", "location_county")
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
    qs = listed_agencies().filter(public_id=public_id).select_related("location_county")
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
