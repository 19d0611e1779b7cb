"""The directory search as one SQL statement: who is listed, the filters, the distance, the map's
clusters and one page of results, computed from a single pass over the matching listings.

Why SQL rather than the ORM: the search is the directory's hot path (issue: p95 ≤ 30 ms at
20,000 listings). Compiling the equivalent ORM union cost more than running it, and the ORM
cannot return the clusters and the page, with its full rows, from one materialized set of
matches.

Who is listed is the row's `listed_from`/`listed_until` (kept by `directory.services`); it must match
`selectors.listed_assisters()` and `listed_agencies()`, which the listing pages use and which
compute it live from the certifications; `tests/test_sql_matches_orm.py` checks that they
agree in every state that matters. Only fixed fragments and table names are put into the
text; every value typed by a visitor is a query parameter.
"""

import math
from dataclasses import dataclass, field

from certification.models import Agency, Assister, DirectoryProfile
from core import geo

ASSISTER = Assister._meta.db_table
AGENCY_TABLE = Agency._meta.db_table
ASSISTER_LANGUAGES = Assister.languages.through._meta.db_table
AGENCY_LANGUAGES = Agency.languages.through._meta.db_table
ASSISTER_COUNTIES = Assister.counties.through._meta.db_table
AGENCY_COUNTIES = Agency.counties.through._meta.db_table

# The radius is inclusive: a listing exactly 25 miles away is within 25 miles, whatever
# the last bits of floating-point arithmetic say.
RADIUS_SLACK_MILES = 1e-6


# Haversine on the sphere, with the searched point's trigonometry passed in as parameters.
DISTANCE = (
    "(%(two_r)s * asin(sqrt(least(1.0, "
    "power(sin((radians({t}.latitude) - %(lat0)s) / 2), 2) "
    "+ %(cos_lat0)s * cos(radians({t}.latitude)) * power(sin((radians({t}.longitude) - %(lon0)s) / 2), 2)))))"
)

SERVICE_COLUMNS = {
    "individual": "serves_individual_market",
    "shop": "serves_shop",
    "public_programs": "serves_public_programs",
}
ACCESS_COLUMNS = {
    "wheelchair": "wheelchair_accessible",
    "interpreters": "interpreters_available",
    "asl": "asl_available",
}
HOURS_COLUMNS = {"evenings": "open_evenings", "weekends": "open_weekends"}


def like_pattern(word: str) -> str:
    """`word` anywhere in the text, with LIKE's own wildcards taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class Query:
    """The SQL text and its parameters, built from a search's criteria."""

    text: str
    params: dict = field(default_factory=dict)


def _filters(criteria, t: str, *, languages_table: str, counties_table: str, owner: str, params: dict) -> list[str]:
    """The WHERE conditions every listing of either table must meet for this search."""
    # Listed today (see directory.services): opted in, placed, member, certified with the agency.
    where = [f"{t}.listed_until >= %(day)s", f"{t}.listed_from <= %(day)s"]
    for names, columns in (
        (criteria.services, SERVICE_COLUMNS),
        (criteria.access, ACCESS_COLUMNS),
        (criteria.hours, HOURS_COLUMNS),
    ):
        where += [f"{t}.{columns[name]}" for name in names]
    if criteria.accepting:
        where.append(f"{t}.accepting_new_clients")
    if criteria.language_id is not None:
        where.append(
            f"EXISTS (SELECT 1 FROM {languages_table} {t}_l WHERE {t}_l.{owner}_id = {t}.id "
            f"AND {t}_l.language_id = %(language_id)s)"
        )
        params["language_id"] = criteria.language_id
    if criteria.county_id is not None:
        where.append(
            f"EXISTS (SELECT 1 FROM {counties_table} {t}_k WHERE {t}_k.{owner}_id = {t}.id "
            f"AND {t}_k.county_id = %(county_id)s)"
        )
        params["county_id"] = criteria.county_id
    if criteria.place is not None:
        where.append(f"{t}.latitude BETWEEN %(lat_min)s AND %(lat_max)s")
        where.append(f"{t}.longitude BETWEEN %(lon_min)s AND %(lon_max)s")
    return where


def _name_condition(words: list[str], columns: list[str], params: dict) -> list[str]:
    """Every word of the name search in at least one of the columns."""
    conditions = []
    for n, word in enumerate(words):
        params[f"word{n}"] = like_pattern(word)
        conditions.append("(" + " OR ".join(f"{c} ILIKE %(word{n})s" for c in columns) + ")")
    return conditions


def _assister_branch(criteria, params: dict) -> str:
    where = _filters(
        criteria,
        "a",
        languages_table=ASSISTER_LANGUAGES,
        counties_table=ASSISTER_COUNTIES,
        owner="assister",
        params=params,
    )
    if criteria.kind:
        where.append("a.kind = %(kind)s")
        params["kind"] = criteria.kind
    if criteria.name:
        agency_name = f"(SELECT ag.public_name FROM {AGENCY_TABLE} ag WHERE ag.id = a.agency_id)"
        where += _name_condition(
            criteria.name.split(), ["a.legal_first_name", "a.legal_last_name", agency_name], params
        )
    distance = DISTANCE.format(t="a") if criteria.place is not None else "NULL::double precision"
    return (
        f"SELECT a.assister_id AS ref, a.kind AS kind, "
        f"lower(a.legal_last_name || ' ' || a.legal_first_name) AS sort_name, "
        f"a.legal_first_name || ' ' || a.legal_last_name AS display_name, "
        f"a.latitude, a.longitude, a.location_zip, {distance} AS distance "
        f"FROM {ASSISTER} a WHERE " + " AND ".join(where)
    )


def _agency_branch(criteria, params: dict) -> str:
    where = _filters(
        criteria, "g", languages_table=AGENCY_LANGUAGES, counties_table=AGENCY_COUNTIES, owner="agency", params=params
    )
    if criteria.name:
        where += _name_condition(criteria.name.split(), ["g.public_name"], params)
    distance = DISTANCE.format(t="g") if criteria.place is not None else "NULL::double precision"
    return (
        f"SELECT g.public_id::text AS ref, 'agency' AS kind, lower(g.public_name) AS sort_name, "
        f"g.public_name AS display_name, g.latitude, g.longitude, g.location_zip, {distance} AS distance "
        f"FROM {AGENCY_TABLE} g WHERE " + " AND ".join(where)
    )


def matches(criteria, day) -> Query:
    """`SELECT ref, kind, sort_name, display_name, latitude, longitude, location_zip, distance` of every match."""
    params: dict = {"day": day}
    branches = []
    if criteria.kind != "agency":
        branches.append(_assister_branch(criteria, params))
    if criteria.kind in ("", "agency"):
        branches.append(_agency_branch(criteria, params))
    text = " UNION ALL ".join(branches)
    if criteria.place is not None:
        place = criteria.place
        lat_min, lat_max, lon_min, lon_max = geo.bounding_box(place.latitude, place.longitude, criteria.radius)
        lat0 = math.radians(place.latitude)
        params |= {
            "lat_min": lat_min,
            "lat_max": lat_max,
            "lon_min": lon_min,
            "lon_max": lon_max,
            "two_r": 2 * geo.EARTH_RADIUS_MILES,
            "lat0": lat0,
            "lon0": math.radians(place.longitude),
            "cos_lat0": math.cos(lat0),
            "within": criteria.radius + RADIUS_SLACK_MILES,
        }
        # OFFSET 0 keeps the distance test out of the scans: the distance is then worked out only
        # for rows that passed the cheaper box, flag and language tests.
        text = f"SELECT * FROM ({text} OFFSET 0) AS u WHERE u.distance <= %(within)s"
    return Query(text, params)


# The columns a public listing shows: the directory profile (public by definition) and the
# assister's or agency's name, kind and address — never the FEIN, date of birth or license numbers.
PROFILE_COLUMNS = [f.attname for f in DirectoryProfile._meta.local_fields if not f.name.startswith("listed_")]
ASSISTER_COLUMNS = [
    "id",
    "agency_id",
    "kind",
    "assister_id",
    "legal_first_name",
    "legal_last_name",
    "office_street",
    "office_city",
    "office_zip",
    *PROFILE_COLUMNS,
]
AGENCY_COLUMNS = [
    "id",
    "public_id",
    "kind",
    "public_name",
    "street",
    "city",
    "state",
    "zip_code",
    "phone",
    *PROFILE_COLUMNS,
]


def _row_json(table: str, alias: str, columns: list[str], languages_table: str, owner: str, where: str) -> str:
    """One row of `table` as a JSON object of `columns`, with its language ids."""
    pairs = ", ".join(f"'{c}', {alias}.{c}" for c in columns)
    languages = f"ARRAY(SELECT x.language_id FROM {languages_table} x WHERE x.{owner}_id = {alias}.id)"
    return f"(SELECT json_build_object({pairs}, 'language_ids', {languages}) FROM {table} {alias} WHERE {where})"


# For each row of a `page` relation (ref, kind, distance, sort_name): the listing's full public row,
# and its agency's (an assister's agency, or the agency listed).
PAGE_ROWS = (
    "SELECT coalesce(json_agg(json_build_array(p.ref, p.kind, p.distance, r.assister, r.agency) "
    "ORDER BY p.distance, p.sort_name, p.ref), '[]') FROM page p CROSS JOIN LATERAL (SELECT "
    + _row_json(
        ASSISTER,
        "pa",
        ASSISTER_COLUMNS,
        ASSISTER_LANGUAGES,
        "assister",
        "p.kind <> 'agency' AND pa.assister_id = p.ref",
    )
    + " AS assister, "
    + _row_json(
        AGENCY_TABLE,
        "pg",
        AGENCY_COLUMNS,
        AGENCY_LANGUAGES,
        "agency",
        f"pg.id = CASE WHEN p.kind = 'agency' THEN (SELECT g2.id FROM {AGENCY_TABLE} g2 WHERE g2.public_id = p.ref::uuid) "
        f"ELSE (SELECT a2.agency_id FROM {ASSISTER} a2 WHERE a2.assister_id = p.ref) END",
    )
    + " AS agency) r"
)


def clusters_and_page(criteria, day, *, cell_lat: float, cell_lon: float, limit: int, offset: int) -> Query:
    """One statement: the matches once (materialized), grouped into map cells, and one page of them.

    Returns one row of two JSON arrays: cells (count, lat, lon, ref, kind, zip, name) and the
    page (ref, kind, distance, assister row, agency row), nearest first then by name.
    """
    inner = matches(criteria, day)
    params = inner.params | {"cell_lat": cell_lat, "cell_lon": cell_lon, "limit": limit, "offset": offset}
    text = (
        f"WITH m AS MATERIALIZED ({inner.text}), "
        "cells AS (SELECT count(*) AS n, avg(m.latitude) AS lat, avg(m.longitude) AS lon, min(m.ref) AS ref, "
        "min(m.kind) AS kind, min(m.location_zip) AS zip, min(m.display_name) AS name FROM m "
        "GROUP BY floor(m.latitude / %(cell_lat)s), floor(m.longitude / %(cell_lon)s)), "
        "page AS (SELECT m.ref, m.kind, m.distance, m.sort_name FROM m "
        "ORDER BY m.distance, m.sort_name, m.ref LIMIT %(limit)s OFFSET %(offset)s) "
        "SELECT (SELECT coalesce(json_agg(json_build_array(n, lat, lon, ref, kind, zip, name)), '[]') FROM cells), "
        f"({PAGE_ROWS})"
    )
    return Query(text, params)


def page_only(criteria, day, *, limit: int, offset: int) -> Query:
    """One page of matches with their full rows (as in `clusters_and_page`), without the clusters."""
    inner = matches(criteria, day)
    text = (
        f"WITH page AS (SELECT m.ref, m.kind, m.distance, m.sort_name FROM ({inner.text}) AS m "
        f"ORDER BY m.distance, m.sort_name, m.ref LIMIT %(limit)s OFFSET %(offset)s) SELECT ({PAGE_ROWS})"
    )
    return Query(text, inner.params | {"limit": limit, "offset": offset})
