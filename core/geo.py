"""Offline geography: ZIP codes and cities to coordinates, distances, the county map.

Reference data (DESIGN §2: core), so that certification (placing a listing by its ZIP code) and the
public directory (search, map) both import it downward.

Everything here is pure Python over the files in core/data/geo (see its README for sources and
how to rebuild them). Files are read once per process, on first use.
"""

import csv
import difflib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext, gettext_noop

DATA_DIR = Path(__file__).resolve().parent / "data" / "geo"
EARTH_RADIUS_MILES = 3958.8  # mean Earth radius

# Names for the state codes zip3_states.csv can hold, translated when shown.
STATE_NAMES = {
    "AL": gettext_noop("Alabama"),
    "AK": gettext_noop("Alaska"),
    "AZ": gettext_noop("Arizona"),
    "AR": gettext_noop("Arkansas"),
    "CA": gettext_noop("California"),
    "CO": gettext_noop("Colorado"),
    "CT": gettext_noop("Connecticut"),
    "DE": gettext_noop("Delaware"),
    "DC": gettext_noop("District of Columbia"),
    "FL": gettext_noop("Florida"),
    "GA": gettext_noop("Georgia"),
    "HI": gettext_noop("Hawaii"),
    "ID": gettext_noop("Idaho"),
    "IL": gettext_noop("Illinois"),
    "IN": gettext_noop("Indiana"),
    "IA": gettext_noop("Iowa"),
    "KS": gettext_noop("Kansas"),
    "KY": gettext_noop("Kentucky"),
    "LA": gettext_noop("Louisiana"),
    "ME": gettext_noop("Maine"),
    "MD": gettext_noop("Maryland"),
    "MA": gettext_noop("Massachusetts"),
    "MI": gettext_noop("Michigan"),
    "MN": gettext_noop("Minnesota"),
    "MS": gettext_noop("Mississippi"),
    "MO": gettext_noop("Missouri"),
    "MT": gettext_noop("Montana"),
    "NE": gettext_noop("Nebraska"),
    "NV": gettext_noop("Nevada"),
    "NH": gettext_noop("New Hampshire"),
    "NJ": gettext_noop("New Jersey"),
    "NM": gettext_noop("New Mexico"),
    "NY": gettext_noop("New York"),
    "NC": gettext_noop("North Carolina"),
    "ND": gettext_noop("North Dakota"),
    "OH": gettext_noop("Ohio"),
    "OK": gettext_noop("Oklahoma"),
    "OR": gettext_noop("Oregon"),
    "PA": gettext_noop("Pennsylvania"),
    "RI": gettext_noop("Rhode Island"),
    "SC": gettext_noop("South Carolina"),
    "SD": gettext_noop("South Dakota"),
    "TN": gettext_noop("Tennessee"),
    "TX": gettext_noop("Texas"),
    "UT": gettext_noop("Utah"),
    "VT": gettext_noop("Vermont"),
    "VA": gettext_noop("Virginia"),
    "WA": gettext_noop("Washington"),
    "WV": gettext_noop("West Virginia"),
    "WI": gettext_noop("Wisconsin"),
    "WY": gettext_noop("Wyoming"),
    "AS": gettext_noop("American Samoa"),
    "GU": gettext_noop("Guam"),
    "MP": gettext_noop("Northern Mariana Islands"),
    "PR": gettext_noop("Puerto Rico"),
    "VI": gettext_noop("U.S. Virgin Islands"),
    "FM": gettext_noop("Federated States of Micronesia"),
    "MH": gettext_noop("Marshall Islands"),
    "PW": gettext_noop("Palau"),
    "AA": gettext_noop("Armed Forces Americas"),
    "AE": gettext_noop("Armed Forces Europe"),
    "AP": gettext_noop("Armed Forces Pacific"),
}

_ZIP = re.compile(r"(\d{5})(?:-\d{4})?")
_STATE_SUFFIXES = {"mn", "minn", "minnesota"}
_WORD_SPELLINGS = {"st": "saint", "ste": "sainte"}


@dataclass(frozen=True)
class Place:
    label: str  # "55401 (Minneapolis)" for a ZIP code, "Duluth" for a city
    zip_code: str  # "" for a city
    city: str
    county_fips: str
    latitude: float
    longitude: float


class PlaceError(ValueError):
    """What the person typed is not a place we can search from; `message` says why, for them."""

    def __init__(self, message: str, suggestions: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions or []


@dataclass(frozen=True)
class _Data:
    zips: dict[str, Place]
    cities: dict[str, Place]  # by city_key
    suggestible: dict[str, str]  # city_key -> name, for "did you mean"
    zip3_states: dict[str, str]


def city_key(text: str) -> str:
    """Normalize a city name for lookup: 'ST. CLOUD, MN' and 'Saint  Cloud' both give 'saint cloud'."""
    words = re.sub(r"[.,]", " ", text).lower().split()
    if len(words) > 1 and words[-1] in _STATE_SUFFIXES:
        words = words[:-1]
    return " ".join(_WORD_SPELLINGS.get(word, word) for word in words)


def _is_abbreviation(short: str, long: str) -> bool:
    """'brooklyn ctr' abbreviates 'brooklyn center': word for word, same first letter, letters in order."""
    short_words, long_words = short.split(), long.split()
    if short == long or len(short_words) != len(long_words):
        return False
    for s, lw in zip(short_words, long_words, strict=True):
        if s[0] != lw[0]:
            return False
        rest = iter(lw)
        if not all(letter in rest for letter in s):
            return False
    return True


@cache
def _data() -> _Data:
    zips: dict[str, Place] = {}
    primary: dict[str, list[Place]] = {}
    alternate: dict[str, list[Place]] = {}
    spellings: dict[str, Counter] = {}  # city_key -> how often each alternative spelling appears
    standard: set[str] = set()  # ZIP codes for street addresses (not PO boxes or single organisations)
    with (DATA_DIR / "mn_zip_codes.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            place = Place(
                label=f"{row['zip']} ({row['city']})",
                zip_code=row["zip"],
                city=row["city"],
                county_fips=row["county_fips"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
            zips[place.zip_code] = place
            if row["type"] == "STANDARD":
                standard.add(place.zip_code)
            primary.setdefault(city_key(place.city), []).append(place)
            for name in filter(None, row["acceptable_cities"].split("|")):
                alternate.setdefault(city_key(name), []).append(place)
                spellings.setdefault(city_key(name), Counter())[name] += 1

    cities = {}
    for key in primary.keys() | alternate.keys():
        # A name that is some ZIP code's main city stands for those ZIP codes only; a name USPS
        # only accepts as an alternative (Eagan, Bloomington, Edina…) stands for the ZIP codes it is accepted for.
        places = primary.get(key) or alternate[key]
        if key in primary:
            name = Counter(p.city for p in places).most_common(1)[0][0]
        else:  # the spelling seen most often, written the way the main names are ("Saint", not "St")
            name = max(spellings[key].items(), key=lambda item: (item[1], len(item[0]), item[0]))[0]
            name = " ".join("Saint" if word == "St" else word for word in name.split())
        # PO box and single-organisation ZIP codes often sit at a post office or processing
        # centre away from where people live, so a city's centre comes from its street ZIP codes.
        places = [p for p in places if p.zip_code in standard] or places
        county = Counter(p.county_fips for p in places).most_common(1)[0][0]
        cities[key] = Place(
            label=name,
            zip_code="",
            city=name,
            county_fips=county,
            latitude=round(sum(p.latitude for p in places) / len(places), 4),
            longitude=round(sum(p.longitude for p in places) / len(places), 4),
        )

    # USPS abbreviations ("Brooklyn Ctr", "Intl Falls") find the place under its full name, and
    # only full names are suggested. An abbreviation is recognised only next to its full name,
    # that is when they share a ZIP code, so that real places such as Evan are not taken for one.
    zips_of = {key: {p.zip_code for p in primary.get(key, []) + alternate.get(key, [])} for key in cities}
    keys_of_zip: dict[str, set[str]] = {}
    for key, zip_codes in zips_of.items():
        for zip_code in zip_codes:
            keys_of_zip.setdefault(zip_code, set()).add(key)
    suggestible = {}
    for key in sorted(cities):
        if key not in primary:
            neighbours = set().union(*(keys_of_zip[z] for z in zips_of[key]))
            full = [other for other in sorted(neighbours) if _is_abbreviation(key, other)]
            if full:
                best = max(full, key=lambda other: len(zips_of[key] & zips_of[other]))
                cities[key] = cities[best]
                continue
        suggestible[key] = cities[key].city

    with (DATA_DIR / "zip3_states.csv").open(newline="", encoding="utf-8") as f:
        zip3_states = {row["prefix"]: row["state"] for row in csv.DictReader(f)}
    return _Data(zips=zips, cities=cities, suggestible=suggestible, zip3_states=zip3_states)


def locate_zip(zip_code: str) -> Place | None:
    """The Minnesota ZIP code's place (ZIP+4 accepted), or None for anything else."""
    match = _ZIP.fullmatch(zip_code.strip())
    return _data().zips.get(match.group(1)) if match else None


def find_place(text: str) -> Place:
    """Turn what someone typed in the directory's search box (a ZIP code or a city) into a place.

    Raises PlaceError with a message to show them (and maybe some city names to suggest).
    """
    text = " ".join(text.split())
    data = _data()
    if not text or any(ch.isdigit() for ch in text):
        match = _ZIP.fullmatch(text)
        if not match:
            raise PlaceError(gettext("Enter a 5-digit ZIP code, like 55401, or a Minnesota city."))
        zip_code = match.group(1)
        if zip_code in data.zips:
            return data.zips[zip_code]
        state = data.zip3_states.get(zip_code[:3])
        if state and state != "MN" and state in STATE_NAMES:
            english_name = STATE_NAMES[state]
            params = {"zip": zip_code, "state_name": gettext(english_name)}
            if english_name[0] in "AEIO":  # "an Iowa ZIP code" but "a Utah ZIP code"; translators may render both alike
                message = gettext(
                    "%(zip)s is an %(state_name)s ZIP code. This directory lists assisters in Minnesota: enter a Minnesota ZIP code or city."
                )
            else:
                message = gettext(
                    "%(zip)s is a %(state_name)s ZIP code. This directory lists assisters in Minnesota: enter a Minnesota ZIP code or city."
                )
            raise PlaceError(message % params)
        raise PlaceError(
            gettext("We don't know the ZIP code %(zip)s. Check it, or enter your city.") % {"zip": zip_code}
        )

    key = city_key(text)
    if key in data.cities:
        return data.cities[key]
    close = difflib.get_close_matches(key, data.suggestible, n=3)
    raise PlaceError(
        gettext("We couldn't find a Minnesota city called “%(city)s”.") % {"city": text},
        suggestions=[data.suggestible[match] for match in close],
    )


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, miles: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max) in degrees holding every point within `miles` of (lat, lon).

    Meant for a cheap database pre-filter before measuring real distances. Longitudes are not
    wrapped at ±180° (no concern in Minnesota); near a pole the box spans all longitudes.
    """
    angle = miles / EARTH_RADIUS_MILES  # radians of arc
    margin = 1e-7  # degrees (about 1 cm), so points exactly on the circle stay inside despite rounding
    dlat = math.degrees(angle) + margin
    lat_min, lat_max = lat - dlat, lat + dlat
    if lat_max >= 90 or lat_min <= -90:
        return max(lat_min, -90.0), min(lat_max, 90.0), -180.0, 180.0
    # The circle's widest longitude reach (at its tangent points, which lie poleward of lat).
    sin_reach = math.sin(angle) / math.cos(math.radians(lat))
    if sin_reach >= 1:
        return lat_min, lat_max, -180.0, 180.0
    dlon = math.degrees(math.asin(sin_reach)) + margin
    return lat_min, lat_max, lon - dlon, lon + dlon


@cache
def county_map() -> dict:
    """The parsed mn_county_map.json (view_box, projection, counties with SVG paths). Shared: don't mutate it."""
    return json.loads((DATA_DIR / "mn_county_map.json").read_text(encoding="utf-8"))


def project(lat: float, lon: float) -> tuple[float, float]:
    """Where a point falls on the county map, in its view box's units (x right, y down)."""
    p = county_map()["projection"]
    return p["pad"] + (lon - p["lon_min"]) * p["cos_lat"] * p["k"], p["pad"] + (p["lat_max"] - lat) * p["k"]


def miles_to_px(miles: float) -> float:
    """A north–south distance on the county map, for drawing a search radius."""
    return math.degrees(miles / EARTH_RADIUS_MILES) * county_map()["projection"]["k"]
